"""The per-account order-rate budget: USD-M's ORDERS limits (300 per 10 s, 1200 per minute per
account), kept in Redis so that every process placing orders for one API key shares one count.

Binance counts orders per account, not per IP, and reports the account's counts in the
`X-MBX-ORDER-COUNT-10S` / `X-MBX-ORDER-COUNT-1M` headers of each order answer; past a limit it
answers `429 -1015 Too many new orders`. So, like the weight governor:

* Before an order write leaves, its count is reserved (`reserve`): a new order or an algo order
  counts 1 on both windows, a batch 5 on the 10-second window and 1 on the minute. Counts live in
  1-second buckets of one Redis hash per (venue host, key fingerprint); a bucket counts until a
  full window has passed since its end, so any 10 s / 60 s span holds at most the limit.
* The headers of every order answer are fed back (`observe`): the used count is the larger of
  our own and the last one Binance reported (valid for one window), so orders placed elsewhere
  with the same key (the owner's own app) are counted too.
* A reservation over a limit is REFUSED, not delayed: the order raises `NotSentError` and the
  caller records it as not sent. An order that waits for budget would leave at a moment nobody
  chose; refusing keeps "sent once, when decided" true.
* A -1015 answer (`too_many`) closes the budget for `Retry-After` (10 s when absent) for every
  process.

The Redis key is named by `Credentials.fingerprint` (a hash prefix), never by the key itself.
All decisions are one Lua script each (Redis `TIME` is the shared clock), so processes never race.
"""
from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from market.binance.errors import NotSentError
from market.binance.signing import Credentials

LIMIT_10S = 300
LIMIT_1M = 1200
WINDOWS_MS = {"t": 10_000, "m": 60_000}  # field prefix of the 10-second and one-minute buckets
DEFAULT_BACKOFF_S = 10.0

_RESERVE = """
local n10, n1m, lim10, lim1m = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[1], 'backoff_until', 'obs10', 'obs10_at', 'obs1m', 'obs1m_at')
local backoff = tonumber(s[1]) or 0
local used = {t = 0, m = 0}
local free_at = {t = nil, m = nil}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local kind, start = string.match(all[i], '^([tm]):(%d+)$')
  if kind then
    local ends = tonumber(start) + 1000 + (kind == 't' and 10000 or 60000)
    if ends <= now then
      redis.call('HDEL', KEYS[1], all[i])
    else
      used[kind] = used[kind] + tonumber(all[i + 1])
      if free_at[kind] == nil or ends < free_at[kind] then free_at[kind] = ends end
    end
  end
end
if now - (tonumber(s[3]) or 0) < 10000 then used.t = math.max(used.t, tonumber(s[2]) or 0) end
if now - (tonumber(s[5]) or 0) < 60000 then used.m = math.max(used.m, tonumber(s[4]) or 0) end
if backoff > now then return {1, backoff - now, used.t, used.m} end
if used.t + n10 > lim10 then return {2, (free_at.t or now + 10000) - now, used.t, used.m} end
if used.m + n1m > lim1m then return {3, (free_at.m or now + 60000) - now, used.t, used.m} end
if ARGV[5] == '1' then
  local start = now - now % 1000
  redis.call('HINCRBY', KEYS[1], 't:' .. start, n10)
  redis.call('HINCRBY', KEYS[1], 'm:' .. start, n1m)
  redis.call('PEXPIRE', KEYS[1], 130000)
  used.t, used.m = used.t + n10, used.m + n1m
end
return {0, 0, used.t, used.m}
"""

# ARGV: 10 s count, 1 min count (-1: absent); sets the observation with Redis's own time.
_OBSERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if tonumber(ARGV[1]) >= 0 then redis.call('HSET', KEYS[1], 'obs10', ARGV[1], 'obs10_at', now) end
if tonumber(ARGV[2]) >= 0 then redis.call('HSET', KEYS[1], 'obs1m', ARGV[2], 'obs1m_at', now) end
redis.call('PEXPIRE', KEYS[1], 130000)
return now
"""

_BACKOFF = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ms = now + tonumber(ARGV[1])
if until_ms > (tonumber(redis.call('HGET', KEYS[1], 'backoff_until')) or 0) then
  redis.call('HSET', KEYS[1], 'backoff_until', until_ms)
end
redis.call('PEXPIRE', KEYS[1], math.max(130000, tonumber(ARGV[1]) + 1000))
return until_ms
"""

REFUSALS = {1: "the exchange answered -1015 Too many orders; waiting for its Retry-After",
            2: "the 10-second order limit", 3: "the one-minute order limit"}


@dataclass(frozen=True)
class OrderBudgetState:
    used_10s: int
    used_1m: int
    limit_10s: int
    limit_1m: int
    refused_for_ms: int  # 0 when an order of count (1, 1) would be accepted now


class OrderBudget:
    """Reserve order counts per API key before sending; feed back the exchange's headers."""

    def __init__(self, redis: aioredis.Redis, *, scope: str, limit_10s: int = LIMIT_10S,
                 limit_1m: int = LIMIT_1M) -> None:
        self.scope = scope
        self.limit_10s = limit_10s
        self.limit_1m = limit_1m
        self._redis = redis
        self._reserve = redis.register_script(_RESERVE)
        self._observe = redis.register_script(_OBSERVE)
        self._backoff = redis.register_script(_BACKOFF)

    def key(self, credentials: Credentials) -> str:
        return f"binance:orders:{self.scope}:{credentials.fingerprint}"

    async def reserve(self, credentials: Credentials, counts: tuple[int, int]) -> None:
        """Count one order write, or raise `NotSentError` (over a limit, after a -1015, Redis down)."""
        try:
            reason, wait_ms, used10, used1m = await self._reserve(
                keys=[self.key(credentials)], args=[counts[0], counts[1], self.limit_10s, self.limit_1m, 1])
        except RedisError as exc:
            raise NotSentError(f"order budget unavailable ({exc}); not sent") from exc
        if reason:
            raise NotSentError(
                f"order budget: {REFUSALS[reason]} (used {used10}/{self.limit_10s} in 10 s, "
                f"{used1m}/{self.limit_1m} in 1 min); not sent, budget frees in {wait_ms / 1000:.1f} s")

    async def observe(self, credentials: Credentials, count_10s: int | None, count_1m: int | None) -> None:
        """Record `X-MBX-ORDER-COUNT-10S` / `-1M` from an order answer."""
        if count_10s is None and count_1m is None:
            return
        await self._observe(keys=[self.key(credentials)],
                            args=[-1 if count_10s is None else count_10s, -1 if count_1m is None else count_1m])

    async def too_many(self, credentials: Credentials, retry_after_s: float | None) -> int:
        """A -1015 arrived: no order of this key leaves for `retry_after_s`. Returns until (ms)."""
        delay_s = DEFAULT_BACKOFF_S if retry_after_s is None else retry_after_s
        return int(await self._backoff(keys=[self.key(credentials)], args=[int(delay_s * 1000)]))

    async def state(self, credentials: Credentials) -> OrderBudgetState:
        _, wait_ms, used10, used1m = await self._reserve(
            keys=[self.key(credentials)], args=[1, 1, self.limit_10s, self.limit_1m, 0])
        return OrderBudgetState(used_10s=int(used10), used_1m=int(used1m), limit_10s=self.limit_10s,
                                limit_1m=self.limit_1m, refused_for_ms=int(wait_ms))

    async def reset(self, credentials: Credentials) -> None:
        """Forget this key's counts and backoff (tests and operators only)."""
        await self._redis.delete(self.key(credentials))
