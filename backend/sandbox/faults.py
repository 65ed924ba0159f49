"""Fault injection, switchable at run time (POST /sandbox/faults) or from tests (``app["faults"]``).

A fault is a dict; common keys: ``kind``, ``path_prefix`` (default "" = every path; REST faults
match the request path, WebSocket faults the connection path such as "/ws", "/ws/<listenKey>" or
"/spot/stream"),
``rate`` (probability per matching request or frame, default 1), ``count`` (stop after that many
hits; default unlimited) and ``seconds`` (lifetime; default until removed). ``latency``, ``error``
and ``hang`` also take ``when``: "before" (default: the request is not executed, or executed late)
or "after" (the handler runs, the order is placed, then the answer is delayed / replaced / lost).

kinds:
  latency       delay matching REST requests by ``ms`` +/- ``jitter_ms`` (uniform); a delayed request
                is executed when the delay ends even if its client gave up (middleware.py)
  error         answer ``status`` (500/502/503/504, default 503) with Binance's body for it; after
                execution a 503 is Binance's "Unknown error, please check your request or try
                again later." (execution status unknown)
  hang          never answer (the client must time out); released only at shutdown
  rate_limit    429 -1003 with ``Retry-After: retry_after`` (default 1): a 429 storm (the IP limit);
                with ``scope: "orders"`` the account's order limit instead: 429 -1015 "Too many new
                orders" (use it with ``path_prefix: "/fapi/v1/order"``)
  ban           418 -1003 for ``seconds`` on matching paths (forced IP ban)
  ws_drop       one-shot: tear down matching WebSocket connections now (TCP abort, no close frame)
  ws_stall      matching connections stay open but get no data frames for ``seconds``
  ws_malformed  matching data frames are sent truncated (invalid JSON)
  ws_bad_kline  kline frames of market streams made wrong: ``variant`` null_open (``"o": null`` on a
                closed kline), high_below_low, future_open_time, misaligned_open_time (kline_faults.py)
Weight accounting still applies to requests that get an injected failure (Binance counts them too).
"""
from __future__ import annotations

import asyncio
import random
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

REST_KINDS = ("latency", "error", "hang", "rate_limit", "ban")
WS_KINDS = ("ws_drop", "ws_stall", "ws_malformed", "ws_bad_kline")
ERROR_STATUSES = (500, 502, 503, 504)
WHEN = ("before", "after")
AFTER_KINDS = ("latency", "error", "hang")  # the kinds that can act once the handler has run
BAD_KLINE_VARIANTS = ("null_open", "high_below_low", "future_open_time", "misaligned_open_time")
SCOPES = ("ip", "orders")  # rate_limit: which limit the injected 429 speaks for (-1003 / -1015)


@dataclass
class Fault:
    kind: str
    path_prefix: str = ""
    rate: float = 1.0
    count: int | None = None
    seconds: float | None = None
    ms: float = 0.0
    jitter_ms: float = 0.0
    status: int = 503
    retry_after: int = 1
    when: str = "before"
    variant: str | None = None
    scope: str = "ip"
    id: int = 0
    hits: int = 0
    expires_at: float | None = field(default=None, repr=False)

    def public(self, now: float) -> dict:
        data = {k: v for k, v in asdict(self).items() if k != "expires_at"}
        data["remaining_seconds"] = None if self.expires_at is None else max(0.0, round(self.expires_at - now, 3))
        return data


@dataclass
class RestPlan:
    """What the faults do to one REST request: before the handler runs, and after it ran."""
    delay: float = 0.0
    ban_seconds: float | None = None
    hang: bool = False
    rate_limit: int | None = None  # Retry-After of an injected 429
    order_rate_limit: bool = False  # that 429 is the account's order limit (-1015), not the IP's
    error_status: int | None = None
    after_delay: float = 0.0
    after_hang: bool = False
    after_error_status: int | None = None

    @property
    def acts_after(self) -> bool:
        return bool(self.after_delay or self.after_hang or self.after_error_status)


_ALLOWED = {"kind", "path_prefix", "rate", "count", "seconds", "ms", "jitter_ms", "status", "retry_after",
            "when", "variant", "scope"}


def _check(spec: dict) -> Fault:
    if not isinstance(spec, dict):
        raise ValueError("a fault is a JSON object")
    unknown = set(spec) - _ALLOWED
    if unknown:
        raise ValueError(f"unknown fault keys: {sorted(unknown)}")
    kind = spec.get("kind")
    if kind not in REST_KINDS + WS_KINDS:
        raise ValueError(f"kind must be one of {REST_KINDS + WS_KINDS}")
    try:
        fault = Fault(**spec)
        fault.rate, fault.ms, fault.jitter_ms = float(fault.rate), float(fault.ms), float(fault.jitter_ms)
        fault.status, fault.retry_after = int(fault.status), int(fault.retry_after)
        fault.count = None if fault.count is None else int(fault.count)
        fault.seconds = None if fault.seconds is None else float(fault.seconds)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"bad fault value: {exc}") from exc
    if not isinstance(fault.path_prefix, str):
        raise ValueError("path_prefix must be a string")
    if not 0.0 <= fault.rate <= 1.0:
        raise ValueError("rate must be within [0, 1]")
    if min(fault.ms, fault.jitter_ms, fault.retry_after) < 0 or (fault.count is not None and fault.count < 0):
        raise ValueError("ms, jitter_ms, retry_after and count must be >= 0")
    if kind == "error" and fault.status not in ERROR_STATUSES:
        raise ValueError(f"status must be one of {ERROR_STATUSES}")
    if kind in ("ban", "ws_stall") and not fault.seconds:
        raise ValueError(f"{kind} needs seconds > 0")
    if fault.when not in WHEN:
        raise ValueError(f"when must be one of {WHEN}")
    if fault.when == "after" and kind not in AFTER_KINDS:
        raise ValueError(f"when=after applies to {AFTER_KINDS} only")
    if kind == "ws_bad_kline" and fault.variant not in BAD_KLINE_VARIANTS:
        raise ValueError(f"variant must be one of {BAD_KLINE_VARIANTS}")
    if kind != "ws_bad_kline" and fault.variant is not None:
        raise ValueError("variant applies to ws_bad_kline only")
    if fault.scope not in SCOPES or (kind != "rate_limit" and fault.scope != "ip"):
        raise ValueError(f"scope ({SCOPES}) applies to rate_limit only")
    return fault


