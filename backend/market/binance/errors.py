"""What can go wrong when talking to Binance, and how the caller reacts.

Every failure of a Binance call surfaces as one of these classes; the docstring
of each says what the caller does about it. The REST client already retries the
retryable ones (see `retry.py`), so an exception that reaches application code
means the retry budget is spent or retrying cannot help.

    BinanceError
    ├── TemporaryError          retry later with backoff (5xx, timeouts, dropped connections)
    │   └── ExecutionUnknownError   503 "Unknown error": the request may have been executed
    ├── RateLimitedError        429: wait `retry_after` seconds, then slow down
    ├── BannedError             418: stop every call until `until_ms`
    ├── PermanentError          4xx the same request will always get (-1121 invalid symbol, ...)
    │   └── DecodeError         the response is not what the schema says
    └── AuthenticationError     bad API key, signature or permissions (-2014, -2015, -1022, 401)
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
    """USD-M 503 "Unknown error, please check your request or try again later":
    the request reached Binance but its outcome is unknown. Reads may be retried
    like any temporary error. Writes (orders) must NOT be resent blindly: query the
    order by its client order id first."""


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
