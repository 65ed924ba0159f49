"""Request weights per endpoint and the per-IP weight budget with Binance's 429 -> 418 escalation.

Rules (docs/spot/rest-api.md "LIMITS", docs/usdm_futures/rate_limits.md, LIMITS.md):

* every route has a weight (``register_weight``); the used weight of the client IP in the current
  window is sent back in ``X-MBX-USED-WEIGHT-1M`` on every response;
* the window is fixed and aligned to the wall-clock minute, as Binance's counter resets at :00
  (its length is configurable for tests); spot (/api) and USD-M (/fapi) count separately, as the
  real hosts do;
* a request that takes the IP past the budget gets 429 + ``Retry-After`` = seconds to the window end;
* an IP that sends more than ``ban_after`` requests while a 429's Retry-After runs is banned: 418
  with ``Retry-After`` = seconds left; the first ban lasts ``ban_seconds``, each repeat doubles it,
  capped at 3 days ("bans scale from 2 minutes to 3 days").
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Union

from aiohttp import web

from . import errors

Weight = Union[int, Callable[[web.Request], int]]
MAX_BAN_SECONDS = 3 * 86_400

_WEIGHTS: dict[tuple[str, str], Weight] = {}


def register_weight(method: str, path: str, weight: Weight) -> None:
    """Weight of ``method path`` (exact path, e.g. "/fapi/v1/klines"); a callable gets the request."""
    _WEIGHTS[(method.upper(), path)] = weight


def weight_of(request: web.Request) -> int | None:
    """Registered weight of this request, or None for routes nobody registered."""
    method = "GET" if request.method == "HEAD" else request.method
    weight = _WEIGHTS.get((method, request.path))
    if weight is None:
        return None
    return weight(request) if callable(weight) else weight


def market_of(path: str) -> str | None:
    """Which host's budget a path counts on: "spot" (/api/..., /sapi/...), "usdm" (/fapi/...), else None.

    SAPI lives on the spot host (api.binance.com); Binance counts its IP weight separately from
    /api, which the sandbox simplifies to the spot budget."""
    if path.startswith("/fapi/"):
        return "usdm"
    if path.startswith(("/api/", "/sapi/")):
        return "spot"
    return None


@dataclass
class IpState:
    window_start: float = 0.0
    used: int = 0
    retry_until: float = 0.0  # end of the Retry-After of the last 429
    strikes: int = 0  # requests sent while retry_until was running
    ban_until: float = 0.0
    bans: int = 0


class WeightLimiter:
    """Budget of one market. ``clock`` is wall time in seconds (injectable for tests)."""

    def __init__(self, market: str, budget: int, window_seconds: float = 60.0, ban_after: int = 10,
                 ban_seconds: float = 120.0, clock: Callable[[], float] = time.time):
        self.market, self.budget, self.window = market, budget, window_seconds
        self.ban_after, self.ban_seconds, self.clock = ban_after, ban_seconds, clock
        self.ips: dict[str, IpState] = {}

    def used(self, ip: str) -> int:
        state = self.ips.get(ip)
        if state is None:
            return 0
        self._roll(state, self.clock())
        return state.used

    def _roll(self, state: IpState, now: float) -> None:
        start = math.floor(now / self.window) * self.window
        if start != state.window_start:
            state.window_start, state.used = start, 0

    def charge(self, ip: str, weight: int) -> int:
        """Count ``weight`` for ``ip``; returns the used weight or raises the 429/418 BinanceError."""
        now = self.clock()
        state = self.ips.setdefault(ip, IpState())
        if state.ban_until > now:
            raise errors.banned(self.market, int(state.ban_until * 1000), math.ceil(state.ban_until - now))
        self._roll(state, now)
        if state.retry_until > now:
            state.strikes += 1
            if state.strikes > self.ban_after:
                return self._ban(state, now)
        state.used += weight
        if state.used > self.budget:
            window_end = state.window_start + self.window
            if state.retry_until <= now:
                state.strikes = 0
            state.retry_until = window_end
            raise errors.too_many_requests(self.market, self.budget, max(1, math.ceil(window_end - now)))
        return state.used

    def _ban(self, state: IpState, now: float) -> int:
        state.bans += 1
        length = min(MAX_BAN_SECONDS, self.ban_seconds * 2 ** (state.bans - 1))
        state.ban_until, state.retry_until, state.strikes = now + length, 0.0, 0
        raise errors.banned(self.market, int(state.ban_until * 1000), math.ceil(length))

    def ban(self, ip: str, seconds: float) -> None:
        """Ban ``ip`` now (the forced-ban fault)."""
        state = self.ips.setdefault(ip, IpState())
        state.ban_until = self.clock() + seconds

    def reset(self) -> None:
        self.ips.clear()

    def snapshot(self) -> dict:
        now = self.clock()
        return {ip: {"used": self.used(ip), "banned_for": max(0.0, round(s.ban_until - now, 3)),
                     "bans": s.bans} for ip, s in self.ips.items()}
