"""Two real `stream_market --shards 4` processes share the universe; one is killed with SIGKILL
while candles keep closing; the other takes its shards over within 30 s and, from the resume
points, sends what was missed: every candle of the window is in the store once and in
`market:candles` once, in order."""
from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
import redis
from asgiref.sync import sync_to_async
from django.db import connection, connections

from common.testing import database_url_of
from market import selectors
from market.candle_events import candle_events_read
from market.models import Symbol
from market.shard_leases import shard_of
from sandbox.control import step

BACKEND_DIR = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
STEP_5M = 300_000
SHARDS = 4
SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "BNBUSDT", "DOGEUSDT", "ADAUSDT", "LINKUSDT"]
SEED = 3


@pytest.fixture(autouse=True)
async def _close_thread_connections():
    yield
    await sync_to_async(connections.close_all)()


def _set_universe(symbols: list[str]) -> None:
    Symbol.objects.update(in_universe=False, rank=None)
    for rank, name in enumerate(symbols, start=1):
        Symbol.objects.update_or_create(symbol=name, defaults=dict(
            base=name.removesuffix("USDT"), quote="USDT", status="TRADING", contract_type="PERPETUAL",
            tick_size="0.01", step_size="0.001", min_notional="5", in_universe=True, rank=rank))


async def _start(base_url: str, redis_url: str) -> asyncio.subprocess.Process:
    env = dict(os.environ, DATABASE_URL=database_url_of(connection.settings_dict), REDIS_URL=redis_url,
               DJANGO_SETTINGS_MODULE="config.settings.test", BINANCE_ENV="sandbox", BINANCE_SANDBOX_URL=base_url,
               MARKET_STREAM_INTERVALS="5m", MARKET_STREAM_SEED_CANDLES=str(SEED), MARKET_STREAM_STALL_S="2")
    # The default lease (15 s): the takeover below is timed against the real setting.
    return await asyncio.create_subprocess_exec(
        sys.executable, "manage.py", "stream_market", "--shards", str(SHARDS), "--universe-poll", "0.3",
        "--status-interval", "0.3", cwd=BACKEND_DIR, env=env)


async def _wait_for(condition, timeout: float = 40.0, what: str = "condition") -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)
    return time.monotonic() - started


def _holders(client: redis.Redis) -> dict[int, int]:
    """shard -> pid of the process holding its lease (owner is host:pid:nonce|token)."""
    holders = {}
    for n in range(SHARDS):
        raw = client.get(f"market:shards:{SHARDS}:{n}")
        if raw is not None:
            holders[n] = int(raw.decode().split("|")[0].split(":")[1])
    return holders


async def test_a_killed_stream_process_s_shards_are_taken_over_with_no_candle_missed_or_doubled(
        sandbox, redis_server):
    base_url, app = sandbox
    client = redis.Redis.from_url(redis_server.url)
    events = []

    def caught_up() -> bool:
        events.extend(candle_events_read(client, after_id=events[-1].id if events else "0-0", count=10_000))
        last = {e.candle.symbol: e.candle.open_time for e in events}
        now = app["market"].now_ms()
        return all(last.get(s) == now // STEP_5M * STEP_5M - STEP_5M for s in SYMBOLS)

    assert len({shard_of(s, SHARDS) for s in SYMBOLS}) == SHARDS  # every shard has symbols
    await sync_to_async(_set_universe)(SYMBOLS)
    first = await _start(base_url, redis_server.url)
    second = None
    steps = 0
    try:
        await _wait_for(lambda: len(_holders(client)) == SHARDS and caught_up(), what="the first process")
        assert set(_holders(client).values()) == {first.pid}  # alone, it holds every shard
        second = await _start(base_url, redis_server.url)
        await _wait_for(lambda: sorted(_holders(client).values()) == sorted([first.pid] * 2 + [second.pid] * 2),
                        what="the shards shared 2 and 2")
        for _ in range(3):
            step(app, STEP_5M)
            steps += 1
            await asyncio.sleep(0.3)
        await _wait_for(caught_up, what="both processes streaming")

        first.send_signal(signal.SIGKILL)
        await first.wait()
        for _ in range(4):  # candles close while the killed process's shards have no holder
            step(app, STEP_5M)
            steps += 1
            await asyncio.sleep(0.5)
        took = await _wait_for(lambda: set(_holders(client).values()) == {second.pid}, timeout=30,
                               what="the takeover of the killed process's shards")
        await _wait_for(caught_up, what="the survivor catching up")
        for _ in range(2):
            step(app, STEP_5M)
            steps += 1
            await asyncio.sleep(0.3)
        await _wait_for(caught_up, what="the survivor streaming every shard")
        await asyncio.sleep(1.0)  # anything late would show up as a duplicate now
        caught_up()
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), timeout=20)
    print(f"shards taken over {took:.1f} s after the kill")

    per_stream = defaultdict(list)
    for e in events:
        per_stream[e.candle.symbol].append(e.candle.open_time)
    assert set(per_stream) == set(SYMBOLS)
    stored = await sync_to_async(selectors.candles_last)(SYMBOLS, "5m", 100)
    for symbol, times in per_stream.items():
        assert len(times) == len(set(times)), (symbol, "doubled in market:candles")
        assert all(b - a == STEP_5M for a, b in zip(times, times[1:])), (symbol, "missed", times)
        assert len(times) == SEED + steps, symbol
        assert stored[symbol].open_time.tolist() == times, symbol  # the store holds each once, the same ones
