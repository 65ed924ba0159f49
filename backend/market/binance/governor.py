"""The request-weight governor: one budget for every process on this IP, kept in Redis.

Binance counts weight per IP, so every process (web, workers, the stream process,
a bench script) reserves weight here before it sends a request.

Algorithm (all decisions in one Lua script, so concurrent processes never race):

* Sliding window. Reserved weight is added to 1/60-window buckets of a Redis hash (1 s for
  Binance's minute); a bucket counts until a full window has passed since its END. Any
  60-second span therefore holds at most the cap, whatever minute boundary Binance's own
  clock uses, so a clock offset between us and the exchange can never let a burst
  straddle two of its windows.
* Cap = share (default 80%) x the REQUEST_WEIGHT limit of exchangeInfo's rateLimits
  (the documented default until exchangeInfo has been read). The 20% left covers
  requests in flight and traffic we do not control.
* `X-MBX-USED-WEIGHT-1M` from every response is fed back: the used weight is the larger
  of our own count and the last value Binance reported (valid for one window).
* Over the cap, a reservation WAITS for the oldest bucket to leave the window. It never
  fails on budget.
* 429: `backoff_until = now + Retry-After`; every process waits that long, and the cap
  is halved for one window afterwards (`slow_until`).
* 418: `banned_until = now + Retry-After`; no process sends anything before then. A call
  waits out a ban shorter than `ban_max_wait_s`; a longer ban raises `BannedError`
  without sending, so a scan reports it and the next scheduled round resumes by itself.

Redis time (`TIME`) is the one clock all processes share. If Redis cannot be reached the
governor raises `TemporaryError`: no request is sent without a reservation.
"""
from __future__ import annotations

import asyncio
import random
import time
from dataclasses import asdict, dataclass

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from market.binance.errors import BannedError, TemporaryError

_RESERVE = """
local weight, share, default_limit, obs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[2], 'limit', 'window_ms', 'banned_until', 'backoff_until', 'slow_until',
                     'obs_used', 'obs_at')
local limit, window = tonumber(s[1]) or default_limit, tonumber(s[2]) or 60000
local banned, backoff, slow = tonumber(s[3]) or 0, tonumber(s[4]) or 0, tonumber(s[5]) or 0
local obs_used, obs_at = tonumber(s[6]) or 0, tonumber(s[7]) or 0
if obs >= 0 then
  obs_used, obs_at = obs, now
  redis.call('HSET', KEYS[2], 'obs_used', obs, 'obs_at', now)
end
if now - obs_at >= window then obs_used = 0 end
local cap = math.floor(limit * share)
if slow > now then cap = math.floor(cap / 2) end
if banned > now then return {1, banned - now, banned, cap} end
if backoff > now then return {2, backoff - now, 0, cap} end
-- Buckets are named "<start ms>:<length ms>" and count while any part of them is inside the
-- window, so a reservation counts for at least a full window even if the window length changes.
local bucket = math.max(1, math.floor(window / 60))
local start = now - now % bucket
local used, free_at = 0, nil
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local b, len = string.match(all[i], '^(%d+):(%d+)$')
  local ends = tonumber(b) + tonumber(len) + window
  if ends <= now then
    redis.call('HDEL', KEYS[1], all[i])
  else
    used = used + tonumber(all[i + 1])
    if free_at == nil or ends < free_at then free_at = ends end
  end
end
if weight > cap then weight = cap end
local effective = math.max(used, obs_used)
if effective + weight > cap then
  local wait = window - (now - obs_at)
  if used >= obs_used and free_at ~= nil then wait = free_at - now end
  return {3, math.max(wait, 10), effective, cap}
end
redis.call('HINCRBY', KEYS[1], string.format('%d:%d', start, bucket), weight)
redis.call('PEXPIRE', KEYS[1], window * 2)
return {0, 0, effective + weight, cap}
"""

# ARGV: field to raise (backoff_until | banned_until), its delay in ms, slow-down length in ms, counter field.
_PENALIZE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ms = now + tonumber(ARGV[2])
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1])) or 0
if until_ms > current then redis.call('HSET', KEYS[1], ARGV[1], until_ms) else until_ms = current end
local slow = now + tonumber(ARGV[3])
if slow > (tonumber(redis.call('HGET', KEYS[1], 'slow_until')) or 0) then
  redis.call('HSET', KEYS[1], 'slow_until', slow)
