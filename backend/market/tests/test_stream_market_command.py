"""`manage.py stream_market` as its own process: sandbox streams -> candle store + Redis events,
through a drop, a universe change and a restart, every closed candle exactly once and in order."""
from __future__ import annotations

import asyncio
import json
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
from market.candle_events import STATUS_KEY, candle_events_read
from market.models import Symbol
from sandbox.control import step

BACKEND_DIR = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
STEP_5M = 300_000


@pytest.fixture(autouse=True)
async def _close_thread_connections():
    """The ORM calls below run in asgiref's shared thread; close its connection afterwards so
    later tests without database access do not find it open."""
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
               MARKET_STREAM_INTERVALS="5m,15m", MARKET_STREAM_SEED_CANDLES="3", MARKET_STREAM_STALL_S="2")
    return await asyncio.create_subprocess_exec(
        sys.executable, "manage.py", "stream_market", "--universe-poll", "0.3", "--status-interval", "0.3",
        cwd=BACKEND_DIR, env=env)


async def _stop(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), timeout=20) == 0


async def _wait_for(condition, timeout: float = 25.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


def _expected_last(app, interval_ms: int) -> int:
    now = app["market"].now_ms()
    return now // interval_ms * interval_ms - interval_ms


async def test_the_stream_process_publishes_every_closed_candle_once(sandbox, redis_server):
    base_url, app = sandbox
    events_redis = redis.Redis.from_url(redis_server.url)
    events = []

    def read_new() -> dict:
        after = events[-1].id if events else "0-0"
        events.extend(candle_events_read(events_redis, after_id=after, count=10_000))
        last = {}
        for e in events:
            last[(e.candle.symbol, e.candle.interval)] = e.candle.open_time
        return last

    def caught_up(symbols) -> bool:
        last = read_new()
        return all(last.get((s, i)) == _expected_last(app, ms)
                   for s in symbols for i, ms in (("5m", STEP_5M), ("15m", 3 * STEP_5M)))

    await sync_to_async(_set_universe)(["BTCUSDT", "ETHUSDT", "SOLUSDT"])
    process = await _start(base_url, redis_server.url)
    try:
        await _wait_for(lambda: caught_up(["BTCUSDT", "ETHUSDT", "SOLUSDT"]))
        for n in range(8):
            step(app, STEP_5M)
            if n == 3:
                app["faults"].add(kind="ws_drop")
            await asyncio.sleep(0.15)
        await sync_to_async(_set_universe)(["ETHUSDT", "SOLUSDT", "XRPUSDT"])  # BTC leaves, XRP joins
        await asyncio.sleep(1.0)
        step(app, STEP_5M)
        await _wait_for(lambda: caught_up(["ETHUSDT", "SOLUSDT", "XRPUSDT"]))
        await _stop(process)

        for _ in range(5):  # candles close while the process is down
            step(app, STEP_5M)
        process = await _start(base_url, redis_server.url)
        await _wait_for(lambda: caught_up(["ETHUSDT", "SOLUSDT", "XRPUSDT"]))
        await asyncio.sleep(0.5)
        status = json.loads(events_redis.get(STATUS_KEY))  # the heartbeat the scanner status reads
    finally:
        if process.returncode is None:
            await _stop(process)

    assert status["connections"] == 1 and status["symbols"] == 3 and status["delivered"] > 0

    per_stream = defaultdict(list)
    for e in events:
        per_stream[(e.candle.symbol, e.candle.interval)].append(e.candle.open_time)
    for (symbol, interval), times in per_stream.items():
        step_ms = STEP_5M if interval == "5m" else 3 * STEP_5M
        assert all(b - a == step_ms for a, b in zip(times, times[1:])), (symbol, interval, times)
    assert len(per_stream[("ETHUSDT", "5m")]) == 3 + 9 + 5  # seed + closes while up + closes while down
    assert len(per_stream[("XRPUSDT", "5m")]) >= 3  # seeded when it joined
    assert per_stream[("BTCUSDT", "5m")][-1] < _expected_last(app, STEP_5M)  # no BTC after it left
    assert {e.source for e in events} == {"stream", "backfill"}

    # The store holds what was published, with the same values.
    stored = await sync_to_async(selectors.candles_last)(["ETHUSDT"], "5m", 100)
    eth = [e.candle for e in events if e.candle.symbol == "ETHUSDT" and e.candle.interval == "5m"]
    assert stored["ETHUSDT"].open_time.tolist() == [c.open_time for c in eth]
    assert stored["ETHUSDT"].close.tolist() == [float(c.close) for c in eth]
