"""What can go wrong when talking to Binance, and how the caller reacts.

Every failure of a Binance call surfaces as one of these classes; the docstring
of each says what the caller does about it. The REST client already retries the
retryable ones (see `retry.py`), so an exception that reaches application code
means the retry budget is spent or retrying cannot help.

    BinanceError
    ├── TemporaryError          retry later with backoff (5xx, timeouts, dropped connections)
    │   ├── ExecutionUnknownError   the request may have been executed (503 "Unknown error"; for
    │   │                           orders also every timeout, 5xx and connection lost after sending)
    │   └── NotSentError        a write that certainly never reached the exchange
    ├── RateLimitedError        429: wait `retry_after` seconds, then slow down
    ├── BannedError             418: stop every call until `until_ms`
    ├── PermanentError          4xx the same request will always get (-1121 invalid symbol, ...)
    │   ├── DecodeError         the response is not what the schema says
    │   ├── OrderRejectedError  the exchange refused an order write (4xx with a code)
    │   └── OrderNotFoundError  no such order (-2013 on a query, -2011 on a cancel)
    └── AuthenticationError     bad API key, signature or permissions (-2014, -2015, -1022, 401)

Order writes (new order, batch, algo order) are sent once: the client never retries them, and
every failure says which of three things happened: not sent (`NotSentError`), refused
(`OrderRejectedError`, `RateLimitedError` for -1015), or unknown (`ExecutionUnknownError`).
"""
from __future__ import annotations


class BinanceError(Exception):
    """Base of every Binance failure. `status` is the HTTP status (0 when no response
    arrived), `code` Binance's error code when the body carried one."""

    def __init__(self, message: str, *, status: int = 0, code: int | None = None, path: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.path = path

    def __str__(self) -> str:
        parts = [super().__str__()]
        if self.status:
            parts.append(f"HTTP {self.status}")
        if self.code is not None:
            parts.append(f"code {self.code}")
        if self.path:
            parts.append(self.path)
        return " | ".join(parts)


class TemporaryError(BinanceError):
    """Binance or the network failed this time (5xx, 408, -1007/-1008, timeout,
    connection reset). Retry the same request with exponential backoff and jitter;
    the client does so up to its cap before raising. Callers of a scan skip the
    symbol for this round and report it; the next round tries again."""


class ExecutionUnknownError(TemporaryError):
    """The request may have reached Binance and been executed, and no definitive answer came:
    USD-M 503 "Unknown error, please check your request or try again later" on any request;
    on an order write (sent once) also a timeout, a 5xx, a 408, a -1000/-1001/-1006/-1007/-1008
    body, or the connection lost after the request was written. Reads may be retried like any
    temporary error. Writes (orders) must NOT be resent: the caller marks the order UNKNOWN and
    looks it up by its client order id (`query_order`); -2013 after the request's deadline
    (timestamp + recvWindow + 1 s, on the signing clock) proves it was never accepted.

    Binance documents 503 "Service Unavailable." and -1008 as certain failures; the client still
    reports them as unknown for order writes, because the lookup settles them at the cost of one
    read and a proxy or fault between us and the matching engine can say the same words."""


class NotSentError(TemporaryError):
    """An order write that certainly never left this process: the connection could not be
    opened (refused, DNS, connect timeout), the per-account order budget (`order_budget.py`) or
    the weight governor refused to send it (ban, Redis down), or the exchange's clock could not be
    read to sign it. The exchange cannot have it. The caller records the order as not sent (NOT_SENT with this
    message) and never resends it on its own: a new attempt is a new order with a new client
    order id, decided by whoever placed the first."""


class RateLimitedError(BinanceError):
    """429: a rate limit was broken. Wait `retry_after` seconds before ANY further
    call from this IP (the governor makes every process wait) and send less
    afterwards. Sending again before `retry_after` ends is how an IP gets banned.
    The client waits and retries by itself; callers see this only when the retry cap
    is spent, and then report it and try again in the next round."""

    def __init__(self, message: str, *, retry_after: float, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class BannedError(BinanceError):
    """418: the IP is banned until `until_ms` (epoch milliseconds). No call may be
    sent before then; the governor blocks every process. Callers stop the current
    work, report the ban (`governor.state()` shows it) and let the next scheduled
    round run: calls resume by themselves once the ban is over."""

    def __init__(self, message: str, *, until_ms: int, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.until_ms = until_ms


class PermanentError(BinanceError):
    """The request itself is wrong (invalid symbol -1121, invalid interval -1120,
    bad parameter -11xx, WAF 403, ...). Resending it gets the same answer, so it is
    never retried. Callers fix the input (drop the symbol from the universe, correct
    the parameter) and report it."""


class OrderRejectedError(PermanentError):
    """The exchange refused an order write with a 4xx and (usually) a code: filters (-4014
    tick, -4164 min notional), margin (-2019), Hedge Mode rules (-4061, -2022), a stale
    timestamp (-1021: the clock is re-measured before the next request), a bad key (-2014,
    -2015; check `code in AUTHENTICATION_CODES` to tell its owner). Nothing was executed.
    The caller records the order REJECTED with `code` and `message` and shows them; it does
    not resend the same request."""

    def __init__(self, message: str, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.message = message


class OrderNotFoundError(PermanentError):
    """The exchange knows no such order: -2013 "Order does not exist." on a query, -2011
    "Unknown order sent." on a cancel (unknown, or no longer open). After an unknown outcome
    the caller compares the exchange's clock with the request's deadline: past it, the order
    was never accepted (NOT_SENT); before it, the request may still arrive, so look again
    later. On a cancel, query the order to learn its final state."""


class DecodeError(PermanentError):
    """The response body does not have the shape the schema expects. Not retried:
    report it with the endpoint; it usually means the exchange changed its format."""


class AuthenticationError(BinanceError):
    """The API key, its permissions, IP whitelist or the request signature were
    rejected (401, -2014, -2015, -1022, -1021 timestamp outside recvWindow). Not
    retried. Callers stop using the key and tell its owner; a -1021 means the clock
    must be resynchronised before the next signed call."""


# Codes Binance uses for temporary conditions even though the HTTP status is 4xx/5xx.
TEMPORARY_CODES = frozenset({-1000, -1001, -1006, -1007, -1008})
AUTHENTICATION_CODES = frozenset({-1021, -1022, -2008, -2014, -2015})
ORDER_NOT_FOUND_CODES = frozenset({-2011, -2013})
TOO_MANY_ORDERS_CODE = -1015  # per-account order limits (X-MBX-ORDER-COUNT-*), not the IP's weight