end
redis.call('HINCRBY', KEYS[1], ARGV[4], 1)
return {until_ms, until_ms - now}
"""

_STATE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[2], 'limit', 'window_ms', 'banned_until', 'backoff_until', 'slow_until',
                     'obs_used', 'obs_at', 'rate_limited', 'banned')
local window = tonumber(s[2]) or 60000
local used = 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local b, len = string.match(all[i], '^(%d+):(%d+)$')
  if tonumber(b) + tonumber(len) + window > now then used = used + tonumber(all[i + 1]) end
end
local obs = tonumber(s[6]) or -1
if now - (tonumber(s[7]) or 0) >= window then obs = -1 end
return {now, used, tonumber(s[1]) or -1, window, tonumber(s[3]) or 0, tonumber(s[4]) or 0, tonumber(s[5]) or 0,
        obs, tonumber(s[8]) or 0, tonumber(s[9]) or 0}
"""

REASONS = {1: "banned", 2: "backoff", 3: "budget"}


@dataclass(frozen=True)
class GovernorState:
    """What the scanner reports: how much weight is used and whether calls are held back."""

    now_ms: int
    used_weight: int  # reserved by our processes in the last window
    observed_weight: int | None  # last X-MBX-USED-WEIGHT-1M from Binance, if within the window
    limit: int  # exchange REQUEST_WEIGHT limit
    budget: int  # what we allow ourselves now (share x limit, halved while slowed down)
    window_ms: int
    banned_until_ms: int | None
    backoff_until_ms: int | None  # Retry-After of the last 429
    slow_until_ms: int | None
    rate_limited_total: int  # 429s seen since the state was created
    banned_total: int  # 418s seen

    @property
    def banned(self) -> bool:
        return self.banned_until_ms is not None

    def as_dict(self) -> dict:
        return {**asdict(self), "banned": self.banned}


