"""Shard leases in Redis (market/shard_leases.py), on a throwaway Redis server: the stable hash,
taking, renewing and losing a lease, and the fenced publish that adds each candle once."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from market.binance.schemas import Candle
from market.candle_events import LAST_KEY, candle_events_read, candle_resume_points
from market.shard_leases import MEMBERS_KEY, LeaseLost, ShardLeases, shard_of, shard_symbols, shard_target

BACKEND_DIR = Path(__file__).resolve().parents[2]
STEP = 300_000
T0 = 1_769_385_600_000


def _candle(symbol: str, n: int) -> Candle:
    open_time = T0 + n * STEP
    return Candle(symbol, "5m", open_time, open_time + STEP - 1, "10.0", "11.0", "9.5", "10.5", "100", "1050", 7,
                  "40", "420")


@pytest.fixture
def client(redis_server):
    c = redis.Redis.from_url(redis_server.url)
    yield c
    c.flushdb()


def test_the_shard_of_a_symbol_is_the_crc32_of_its_name():
    # CRC-32's published check value: crc32(b"123456789") = 0xCBF43926 = 3421780262.
    assert shard_of("123456789", 1000) == 262
    assert shard_of("123456789", 1) == 0


def test_the_shard_of_a_symbol_is_the_same_in_every_process():
    symbols = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "DOGEUSDT", "X0001USDT"]
    code = f"from market.shard_leases import shard_of; print([shard_of(s, 7) for s in {symbols!r}])"
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              cwd=BACKEND_DIR, env={"PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2, 3)}
    assert outputs == {f"{[shard_of(s, 7) for s in symbols]}\n"}


def test_every_symbol_is_in_exactly_one_shard_and_the_share_is_rounded_up():
    symbols = [f"X{i:04d}USDT" for i in range(1000)]
    parts = [shard_symbols(symbols, n, 8) for n in range(8)]
    assert sorted(s for part in parts for s in part) == sorted(symbols)
    assert all(90 <= len(part) <= 160 for part in parts)  # crc32 spreads them (1000 / 8 = 125)
    assert [shard_target(8, m) for m in (0, 1, 2, 3, 8, 9)] == [8, 8, 4, 3, 1, 1]


def test_a_lease_is_held_by_one_process_until_it_expires(client):
    a = ShardLeases(client, owner="a", shards=4, ttl_ms=300)
    b = ShardLeases(client, owner="b", shards=4, ttl_ms=300)
    lease_a = a.acquire(2)
    assert lease_a is not None and lease_a.startswith("a|")
    assert b.acquire(2) is None and a.acquire(2) is None
    assert a.acquire(3) is not None  # another shard is free
    assert a.renew(2, lease_a)
    time.sleep(0.45)  # a stops renewing: the lease expires
    lease_b = b.acquire(2)
    assert lease_b is not None and int(lease_b.split("|")[1]) > int(lease_a.split("|")[1])  # a newer token
    assert not a.renew(2, lease_a)  # a learns it lost the shard
    assert not a.release(2, lease_a) and b.holder(2) == lease_b  # and cannot take it from b
    assert b.release(2, lease_b) and b.holder(2) is None


def test_members_are_counted_while_they_beat(client):
    a = ShardLeases(client, owner="a", shards=4, ttl_ms=300)
    b = ShardLeases(client, owner="b", shards=4, ttl_ms=300)
    assert a.beat() == 1 and b.beat() == 2
    time.sleep(0.45)
    assert a.beat() == 1  # b stopped beating
    a.leave()
    assert client.zcard(MEMBERS_KEY) == 0


def test_the_fenced_publish_adds_each_candle_once_and_only_for_the_holder(client):
    old = ShardLeases(client, owner="old", shards=2, ttl_ms=200)
    new = ShardLeases(client, owner="new", shards=2, ttl_ms=10_000)
    lease_old = old.acquire(0)
    assert len(old.publish(0, lease_old, [(_candle("ETHUSDT", n), "stream") for n in range(3)], market="usdm",
                           maxlen=1000)) == 3
    time.sleep(0.3)
    lease_new = new.acquire(0)
    with pytest.raises(LeaseLost):  # the old holder wakes up with candles 3 and 4: nothing is added
        old.publish(0, lease_old, [(_candle("ETHUSDT", 3), "stream"), (_candle("ETHUSDT", 4), "stream")],
                    market="usdm", maxlen=1000)
    # The new holder resumed after candle 2 but its backfill overlaps what was already published.
    added = new.publish(0, lease_new, [(_candle("ETHUSDT", n), "backfill") for n in (1, 2, 3, 4)], market="usdm",
                        maxlen=1000)
    assert len(added) == 2
    added = new.publish(0, lease_new, [(_candle("ETHUSDT", 4), "stream"), (_candle("ETHUSDT", 5), "stream"),
                                       (_candle("SOLUSDT", 0), "stream")], market="usdm", maxlen=1000)
    assert len(added) == 2
    events = candle_events_read(client, count=100)
    assert [(e.candle.symbol, (e.candle.open_time - T0) // STEP) for e in events] == [
        ("ETHUSDT", 0), ("ETHUSDT", 1), ("ETHUSDT", 2), ("ETHUSDT", 3), ("ETHUSDT", 4), ("ETHUSDT", 5),
        ("SOLUSDT", 0)]
    assert [e.source for e in events][3:5] == ["backfill", "backfill"]
    assert events[0].candle == _candle("ETHUSDT", 0) and events[0].market == "usdm"  # the fields survive the script
    assert candle_resume_points(client) == {("ETHUSDT", "5m"): T0 + 5 * STEP, ("SOLUSDT", "5m"): T0}
    assert client.type(LAST_KEY) == b"hash"


def test_candidates_are_the_shards_not_held_from_an_offset_of_the_owner(client):
    a = ShardLeases(client, owner="host:1", shards=8)
    b = ShardLeases(client, owner="host:2", shards=8)
    assert sorted(a.candidates(set())) == list(range(8))
    first = a.candidates(set())[0]
    assert a.candidates(set()) == [(first + i) % 8 for i in range(8)]  # one turn round from the offset
    assert b.candidates(set())[0] != first  # processes starting together try different shards first
    assert a.candidates({first, 3}) == [n for n in a.candidates(set()) if n not in (first, 3)]


def test_another_namespace_has_leases_and_members_of_its_own(client):
    market = ShardLeases(client, owner="p1", shards=2)
    engine = ShardLeases(client, owner="p1", shards=2, namespace="strategies:x", members_key="strategies:x:members")
    assert market.acquire(0) is not None and engine.acquire(0) is not None  # the same shard number, two leases
    assert engine.key(0) == "strategies:x:shards:2:0" and market.key(0) == "market:shards:2:0"
    assert engine.beat() == 1 and client.zcard("strategies:x:members") == 1 and client.zcard(MEMBERS_KEY) == 0


def test_rebalance_takes_a_share_gives_back_above_it_and_reports_a_lost_lease(client):
    a = ShardLeases(client, owner="host:1", shards=4)
    b = ShardLeases(client, owner="host:2", shards=4)
    held_a = a.rebalance({}).taken  # alone: every shard
    assert sorted(held_a) == [0, 1, 2, 3] and not a.rebalance(held_a).taken
    assert b.rebalance({}).taken == {}  # two members now, every shard held: nothing free
    plan = a.rebalance(held_a)  # a's share is 2: it gives back one shard a tick
    assert plan.lost == [] and plan.give_back == 3 and plan.taken == {}
    a.release(3, held_a.pop(3))
    assert list(b.rebalance({}).taken) == [3]
    plan = a.rebalance(held_a)
    assert plan.give_back == 2 and a.rebalance({n: v for n, v in held_a.items() if n != 2}).give_back is None
    client.delete(a.key(0))  # expired while a was stalled
    assert a.rebalance(held_a).lost == [0]
    assert a.rebalance(held_a, balance=False) == type(plan)(lost=[0])  # nothing taken or given back