class FaultInjector:
    def __init__(self, seed: int = 0, clock: Callable[[], float] = time.monotonic):
        self._faults: list[Fault] = []
        self._rng = random.Random(seed)
        self._clock = clock
        self._next_id = 1
        self._hanging: set[asyncio.Future] = set()
        # Set by the stream hub: tears down the connections whose path starts with the prefix.
        self.on_ws_drop: Callable[[str], int] | None = None

    # -- management ------------------------------------------------------------------------
    def add(self, spec: dict | None = None, **kwargs) -> Fault:
        """Validate and switch on a fault (``ValueError`` on a bad spec); ws_drop acts at once."""
        fault = _check({**(spec or {}), **kwargs})
        fault.id, self._next_id = self._next_id, self._next_id + 1
        if fault.kind == "ws_drop":
            fault.hits = self.on_ws_drop(fault.path_prefix) if self.on_ws_drop else 0
            return fault
        if fault.seconds is not None:
            fault.expires_at = self._clock() + fault.seconds
        self._faults.append(fault)
        return fault

    def remove(self, fault_id: int) -> bool:
        before = len(self._faults)
        self._faults = [f for f in self._faults if f.id != fault_id]
        return len(self._faults) != before

    def clear(self) -> None:
        self._faults.clear()

    def active(self) -> list[Fault]:
        now = self._clock()
        self._faults = [f for f in self._faults if (f.expires_at is None or f.expires_at > now)
                        and (f.count is None or f.hits < f.count)]
        return list(self._faults)

    def describe(self) -> list[dict]:
        now = self._clock()
        return [f.public(now) for f in self.active()]

    def _fires(self, fault: Fault) -> bool:
        if fault.count is not None and fault.hits >= fault.count:
            return False
        if fault.rate < 1.0 and self._rng.random() >= fault.rate:
            return False
        fault.hits += 1
        return True

    def _matching(self, path: str, kinds: tuple[str, ...]) -> list[Fault]:
        if not self._faults:
            return []
        return [f for f in self.active() if f.kind in kinds and path.startswith(f.path_prefix)]

    # -- REST ------------------------------------------------------------------------------
    def plan(self, path: str) -> RestPlan:
        plan = RestPlan()
        now = self._clock()
        for fault in self._matching(path, REST_KINDS):
            after = fault.when == "after"
            if fault.kind == "ban":  # a ban holds for its whole lifetime; no rate or count
                plan.ban_seconds = max(plan.ban_seconds or 0.0, fault.expires_at - now)
            elif not self._fires(fault):
                continue
            elif fault.kind == "latency":
                delay = max(0.0, fault.ms + self._rng.uniform(-fault.jitter_ms, fault.jitter_ms)) / 1000
                if after:
                    plan.after_delay += delay
                else:
                    plan.delay += delay
            elif fault.kind == "hang" and after:
                plan.after_hang = True
            elif fault.kind == "hang":
                plan.hang = True
            elif fault.kind == "rate_limit":
                plan.rate_limit = fault.retry_after
                plan.order_rate_limit = fault.scope == "orders"
            elif fault.kind == "error" and after and plan.after_error_status is None:
                plan.after_error_status = fault.status
            elif fault.kind == "error" and not after and plan.error_status is None:
                plan.error_status = fault.status
        return plan

    async def hang(self) -> None:
        """Wait until shutdown (or until the client goes away and the handler is cancelled)."""
        future = asyncio.get_running_loop().create_future()
        self._hanging.add(future)
        try:
            await future
        finally:
            self._hanging.discard(future)

    def release_hanging(self) -> None:
        for future in list(self._hanging):
            future.cancel()

    # -- WebSocket -------------------------------------------------------------------------
    def has_ws_faults(self) -> bool:
        return bool(self._faults) and any(f.kind in WS_KINDS for f in self.active())

    def ws_stalled(self, path: str) -> bool:
        return any(True for _ in self._matching(path, ("ws_stall",)))

    def ws_malformed(self, path: str) -> bool:
        return any(self._fires(f) for f in self._matching(path, ("ws_malformed",)))

    def ws_bad_kline(self, path: str, closed: bool) -> str | None:
        """The variant to apply to this kline frame on this connection, if any (null_open: closed only)."""
        for fault in self._matching(path, ("ws_bad_kline",)):
            if (closed or fault.variant != "null_open") and self._fires(fault):
                return fault.variant
        return None
