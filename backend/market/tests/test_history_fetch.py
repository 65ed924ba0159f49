"""`fetch_history` against the sandbox's real server: pages by startTime/limit through the client
and its governor, stores closed candles only, reports the gap before the exchange's first candle,
is idempotent; and `manage.py fetch_history` end to end (progress line, gaps, spot)."""
from __future__ import annotations

import asyncio
import dataclasses
import io

import numpy as np
import pytest
from asgiref.sync import sync_to_async
from django.core.management import CommandError, call_command
from django.db import connections

from market.binance.governor import WeightGovernor
from market.binance.venues import venue_for
from market.history import Gap, fetch_history
from market.models import Candle as StoredCandle
from market.services import candles_upsert
from market.tests.conftest import DATA_START_MS, DAY_MS, RequestLog
from sandbox.data.recorded import recorded_candles

STEP = 300_000
NOW = DATA_START_MS + 40 * DAY_MS  # the sandbox clock (paused), see conftest.sandbox_config


def _stored(symbol: str, market: str = "usdm") -> np.ndarray:
    return np.array(list(StoredCandle.objects.filter(market=market, symbol=symbol, interval="5m")
                         .order_by("open_time").values_list("open_time", "open", "high", "low", "close", "volume")),
                    dtype=np.float64).reshape(-1, 6)


@pytest.fixture(autouse=True)
async def _close_thread_connections():
    yield
    await sync_to_async(connections.close_all)()


@pytest.mark.django_db(transaction=True)
async def test_pages_through_the_client_stores_what_the_exchange_recorded(sandbox, make_client):
    base_url, _ = sandbox
    log = RequestLog()
    client = await make_client(base_url, log=log)
    store = sync_to_async(lambda page: candles_upsert(page, market="usdm", history=True))
    covered: list[int] = []
    totals: list[int] = []
    # One day before the exchange's first candle to four days after it: 1440 grid candles, 1152 exist.
    start, end = DATA_START_MS - DAY_MS, DATA_START_MS + 4 * DAY_MS
    reports = await fetch_history(client, ["BTCUSDT", "ETHUSDT"], "5m", start, end, store=store,
                                  progress=lambda n, symbol: covered.append(n), total=totals.append)
    assert totals == [2 * 1440] and sum(covered) == 2 * 1440
    # GET time, then per symbol a page of 1000 from the first candle on and one of the remaining 152.
    assert len(log.statuses()) == 1 + 2 * 2 and set(log.statuses()) == {200}
    assert (await client.governor.state()).used_weight > 0
    for report in reports:
        assert report.error is None and report.stored == 1152
        assert report.gaps == [Gap(start, DATA_START_MS - STEP, 288)]
    recorded = recorded_candles()
    for symbol in ("BTCUSDT", "ETHUSDT"):
        stored = await sync_to_async(_stored)(symbol)
        assert np.array_equal(stored, recorded[symbol][:1152]), symbol
    again = await fetch_history(client, ["BTCUSDT"], "5m", start, end, store=store)
    assert again[0].stored == 1152
    assert await sync_to_async(StoredCandle.objects.filter(history=True).count)() == 2 * 1152


@pytest.mark.django_db(transaction=True)
async def test_only_closed_candles_and_a_refused_symbol_reported(sandbox, make_client):
    base_url, _ = sandbox
    client = await make_client(base_url)
    store = sync_to_async(lambda page: candles_upsert(page, market="usdm", history=True))
    reports = await fetch_history(client, ["NOPEUSDT", "BTCUSDT"], "5m", NOW - 3_600_000, NOW + 3_600_000,
                                  store=store)
    assert reports[0].symbol == "NOPEUSDT" and "PermanentError" in reports[0].error and reports[0].stored == 0
    # The window ends at the exchange clock: the 12 candles that closed in the last hour, no gap
    # for the hour that has not happened yet.
    assert reports[1].error is None and reports[1].stored == 12 and reports[1].gaps == []
    stored = await sync_to_async(_stored)("BTCUSDT")
    assert stored[:, 0].astype(np.int64).tolist() == [NOW - 3_600_000 + i * STEP for i in range(12)]


def _command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("fetch_history", *args, stdout=out, stderr=err)
    finally:
        connections.close_all()
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db(transaction=True)
async def test_command_end_to_end(sandbox, settings):
    base_url, _ = sandbox
    settings.BINANCE = dataclasses.replace(settings.BINANCE, env="sandbox", sandbox_url=base_url)
    try:
        # The command runs its own event loop: in a thread, while the sandbox serves on this one.
        out, err = await asyncio.to_thread(_command, "btcusdt", "SOLUSDT", "--interval", "5m",
                                           "--start", "2025-12-16", "--end", "2025-12-18")
        assert "usdm BTCUSDT 5m: 288 candles stored, 1 gap(s)" in out
        assert "gap: 2025-12-16 00:00 .. 2025-12-16 23:55 UTC (288 candles)" in out
        assert "100.0% 1,152/1,152 candles (SOLUSDT)" in err
        out, _ = await asyncio.to_thread(_command, "BTCUSDT", "--interval", "1h", "--market", "spot",
                                         "--start", "2025-12-17", "--end", "2025-12-17T03:00")
        assert "spot BTCUSDT 1h: 3 candles stored, 0 gap(s)" in out
        spot = await sync_to_async(lambda: list(StoredCandle.objects.filter(market="spot").values_list(
            "interval", "open_time")))()
        assert sorted(spot) == [("1h", DATA_START_MS + i * 3_600_000) for i in range(3)]
        with pytest.raises(CommandError, match="1 of 1 symbol"):
            await asyncio.to_thread(_command, "NOPEUSDT", "--interval", "5m", "--start", "2025-12-17",
                                    "--end", "2025-12-18")
        for bad, message in ((["--start", "2025-12-18", "--end", "2025-12-17"], "before --end"),
                             (["--start", "17/12/2025", "--end", "2025-12-18"], "is not a date"),
                             (["--interval", "1M"], "interval must be one of")):
            args = ["BTCUSDT", "--interval", "5m", "--start", "2025-12-17", "--end", "2025-12-18"] + bad
            with pytest.raises(CommandError, match=message):
                await asyncio.to_thread(_command, *args)
    finally:
        for market in ("usdm", "spot"):
            venue = venue_for("sandbox", market, sandbox_url=base_url)
            governor = WeightGovernor(settings.REDIS_URL, scope=venue.governor_scope)
            await governor.reset()
            await governor.close()
