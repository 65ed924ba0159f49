"""SIGNED requests (TRADE and USER_DATA endpoints), as Binance documents them
(docs/usdm_futures/private_rest_api.md, "SIGNED Endpoint security"):

* the API key travels in the `X-MBX-APIKEY` header;
* `signature` = hex HMAC-SHA256(secret, query string), appended as the last parameter;
* `timestamp` (ms) is mandatory and `recvWindow` (ms, default 5000, at most 60000) bounds how
  old the request may be when it arrives: Binance accepts it when
  `timestamp < serverTime + 1000 and serverTime - timestamp <= recvWindow`, else -1021.

So the timestamp is taken from the exchange's clock, not ours: `ServerClock` keeps the offset
measured with `GET time` (half the round trip counted), per host and process, and is
re-measured when it is older than `ServerClock.max_age_s` or after a -1021.

The sandbox exchange takes our own clock (`WallClock`). Its `GET time` answers the replay clock
(paused in tests, or 60 times faster than ours), but it checks `timestamp` and `recvWindow`
against the wall clock as well (sandbox/TRADING.md, "Two clocks"), so a wall-clock timestamp
keeps Binance's rule exactly: the request is refused once `recvWindow` ms of real time have
passed since its timestamp. The signing clock (`client.clock`) is therefore the clock of every
recvWindow decision: an order's deadline (timestamp + recvWindow + 1000 ms, after which the
exchange can no longer accept it) is compared with `client.clock.now_ms()`, never with the
replay clock (`client.trading.now_ms()` does both: measures if needed, then reads it).
"""
from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

API_KEY_HEADER = "X-MBX-APIKEY"
DEFAULT_RECV_WINDOW_MS = 5000
MAX_RECV_WINDOW_MS = 60_000


@dataclass(frozen=True)
class Credentials:
    """An API key and its secret. Neither appears in repr (logs, tracebacks): only the key's
    last 4 characters do."""

    api_key: str = field(repr=False)
    secret: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Credentials(api_key='...{self.api_key[-4:]}')"

    @property
    def fingerprint(self) -> str:
        """A stable name for the key that reveals neither it nor its secret (Redis keys, logs)."""
        return hashlib.sha256(self.api_key.encode()).hexdigest()[:16]

    __str__ = __repr__

    def __reduce__(self):  # never pickled into a cache or a task argument
        raise TypeError("Credentials cannot be pickled")


def signature(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def signed_query(params: Mapping[str, Any] | None, *, secret: str, timestamp_ms: int,
                 recv_window_ms: int = DEFAULT_RECV_WINDOW_MS) -> str:
    """The query string to send: `params`, recvWindow, timestamp, then the signature of all of them.

    Sent exactly as signed (the client must not re-encode it).
    """
    if not 0 < recv_window_ms <= MAX_RECV_WINDOW_MS:
        raise ValueError(f"recvWindow must be in 1..{MAX_RECV_WINDOW_MS} ms, got {recv_window_ms}")
    items = [(k, _text(v)) for k, v in (params or {}).items()]
    items += [("recvWindow", str(recv_window_ms)), ("timestamp", str(timestamp_ms))]
    query = urlencode(items)
    return f"{query}&signature={signature(secret, query)}"


def _text(value: Any) -> str:
    if isinstance(value, bool):  # Binance spells booleans in lower case
        return "true" if value else "false"
    return str(value)


class ServerClock:
    """The exchange's clock as seen from here: local wall time plus a measured offset."""

    max_age_s = 300.0

    def __init__(self) -> None:
        self.offset_ms: int | None = None
        self._measured_at = 0.0  # monotonic

    def stale(self) -> bool:
        return self.offset_ms is None or time.monotonic() - self._measured_at > self.max_age_s

    def observe(self, server_ms: int, *, sent_ms: int, received_ms: int) -> None:
        """Record a `GET time` answer: the server read its clock about half way through the trip."""
        self.offset_ms = server_ms - (sent_ms + received_ms) // 2
        self._measured_at = time.monotonic()

    def invalidate(self) -> None:
        self.offset_ms = None

    def now_ms(self) -> int:
        return local_ms() + (self.offset_ms or 0)


class WallClock(ServerClock):
    """Our own clock, never measured: for the sandbox exchange, which accepts wall-clock timestamps
    as well as its replay clock (sandbox/TRADING.md, "Two clocks"). Its replay clock may run 60
    times faster than ours, so a measured offset would be stale within seconds."""

    def stale(self) -> bool:
        return False

    def observe(self, server_ms: int, *, sent_ms: int, received_ms: int) -> None:
        pass

    def now_ms(self) -> int:
        return local_ms()


def local_ms() -> int:
    return time.time_ns() // 1_000_000


_clocks: dict[str, ServerClock] = {}


def server_clock(host_key: str, *, environment: str = "live") -> ServerClock:
    """The clock of one API host (`Venue.governor_scope`), shared by every client of the process."""
    if environment == "sandbox":
        return WallClock()
    clock = _clocks.get(host_key)
    if clock is None:
        clock = _clocks[host_key] = ServerClock()
    return clock
