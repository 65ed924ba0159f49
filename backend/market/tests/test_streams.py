"""The stream manager against the sandbox: drops, stalls, 24 h cuts, restarts and universe changes,
with the sandbox clock stepped fast; every closed candle must arrive exactly once and in order."""
from __future__ import annotations

import asyncio
import time
from collections import defaultdict

import orjson
import pytest

from market.binance.schemas import INTERVAL_MS, Candle
from market.binance.streams import KlineStreamManager, StreamOptions
from sandbox.control import step

pytestmark = pytest.mark.slow

SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "DOGEUSDT"]
INTERVALS = ["5m", "15m"]
FIVE_MINUTES = 300_000


class Harness:
    def __init__(self, client, app, **options):
        self.app = app
        self.client = client
        self.options = StreamOptions(**options)
        self.delivered: list[tuple[Candle, str]] = []
        self.manager: KlineStreamManager | None = None
        self.task: asyncio.Task | None = None

    async def deliver(self, batch):
        self.delivered.extend(batch)

    async def start(self, symbols=SYMBOLS, intervals=INTERVALS, resume=None):
        self.manager = KlineStreamManager(self.client, self.deliver, options=self.options, resume=resume)
        self.task = asyncio.create_task(self.manager.run())
        await self.manager.set_universe(symbols, intervals)

    async def stop(self):
        self.manager.stop()
        await self.task

    async def wait_connected(self, count: int, timeout: float = 5.0) -> float:
        started = time.monotonic()
        while self.manager.connections() < count:
            assert time.monotonic() - started < timeout, f"only {self.manager.connections()} of {count} connected"
            await asyncio.sleep(0.02)
        return time.monotonic() - started

    async def settle(self, expected_last: dict, timeout: float = 20.0) -> None:
        """Wait until every stream has delivered up to the candle the exchange last closed."""
        started = time.monotonic()
        while True:
            last = self.last_delivered()
            if all(last.get(k) == v for k, v in expected_last.items()) and not self.manager.sequencer.busy():
                return
            assert time.monotonic() - started < timeout, {k: (last.get(k), v) for k, v in expected_last.items()
                                                        if last.get(k) != v}
            await asyncio.sleep(0.05)

    def by_stream(self) -> dict[tuple[str, str], list[Candle]]:
        out = defaultdict(list)
        for candle, _ in self.delivered:
            out[(candle.symbol, candle.interval)].append(candle)
        return out

    def last_delivered(self) -> dict:
        return {k: v[-1].open_time for k, v in self.by_stream().items()}


