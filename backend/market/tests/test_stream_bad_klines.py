"""Bad exchange klines quarantined by the real stream process (sandbox `ws_bad_kline` fault).

For each variant the sandbox corrupts every kline frame while one 5m candle closes; then the
fault is cleared and the clock moves on. The stream process must skip the bad frames (never
store them, never retry them), keep running, and fill the hole with the real candle over REST:
every stream's open times stay contiguous, each once, none ahead of the exchange clock, and the
stored values are the sandbox's own (its REST klines, read independently here).
"""
from __future__ import annotations

import asyncio
from collections import defaultdict

import aiohttp
import orjson
import pytest
import redis
from asgiref.sync import sync_to_async

from market import selectors
from market.candle_events import candle_events_read
from market.tests.test_stream_market_command import (
    STEP_5M, _close_thread_connections, _expected_last, _set_universe, _start, _stop, _wait_for,  # noqa: F401
)
from sandbox.control import step

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SYMBOLS = ["BTCUSDT", "ETHUSDT"]


async def _sandbox_klines(base_url: str, symbol: str) -> dict[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base_url}/fapi/v1/klines", params={"symbol": symbol, "interval": "5m",
                                                                   "limit": 100}) as response:
            rows = orjson.loads(await response.read())
    return {int(r[0]): r[4] for r in rows}


@pytest.mark.parametrize("variant", ["null_open", "high_below_low", "future_open_time", "misaligned_open_time"])
async def test_bad_klines_are_skipped_and_the_real_candle_backfilled(sandbox, redis_server, variant):
    base_url, app = sandbox
    events_redis = redis.Redis.from_url(redis_server.url)
    events = []

    def last_per_stream() -> dict:
        after = events[-1].id if events else "0-0"
        events.extend(candle_events_read(events_redis, after_id=after, count=10_000))
        return {(e.candle.symbol, e.candle.interval): e.candle.open_time for e in events}

    def caught_up() -> bool:
        last = last_per_stream()
        return all(last.get((s, "5m")) == _expected_last(app, STEP_5M) for s in SYMBOLS)

    await sync_to_async(_set_universe)(SYMBOLS)
    process = await _start(base_url, redis_server.url)
    try:
        await _wait_for(caught_up)
        fault = app["faults"].add(kind="ws_bad_kline", variant=variant)
        step(app, STEP_5M)
        await _wait_for(lambda: fault.hits >= len(SYMBOLS))
        await asyncio.sleep(0.5)
        app["faults"].clear()
        for _ in range(2):
            step(app, STEP_5M)
            await asyncio.sleep(0.2)
        await _wait_for(caught_up)
        assert process.returncode is None  # the bad frames did not stop it
        exchange_now = app["market"].now_ms()
    finally:
        if process.returncode is None:
            await _stop(process)

    per_stream = defaultdict(list)
    for e in events:
        assert e.candle.open_time <= exchange_now  # nothing from the future was published
        per_stream[(e.candle.symbol, e.candle.interval)].append(e.candle.open_time)
    for symbol in SYMBOLS:
        times = per_stream[(symbol, "5m")]
        assert all(b - a == STEP_5M for a, b in zip(times, times[1:])), (symbol, times)
        assert all(t % STEP_5M == 0 for t in times)
        real = await _sandbox_klines(base_url, symbol)
        stored = await sync_to_async(selectors.candles_last)([symbol], "5m", 100)
        open_times = stored[symbol].open_time.tolist()
        assert open_times == times  # the store holds exactly what was published
        assert max(open_times) <= exchange_now
        for open_time, close in zip(open_times, stored[symbol].close.tolist()):
            assert close == float(real[open_time])  # the sandbox's real candle, not the corrupted frame
