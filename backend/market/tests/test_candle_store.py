"""The candle store (PostgreSQL upserts, many-symbol reads into numpy) and the Redis event stream."""
from __future__ import annotations

import numpy as np
import pytest
import redis

from market import selectors, services
from market.binance.schemas import Candle
from market.candle_events import (
    LAST_KEY, STREAM_KEY, candle_events_publish, candle_events_read, candle_resume_points,
)
from market.models import Candle as StoredCandle

pytestmark = pytest.mark.django_db
T0 = 1_765_929_600_000
STEP = 300_000


def _candle(symbol: str, i: int, *, close: str | None = None, interval: str = "5m") -> Candle:
    price = 100 + i
    return Candle(symbol, interval, T0 + i * STEP, T0 + (i + 1) * STEP - 1, f"{price}.5", f"{price + 1}.25",
                  f"{price - 1}.75", close or f"{price}.125", "12.5", "1250.5", 40 + i, "6.25", "625.25")


def test_upsert_inserts_then_overwrites_by_symbol_interval_and_open_time():
    assert services.candles_upsert([_candle("BTCUSDT", i) for i in range(5)]) == 5
    assert services.candles_upsert([_candle("BTCUSDT", 4, close="999.5"), _candle("BTCUSDT", 4, close="999.5"),
                                    _candle("BTCUSDT", 5)]) == 2
    assert StoredCandle.objects.count() == 6
    assert StoredCandle.objects.get(open_time=T0 + 4 * STEP).close == 999.5


def test_last_n_of_many_symbols_as_numpy_arrays():
    services.candles_upsert([_candle(s, i) for s in ("BTCUSDT", "ETHUSDT") for i in range(10)]
                            + [_candle("SOLUSDT", i) for i in range(3)] + [_candle("BTCUSDT", 0, interval="1h")])
    got = selectors.candles_last(["BTCUSDT", "ETHUSDT", "SOLUSDT", "NOPEUSDT"], "5m", 4)
    assert set(got) == {"BTCUSDT", "ETHUSDT", "SOLUSDT"}
    btc = got["BTCUSDT"]
    assert btc.open_time.tolist() == [T0 + i * STEP for i in range(6, 10)]
    assert btc.close.tolist() == [106.125, 107.125, 108.125, 109.125]
    assert btc.open_time.dtype == np.int64 and btc.close.dtype == np.float64 and btc.close.dtype.isnative
    assert btc.trades.tolist() == [46, 47, 48, 49] and btc.taker_buy_quote[0] == 625.25
    assert len(got["SOLUSDT"]) == 3
    earlier = selectors.candles_last(["BTCUSDT"], "5m", 2, until_open_time=T0 + 3 * STEP)["BTCUSDT"]
    assert earlier.open_time.tolist() == [T0 + 2 * STEP, T0 + 3 * STEP]
    assert selectors.candles_resume_points()[("ETHUSDT", "5m")] == T0 + 9 * STEP


def test_prune_keeps_the_newest_per_stream():
    services.candles_upsert([_candle(s, i) for s in ("BTCUSDT", "ETHUSDT") for i in range(10)])
    assert services.candles_prune(keep=3) == 14
    assert selectors.candles_last(["BTCUSDT"], "5m", 10)["BTCUSDT"].open_time.tolist() == [
        T0 + i * STEP for i in range(7, 10)]


def test_reading_200_candles_of_400_symbols_gives_each_its_own_newest_rows():
    """The read a scan makes (its speed is measured by bench/bench_candle_store.py)."""
    symbols = [f"S{n:03d}USDT" for n in range(400)]
    for chunk in range(0, 400, 100):
        services.candles_upsert([_candle(s, i) for s in symbols[chunk:chunk + 100] for i in range(210)])
    got = selectors.candles_last(symbols, "5m", 200)
    assert sorted(got) == symbols
    assert all(k.open_time.tolist() == [T0 + i * STEP for i in range(10, 210)] for k in got.values())
    assert got["S007USDT"].close[-1] == 309.125


def test_events_round_trip_in_order_with_resume_points(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    items = [(_candle("BTCUSDT", i), "stream") for i in range(3)] + [(_candle("ETHUSDT", 0), "backfill")]
    ids = candle_events_publish(client, items, market="usdm", maxlen=1000)
    assert len(ids) == 4 and client.xlen(STREAM_KEY) == 4
    events = candle_events_read(client)
    assert [e.id for e in events] == ids
    assert [e.candle for e in events] == [c for c, _ in items]  # exact strings survive
    assert [(e.source, e.market) for e in events][-1] == ("backfill", "usdm")
    assert candle_events_read(client, after_id=ids[1]) == events[2:]
    assert candle_resume_points(client) == {("BTCUSDT", "5m"): T0 + 2 * STEP, ("ETHUSDT", "5m"): T0}
    assert client.hlen(LAST_KEY) == 2


def test_ingest_stores_before_it_publishes(redis_server, settings):
    settings.REDIS_URL = redis_server.url
    services.candles_ingest([(_candle("BTCUSDT", i), "stream") for i in range(2)])
    client = redis.Redis.from_url(redis_server.url)
    events = candle_events_read(client)
    assert [e.candle.open_time for e in events] == [T0, T0 + STEP]
    assert StoredCandle.objects.filter(symbol="BTCUSDT").count() == 2


def test_stream_status_is_none_without_a_stream_process(redis_server, settings):
    settings.REDIS_URL = redis_server.url
    assert selectors.stream_status() is None
    redis.Redis.from_url(redis_server.url).set("market:streams:status", '{"connections": 2}')
    assert selectors.stream_status() == {"connections": 2}
