"""The candle store per market: separate keys for spot and USD-M, history never pruned, and the
migration that gives existing rows the market the platform has been streaming."""
from __future__ import annotations

import dataclasses

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from market import selectors, services
from market.binance.schemas import Candle
from market.models import Candle as StoredCandle

T0 = 1_765_929_600_000
STEP = 300_000


def _candle(symbol: str, i: int, close: str = "100.5") -> Candle:
    return Candle(symbol, "5m", T0 + i * STEP, T0 + (i + 1) * STEP - 1, "100", "101", "99", close, "1", "100", 3,
                  "0.5", "50")


@pytest.mark.django_db
def test_spot_and_usdm_candles_of_one_symbol_stay_apart(settings):
    settings.BINANCE = dataclasses.replace(settings.BINANCE, market="usdm")
    services.candles_upsert([_candle("BTCUSDT", i, "100.5") for i in range(3)])  # the platform's market
    services.candles_upsert([_candle("BTCUSDT", i, "200.5") for i in range(2)], market="spot")
    assert StoredCandle.objects.filter(market="usdm").count() == 3
    assert StoredCandle.objects.filter(market="spot").count() == 2
    assert selectors.candles_last(["BTCUSDT"], "5m", 10)["BTCUSDT"].close.tolist() == [100.5] * 3
    assert selectors.candles_last(["BTCUSDT"], "5m", 10, market="spot")["BTCUSDT"].close.tolist() == [200.5] * 2
    assert selectors.candles_resume_points() == {("BTCUSDT", "5m"): T0 + 2 * STEP}
    assert selectors.candles_resume_points("spot") == {("BTCUSDT", "5m"): T0 + STEP}
    settings.BINANCE = dataclasses.replace(settings.BINANCE, market="spot")
    assert len(selectors.candles_last(["BTCUSDT"], "5m", 10)["BTCUSDT"]) == 2  # follows BINANCE_MARKET
    with pytest.raises(ValueError, match="market must be one of"):
        services.candles_upsert([_candle("BTCUSDT", 0)], market="coinm")


@pytest.mark.django_db
def test_prune_keeps_history_and_counts_per_market():
    services.candles_upsert([_candle("BTCUSDT", i) for i in range(6)], market="usdm")
    services.candles_upsert([_candle("BTCUSDT", i) for i in range(6)], market="spot", history=True)
    services.candles_upsert([_candle("ETHUSDT", i) for i in range(3)], market="usdm", history=True)
    services.candles_upsert([_candle("ETHUSDT", i) for i in range(3, 6)], market="usdm")
    # The stream overwrites a history candle: it stays history.
    services.candles_upsert([_candle("ETHUSDT", 0, close="100.75")], market="usdm")
    assert StoredCandle.objects.get(market="usdm", symbol="ETHUSDT", open_time=T0).history is True
    assert StoredCandle.objects.get(market="usdm", symbol="ETHUSDT", open_time=T0).close == 100.75
    # keep=2: usdm BTCUSDT loses its 4 oldest; spot BTCUSDT is all history; usdm ETHUSDT loses
    # 3 * STEP (not history, third newest) and keeps its history rows 0..2.
    assert services.candles_prune(keep=2) == 5
    left = lambda m, s: sorted(StoredCandle.objects.filter(market=m, symbol=s)  # noqa: E731
                               .values_list("open_time", flat=True))
    assert left("usdm", "BTCUSDT") == [T0 + 4 * STEP, T0 + 5 * STEP]
    assert len(left("spot", "BTCUSDT")) == 6
    assert left("usdm", "ETHUSDT") == [T0, T0 + STEP, T0 + 2 * STEP, T0 + 4 * STEP, T0 + 5 * STEP]


@pytest.mark.django_db(transaction=True)
def test_migration_gives_existing_rows_the_platform_market(settings):
    settings.BINANCE = dataclasses.replace(settings.BINANCE, market="spot")
    executor = MigrationExecutor(connection)
    executor.migrate([("market", "0004_prune_schedule")])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO market_candle (symbol, interval, open_time, close_time, open, high, low, close, volume, "
                "quote_volume, trades, taker_buy_base, taker_buy_quote) VALUES "
                "('BTCUSDT', '5m', %s, %s, 1, 2, 0.5, 1.5, 1, 1, 1, 0.5, 0.5)", [T0, T0 + STEP - 1])
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes("market"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT market, history FROM market_candle")
            assert cursor.fetchall() == [("spot", False)]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        StoredCandle.objects.all().delete()
