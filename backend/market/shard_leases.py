"""Shards of the stream universe held by leases in Redis, and the fenced publish of their candles.

Several `stream_market` processes share the universe: each symbol belongs to shard
`crc32(symbol) % S` (stable across processes and restarts, unlike `hash()`), and each shard is
streamed by the one process holding its lease.

* Lease: key `market:shards:<S>:<n>`, value `<owner>|<token>`, taken with `SET NX PX ttl` and
  renewed (compare-and-set) every `ttl/5`; a holder that dies stops renewing and the key expires,
  so another process takes the shard within `ttl` + one tick. `token` comes from `INCR
  market:shards:fence`: every taking of a shard has a new, larger token.
* Fencing: a holder may stall (GC, a paused VM) past its lease and wake up still holding candles.
  Its events are published by `FENCED_PUBLISH`, a Lua script that adds them only while the lease
  still holds this very `<owner>|<token>`; a holder whose lease is gone publishes nothing.
* Exactly once in `market:candles`: the same script adds a candle only if its open time is after
  the stream's resume point (`market:candles:last`), and moves that point in the same atomic step.
  The taker of a shard reads the resume points when it takes it, so its sequencer backfills from
  the candle after the last published one: nothing missed; the check above makes a candle that
  both the old and the new holder deliver appear once. The candle store is an upsert keyed by
  (market, symbol, interval, open time) of the exchange's values, so a second write is harmless.
* Membership: each process beats in the sorted set `market:streams:members` (score = expiry);
  each holds at most ceil(S / live processes) shards, so a new process gets its share, and the
  survivors of a dead one take its shards.
"""
from __future__ import annotations

import math
import time
import zlib
from dataclasses import dataclass, field

import redis

from market.binance.schemas import Candle
from market.candle_events import LAST_KEY, STREAM_KEY, candle_event_fields

