"""One answer per candle, on real processes: the scan (a Celery task on a real worker, fetching
from the sandbox exchange process) and the live path (`manage.py run_live_signals`, fed through
the candle store and the market:candles stream) write identical signals for the same candles,
even when an injected 429 delays the scan's klines fetch past the next candle boundary."""
import asyncio
import os
import subprocess
import sys
import time

import numpy as np
import pytest
import redis
from django.conf import settings
from django.db import connection

from common.testing import BACKEND_DIR, database_url_of
from market.models import Symbol
from market.services import candles_ingest, candles_upsert, universe_refresh
from sandbox.data.recorded import recorded_candles
from signals.engine import SignalDetectionEngine
from signals.models import Signal, SignalChange, SignalOutcomeRecord
from signals.services import live
from signals.tasks import scan_binance_market

pytestmark = pytest.mark.django_db(transaction=True)
TF = 300_000
FIELDS = (
    "key", "symbol", "timeframe", "direction", "status", "confidence", "initial_confidence", "entry", "stop_loss",
    "take_profit", "initial_stop_loss", "initial_take_profit", "reward_risk", "conditions", "snapshot",
    "candle_open_time", "created_ms", "expires_ms", "closed_ms", "exit_price", "outcome_r", "return_pct", "close_rule",
)  # fmt: skip


def _created_at(boundary: int, symbols: list[str]) -> set[str]:
    """Keys a fresh engine creates at `boundary` from the recorded candles (to find a moment with
    signals without spending request weight)."""
    engine = SignalDetectionEngine()
    table = recorded_candles()
    for symbol in symbols:
        rows = table[symbol]
        engine.update_candles(symbol, "5m", rows[rows[:, 0] < boundary][-1000:])
    events = engine.process_batch(symbols, "5m", now_ms=boundary)
    return {e.signal.id for e in events if e.kind.value == "created"}


def _rows() -> dict[str, dict]:
    return {row["key"]: row for row in Signal.objects.values(*FIELDS)}


async def _exchange_candles(symbols: list[str], start: int, last_open: int):
    from market.binance.client import BinanceClient

    async with BinanceClient.from_settings() as client:
        return {s: await client.market_data.candles_between(s, "5m", start, last_open) for s in symbols}


def _run_live_path(symbols: list[str], boundary: int, data_start: int) -> None:
    """The stream's part done by hand (store the history, publish the closing candle), the live
    signal process's part done by the real process."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("market:candles", "market:candles:last", live.RESUME_KEY)
    client.set(live.RESUME_KEY, "0-0")  # read everything published from now on, whenever it starts
    candles = asyncio.run(_exchange_candles(symbols, data_start, boundary - TF))
    candles_upsert(c for series in candles.values() for c in series[:-1])
    env = dict(os.environ, DATABASE_URL=database_url_of(connection.settings_dict),
               DJANGO_SETTINGS_MODULE="config.settings.test")
    process = subprocess.Popen([sys.executable, "manage.py", "run_live_signals"], cwd=BACKEND_DIR, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # The candle that closes at the boundary arrives as the stream delivers it: stored, then published.
        candles_ingest([(series[-1], "stream") for series in candles.values()])
        last_id = client.xrevrange("market:candles", count=1)[0][0]
        deadline = time.monotonic() + 90
        while client.get(live.RESUME_KEY) != last_id:  # the live process has handled the batch
            assert process.poll() is None and time.monotonic() < deadline, "the live process did not evaluate"
            time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(20)


def test_scan_and_live_path_agree_across_a_429_delayed_boundary(sandbox_process, celery_worker_process):
    universe_refresh(size=50)
    symbols = sorted(Symbol.objects.filter(in_universe=True).values_list("symbol", flat=True))
    clock = sandbox_process.control("GET", "clock")
    for _ in range(60):  # move the replay to a boundary where the engine finds signals
        boundary = sandbox_process.now() // TF * TF
        expected = _created_at(boundary, symbols)
        if expected:
            break
        sandbox_process.step_candles(1)
    assert expected, "no signal in five hours of recorded market"

    # Every klines request of the scan gets a 429 (Retry-After 2 s) the first time; as soon as one
    # is seen, the exchange clock moves past the next boundary, so the retried fetches complete
    # after the candle the scan started in has closed.
    sandbox_process.control("POST", "faults", {"kind": "rate_limit", "path_prefix": "/fapi/v1/klines",
                                               "count": len(symbols), "retry_after": 2})
    try:
        result = scan_binance_market.delay()
        hits, deadline = 0, time.monotonic() + 30
        while hits == 0:
            assert time.monotonic() < deadline, "the scan never reached the klines fetch"
            faults = sandbox_process.control("GET", "faults")
            hits = faults[0]["hits"] if faults else len(symbols)
            time.sleep(0.02)
        sandbox_process.step_candles(1)
        summary = result.get(timeout=120)
    finally:
        sandbox_process.control("DELETE", "faults")  # the sandbox process serves the whole session
    assert summary["status"] == "ok" and summary["errors"] == 0, summary
    assert sandbox_process.now() >= boundary + TF  # the fetch ended after the next boundary

    scan = _rows()
    # Only the closed candle pinned at the start was scored, for every symbol.
    assert set(scan) == expected
    assert {row["candle_open_time"] for row in scan.values()} == {boundary - TF}
    assert all(row["created_ms"] == boundary and row["expires_ms"] == boundary + 12 * TF for row in scan.values())

    # A fresh database state for the live path.
    SignalChange.objects.all().delete()
    SignalOutcomeRecord.objects.all().delete()
    Signal.objects.all().delete()
    _run_live_path(symbols, boundary, clock["dataStart"])
    live_rows = _rows()
    assert set(live_rows) == set(scan)
    for key, row in scan.items():
        for name in FIELDS:
            assert live_rows[key][name] == row[name], (key, name, live_rows[key][name], row[name])
    # The indicators behind them are the same numbers, not just the same decisions.
    assert all(np.isfinite(list(row["snapshot"].values())).all() for row in scan.values())