class WeightGovernor:
    """Reserve request weight before each call; report 429/418 and used-weight headers after it.

    One instance per event loop (its Redis connections belong to that loop); any number of
    instances in any number of processes share one budget through `scope`.
    """

    def __init__(self, redis_url: str, *, scope: str, share: float = 0.8, default_limit: int = 2400,
                 ban_max_wait_s: float = 120.0, slow_down_s: float = 60.0) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], got {share}")
        self.scope = scope
        self.share = share
        self.default_limit = default_limit
        self.ban_max_wait_s = ban_max_wait_s
        self.slow_down_s = slow_down_s
        prefix = f"binance:governor:{scope}"
        self._keys = [f"{prefix}:weight", f"{prefix}:state"]
        # A bounded pool: hundreds of coroutines of one batch queue for a few connections
        # instead of opening one each.
        pool = aioredis.BlockingConnectionPool.from_url(
            redis_url, max_connections=16, timeout=5.0, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._redis = aioredis.Redis(connection_pool=pool)
        self._reserve = self._redis.register_script(_RESERVE)
        self._penalize = self._redis.register_script(_PENALIZE)
        self._state = self._redis.register_script(_STATE)
        self._observed = -1  # latest used-weight header not yet sent to Redis
        # What this process already knows (a 429/418 it received, or Redis's answer): its other
        # coroutines wait on it locally instead of asking Redis, and requests already holding
        # pre-reserved weight check it right before they are sent.
        self._hold_until = 0.0  # monotonic
        self._ban_hold_until = 0.0  # monotonic end of the part of the hold that is a ban
        self._ban_until_ms = 0

    async def close(self) -> None:
        await self._redis.aclose()

    @property
    def redis(self) -> aioredis.Redis:
        """The governor's connection pool, shared by the order budget of the same client."""
        return self._redis

    def _hold(self, seconds: float, *, ban_until_ms: int | None = None) -> None:
        # One jitter per hold, not per coroutine: the coroutines of this process wake together
        # (the budget still paces them), different processes wake at different moments.
        until = time.monotonic() + seconds + random.uniform(0.005, 0.05)
        self._hold_until = max(self._hold_until, until)
        if ban_until_ms is not None:
            self._ban_hold_until = max(self._ban_hold_until, until)
            self._ban_until_ms = max(self._ban_until_ms, ban_until_ms)

    async def wait_for_clearance(self) -> None:
        """Sleep while this process knows of a backoff or ban; a ban longer than `ban_max_wait_s`
        raises `BannedError` (status 0: nothing was sent) instead."""
        while True:
            now = time.monotonic()
            if self._hold_until <= now:
                return
            if self._ban_hold_until - now > self.ban_max_wait_s:
                raise BannedError(f"IP banned for {self._ban_hold_until - now:.0f} s more; not sending",
                                  until_ms=self._ban_until_ms)
            await asyncio.sleep(self._hold_until - now)

    async def acquire(self, weight: int) -> None:
        """Wait until `weight` fits in the budget and no ban or backoff is active, then reserve it."""
        while True:
            await self.wait_for_clearance()
            observed, self._observed = self._observed, -1
            try:
                reason, wait_ms, banned_until, _cap = await self._reserve(
                    keys=self._keys, args=[weight, self.share, self.default_limit, observed])
            except RedisError as exc:
                raise TemporaryError(f"weight governor unavailable: {exc}") from exc
            if reason == 0:
                return
            if reason == 1:
                self._hold(wait_ms / 1000, ban_until_ms=banned_until)
            elif reason == 2:
                self._hold(wait_ms / 1000)
            else:  # over budget: this weight waits; a smaller request may still fit, so no local hold
                await asyncio.sleep(wait_ms / 1000 + random.uniform(0.005, 0.05))

    def observe(self, used_weight: int) -> None:
        """Record `X-MBX-USED-WEIGHT-1M`; sent to Redis with the next reservation."""
        self._observed = max(self._observed, used_weight)

    async def rate_limited(self, retry_after_s: float) -> int:
        """A 429 arrived: every process waits `retry_after_s`, then runs at half budget for a while."""
        self._hold(retry_after_s)  # at once, before the Redis round trip
        return await self._penalize_call("backoff_until", retry_after_s, "rate_limited")

    async def banned(self, retry_after_s: float) -> int:
        """A 418 arrived: nobody sends anything for `retry_after_s`. Returns banned-until (ms)."""
        self._hold(retry_after_s, ban_until_ms=int(time.time() * 1000 + retry_after_s * 1000))
        until_ms = await self._penalize_call("banned_until", retry_after_s, "banned")
        self._ban_until_ms = max(self._ban_until_ms, until_ms)
        return until_ms

    async def _penalize_call(self, field: str, delay_s: float, counter: str) -> int:
        slow_ms = int(max(self.slow_down_s, delay_s) * 1000)
        try:
            until_ms, _remaining_ms = await self._penalize(
                keys=[self._keys[1]], args=[field, int(delay_s * 1000), slow_ms, counter])
        except RedisError as exc:
            raise TemporaryError(f"weight governor unavailable: {exc}") from exc
        return int(until_ms)

    async def set_limit(self, limit: int, window_ms: int = 60_000) -> None:
        """Take the budget from exchangeInfo's REQUEST_WEIGHT rate limit."""
        try:
            await self._redis.hset(self._keys[1], mapping={"limit": limit, "window_ms": window_ms})
        except RedisError as exc:
            raise TemporaryError(f"weight governor unavailable: {exc}") from exc

    async def state(self) -> GovernorState:
        try:
            now, used, limit, window, banned, backoff, slow, obs, n429, n418 = await self._state(keys=self._keys)
        except RedisError as exc:
            raise TemporaryError(f"weight governor unavailable: {exc}") from exc
        limit = self.default_limit if limit < 0 else limit
        budget = int(limit * self.share) // (2 if slow > now else 1)
        return GovernorState(
            now_ms=now, used_weight=used, observed_weight=None if obs < 0 else obs, limit=limit, budget=budget,
            window_ms=window, banned_until_ms=banned if banned > now else None,
            backoff_until_ms=backoff if backoff > now else None, slow_until_ms=slow if slow > now else None,
            rate_limited_total=n429, banned_total=n418,
        )

    async def reset(self) -> None:
        """Forget every reservation and penalty of this scope (tests and operators only)."""
        await self._redis.delete(*self._keys)


class WeightPool:
    """Weight reserved ahead for a batch of known total: one reservation per `chunk` of
    weight instead of one Redis round trip per request. Never reserves more than `total`."""

    def __init__(self, governor: WeightGovernor, *, total: int, chunk: int) -> None:
        self._governor = governor
        self._remaining = total  # not yet reserved
        self._available = 0  # reserved, not yet taken
        self._chunk = max(1, chunk)
        self._lock = asyncio.Lock()

    async def take(self, weight: int) -> None:
        async with self._lock:
            while self._available < weight:
                grab = min(max(self._chunk, weight - self._available), self._remaining)
                if grab <= 0:  # more taken than announced: reserve the difference directly
                    grab = weight - self._available
                await self._governor.acquire(grab)
                self._remaining -= grab
                self._available += grab
            self._available -= weight