def expected_last(app, symbols=SYMBOLS, intervals=INTERVALS) -> dict:
    now = app["market"].now_ms()
    return {(s, i): now // INTERVAL_MS[i] * INTERVAL_MS[i] - INTERVAL_MS[i] for s in symbols for i in intervals}


async def assert_exactly_once_in_order(harness: Harness, client, first_open: dict | None = None) -> None:
    for (symbol, interval), candles in harness.by_stream().items():
        times = [c.open_time for c in candles]
        step_ms = INTERVAL_MS[interval]
        assert all(b - a == step_ms for a, b in zip(times, times[1:])), (symbol, interval, times)
        if first_open is not None:
            assert times[0] == first_open[(symbol, interval)]
        # Values are the exchange's own: compare with a REST fetch of the same range.
        raw = await client.get(client.venue.path("klines"), {"symbol": symbol, "interval": interval,
                                                             "startTime": times[0], "endTime": times[-1],
                                                             "limit": 1000})
        rest = orjson.loads(raw)
        assert [(r[0], r[4], r[5]) for r in rest] == [(c.open_time, c.close, c.volume) for c in candles]


async def step_candles(app, count: int, pause: float = 0.05) -> None:
    for _ in range(count):
        step(app, FIVE_MINUTES)
        await asyncio.sleep(pause)


async def test_drop_and_stall_reconnect_within_5_s_and_lose_no_candle(sandbox, make_client):
    base_url, app = sandbox
    client = await make_client(base_url)
    h = Harness(client, app, streams_per_connection=4, stall_s=1.0, seed=3, audit_s=30)
    await h.start()
    await h.wait_connected(3)  # 10 streams in shards of 4
    # The seed (the 3 last closed candles) is fetched over REST once the streams are up: wait for it
    # before the clock moves, or a slow seed starts from a later candle than the one counted here.
    await h.settle(expected_last(app))
    first = {k: v - 2 * INTERVAL_MS[k[1]] for k, v in expected_last(app).items()}
    await step_candles(app, 6)

    app["faults"].add(kind="ws_drop")  # TCP abort of every connection
    dropped_at = time.monotonic()
    await step_candles(app, 4, pause=0.01)  # candles close while we are away
    await h.wait_connected(3)
    assert max(t for _, t in h.manager.stats.connect_log) - dropped_at < 5.0
    await step_candles(app, 6)

    app["faults"].add(kind="ws_stall", seconds=2.5)  # open but silent
    stalled_at = time.monotonic()
    await step_candles(app, 5, pause=0.1)
    await asyncio.sleep(1.5)
    for shard in range(3):  # each connection noticed the silence and was replaced within 5 s
        back = [t for s, t in h.manager.stats.connect_log if s == shard and t > stalled_at]
        assert back and back[0] - stalled_at < 5.0
    await step_candles(app, 6)

    await h.settle(expected_last(app))
    await h.stop()
    assert h.manager.stats.reconnects["closed"] >= 3 and h.manager.stats.reconnects["stalled"] >= 3
    assert max(h.manager.stats.reconnect_delays()) < 5.0
    assert h.manager.sequencer.stats.backfilled > 0  # the gaps were filled over REST
    await assert_exactly_once_in_order(h, client, first)


async def test_the_24h_cut_and_the_planned_reconnect_lose_no_candle(sandbox_factory, make_client):
    base_url, app = await sandbox_factory(ws_cut_seconds=1.5)  # "24 h" shortened to 1.5 s
    client = await make_client(base_url)
    cut = Harness(client, app, streams_per_connection=5, seed=2)
    await cut.start()
    await cut.wait_connected(2)
    for _ in range(4):
        await step_candles(app, 6, pause=0.1)
    await cut.settle(expected_last(app))
    await cut.stop()
    assert cut.manager.stats.reconnects["closed"] >= 2
    assert max(cut.manager.stats.reconnect_delays()) < 5.0
    await assert_exactly_once_in_order(cut, client)

    planned = Harness(client, app, streams_per_connection=5, seed=2, max_age_s=0.7)
    await planned.start()
    await planned.wait_connected(2)
    for _ in range(3):
        await step_candles(app, 6, pause=0.1)
    await planned.settle(expected_last(app))
    await planned.stop()
    assert planned.manager.stats.reconnects["aged"] >= 2 and planned.manager.stats.reconnects["closed"] == 0
    assert max(planned.manager.stats.reconnect_delays()) < 5.0
    await assert_exactly_once_in_order(planned, client)


async def test_pings_are_answered_so_the_server_keeps_the_connection(sandbox_factory, make_client):
    base_url, app = await sandbox_factory(ping_interval=0.2, pong_timeout=0.5)
    client = await make_client(base_url)
    h = Harness(client, app, seed=0)
    await h.start(["BTCUSDT"], ["5m"])
    await h.wait_connected(1)
    await step_candles(app, 20, pause=0.1)
    await h.settle(expected_last(app, ["BTCUSDT"], ["5m"]))
    await h.stop()
    assert h.manager.stats.connects == 1 and not h.manager.stats.reconnects


async def test_a_restart_resumes_after_the_last_delivered_candle(sandbox, make_client):
    base_url, app = sandbox
    client = await make_client(base_url)
    before = Harness(client, app, seed=2)
    await before.start(SYMBOLS[:2], ["5m"])
    await step_candles(app, 3)
    await before.settle(expected_last(app, SYMBOLS[:2], ["5m"]))
    await before.stop()
    resume = before.last_delivered()

    await step_candles(app, 7, pause=0.01)  # the process is down for 7 candles
    after = Harness(client, app, seed=2)
    await after.start(SYMBOLS[:2], ["5m"], resume=resume)
    await step_candles(app, 2)
    await after.settle(expected_last(app, SYMBOLS[:2], ["5m"]))
    await after.stop()
    for key, candles in after.by_stream().items():
        assert candles[0].open_time == resume[key] + FIVE_MINUTES and len(candles) == 9
    await assert_exactly_once_in_order(after, client)


async def test_universe_changes_resubscribe_on_the_open_connection(sandbox, make_client):
    base_url, app = sandbox
    client = await make_client(base_url)
    h = Harness(client, app, seed=1, streams_per_connection=10)
    await h.start(SYMBOLS[:3], ["5m"])
    await h.wait_connected(1)
    await step_candles(app, 2)
    await h.manager.set_universe(SYMBOLS[1:], ["5m"])  # BTC leaves, XRP and DOGE join
    await asyncio.sleep(0.2)
    await step_candles(app, 3)
    await h.settle(expected_last(app, SYMBOLS[1:], ["5m"]))
    await h.stop()
    assert h.manager.stats.connects == 1 and h.manager.stats.control_frames_sent == 2
    btc_last = h.by_stream()[("BTCUSDT", "5m")][-1].open_time
    assert btc_last < expected_last(app, ["BTCUSDT"], ["5m"])[("BTCUSDT", "5m")]  # no more BTC after it left
    assert len(h.by_stream()[("XRPUSDT", "5m")]) == 4  # seed 1 + 3 new closes
    await assert_exactly_once_in_order(h, client)


async def test_subscribe_frames_stay_within_the_incoming_message_limit(sandbox, make_client):
    # 200 streams on one connection: 10 in the URL, 190 in 19 SUBSCRIBE frames. The sandbox closes
    # a connection that sends more than 10 messages in a second (USD-M's rule).
    base_url, app = sandbox
    client = await make_client(base_url)
    symbols = [s.symbol for s in (await client.market_data.exchange_info()).symbols]
    intervals = ["5m", "15m", "30m", "1h"]
    h = Harness(client, app, seed=0, streams_per_connection=1024, url_streams=10, params_per_frame=10)
    started = time.monotonic()
    await h.start(symbols, intervals)
    await h.wait_connected(1)
    while h.manager.stats.control_frames_sent < 19:
        await asyncio.sleep(0.05)
    assert time.monotonic() - started >= 3.0  # 5 frames per second at most
    await asyncio.sleep(0.3)
    step(app, 3_600_000)  # one hour: every stream closes at least one candle
    await h.settle(expected_last(app, symbols, intervals))
    await h.stop()
    assert h.manager.stats.connects == 1 and not h.manager.stats.reconnects
    assert len(h.by_stream()) == 200 and h.manager.sequencer.stats.backfilled == 0