MEMBERS_KEY = "market:streams:members"

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS: lease, stream, last. ARGV: lease value, maxlen, field count, then per candle:
# "SYMBOL:interval", open time, and `field count` alternating names and values.
FENCED_PUBLISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE_LOST')
end
local maxlen, width = ARGV[2], tonumber(ARGV[3])
local ids, i = {}, 4
while i <= #ARGV do
  local stream, open_time = ARGV[i], tonumber(ARGV[i + 1])
  local fields = {}
  for j = 1, width do fields[j] = ARGV[i + 1 + j] end
  local last = tonumber(redis.call('HGET', KEYS[3], stream) or '-1')
  if open_time > last then
    ids[#ids + 1] = redis.call('XADD', KEYS[2], 'MAXLEN', '~', maxlen, '*', unpack(fields))
    redis.call('HSET', KEYS[3], stream, ARGV[i + 1])
  end
  i = i + 2 + width
end
return ids
"""


class LeaseLost(Exception):
    """The shard's lease is no longer this holder's: its candles belong to the new holder."""


def shard_of(symbol: str, shards: int) -> int:
    return zlib.crc32(symbol.encode()) % shards


def shard_symbols(symbols: list[str], shard: int, shards: int) -> list[str]:
    """The symbols of `shard`, in the universe's order."""
    return [s for s in symbols if shard_of(s, shards) == shard]


def shard_target(shards: int, members: int) -> int:
    """How many shards one process holds at most when `members` processes are alive."""
    return math.ceil(shards / max(1, members))


@dataclass(frozen=True)
class Rebalance:
    """What one `ShardLeases.rebalance` decided; the caller starts and stops the shards."""

    lost: list[int] = field(default_factory=list)  # renewal failed: stop, do not release
    give_back: int | None = None  # one shard above this process's share: stop it, then release
    taken: dict[int, str] = field(default_factory=dict)  # shard -> its new lease value: start


class ShardLeases:
    """The leases of one process (`owner`) on the S shards of the universe."""

    def __init__(self, client: redis.Redis, *, owner: str, shards: int, ttl_ms: int = 15_000,
                 namespace: str = "market", members_key: str = MEMBERS_KEY) -> None:
        """`namespace` prefixes the lease and fence keys, `members_key` is the membership set: the
        defaults are the stream processes'; another sharded process (the strategy engine) gives its own."""
        if shards < 1:
            raise ValueError(f"shards must be >= 1, got {shards}")
        self.client = client
        self.namespace, self.members_key = namespace, members_key
        self.owner = owner
        self.shards = shards
        self.ttl_ms = ttl_ms
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._publish = client.register_script(FENCED_PUBLISH)

    def candidates(self, held) -> list[int]:
        """The shards not in `held`, in the order this process tries to take them: from an offset
        of its own, so processes starting together spread over the shards."""
        offset = int.from_bytes(self.owner.encode()[-4:], "big") % self.shards
        order = [(offset + i) % self.shards for i in range(self.shards)]
        return [n for n in order if n not in held]

    def key(self, shard: int) -> str:
        return f"{self.namespace}:shards:{self.shards}:{shard}"

    def rebalance(self, held: dict[int, str], *, balance: bool = True) -> Rebalance:
        """One step of every sharded process: beat, renew the leases `held` (shard -> lease value),
        then (if `balance`) give back one shard above this process's share of ceil(S / live
        processes), or take free ones up to it. A Redis error while beating or renewing is
        raised (the caller keeps what it serves); one while taking ends the taking."""
        members = self.beat()
        lost = [number for number, value in held.items() if not self.renew(number, value)]
        kept = [number for number in held if number not in lost]
        target = shard_target(self.shards, members)
        if not balance:
            return Rebalance(lost)
        if len(kept) > target:
            return Rebalance(lost, give_back=max(kept))
        taken: dict[int, str] = {}
        for number in self.candidates(held):
            if len(kept) + len(taken) >= target:
                break
            try:
                value = self.acquire(number)
            except redis.RedisError:
                break
            if value is not None:
                taken[number] = value
        return Rebalance(lost, taken=taken)

    def acquire(self, shard: int) -> str | None:
        """Take the shard if nobody holds it: the lease value (`owner|token`), else None."""
        if self.client.exists(self.key(shard)):
            return None
        value = f"{self.owner}|{self.client.incr(f'{self.namespace}:shards:fence')}"
        return value if self.client.set(self.key(shard), value, nx=True, px=self.ttl_ms) else None

    def renew(self, shard: int, value: str) -> bool:
        return bool(self._renew(keys=[self.key(shard)], args=[value, self.ttl_ms]))

    def release(self, shard: int, value: str) -> bool:
        return bool(self._release(keys=[self.key(shard)], args=[value]))

    def holder(self, shard: int) -> str | None:
        raw = self.client.get(self.key(shard))
        return None if raw is None else raw.decode()

    def beat(self) -> int:
        """Mark this process alive for one ttl; the number of live processes (this one included)."""
        now = int(time.time() * 1000)
        pipe = self.client.pipeline(transaction=True)
        pipe.zadd(self.members_key, {self.owner: now + self.ttl_ms})
        pipe.zremrangebyscore(self.members_key, "-inf", now)
        pipe.zcard(self.members_key)
        return int(pipe.execute()[-1])

    def leave(self) -> None:
        self.client.zrem(self.members_key, self.owner)

    def members(self) -> list[str]:
        now = int(time.time() * 1000)
        return [m.decode() for m in self.client.zrangebyscore(self.members_key, now, "+inf")]

    def publish(self, shard: int, value: str, items: list[tuple[Candle, str]], *, market: str,
                maxlen: int) -> list[str]:
        """XADD the candles not yet published and move the resume points, if the lease still holds
        `value`; raises LeaseLost otherwise. Returns the ids of the entries added."""
        if not items:
            return []
        width = 0
        args: list = [value, maxlen, 0]
        for candle, source in items:
            fields = candle_event_fields(candle, source=source, market=market)
            width = 2 * len(fields)
            args.append(f"{candle.symbol}:{candle.interval}")
            args.append(candle.open_time)
            for name, field_value in fields.items():
                args.extend((name, field_value))
        args[2] = width
        try:
            ids = self._publish(keys=[self.key(shard), STREAM_KEY, LAST_KEY], args=args)
        except redis.exceptions.ResponseError as exc:
            if "LEASE_LOST" in str(exc):
                raise LeaseLost(f"shard {shard}: lease {value} lost") from None
            raise
        return [i.decode() if isinstance(i, bytes) else i for i in ids]
