"""The periodic full scan: a Celery task on a real worker, the sandbox exchange over HTTP,
PostgreSQL, and the engine run directly on the same candles as the reference."""
import asyncio

import numpy as np
import pytest

from market.models import Symbol
from market.services import universe_refresh
from signals.engine import SignalDetectionEngine
from signals.models import ScanRun, Signal
from signals.services.scanning import SCAN_CANDLES, _fetch, candles_from_klines, market_scan
from signals.tasks import scan_binance_market

pytestmark = pytest.mark.django_db(transaction=True)


def _expected_created_keys(symbols):
    """What a fresh engine creates from the candles the exchange serves right now."""
    batch, _, boundary = asyncio.run(_fetch(symbols, "5m"))
    candle_set = candles_from_klines(batch.klines, "5m", boundary_ms=boundary)
    engine = SignalDetectionEngine()
    for symbol, rows in candle_set.candles.items():
        engine.update_candles(symbol, "5m", rows, now_ms=candle_set.now_ms)
    events = engine.process_batch(list(candle_set.candles), "5m", now_ms=candle_set.now_ms)
    return {e.signal.id for e in events if e.kind.value == "created"}


def test_universe_refresh_takes_the_top_pairs_from_the_exchange(sandbox_process):
    summary = universe_refresh(size=10)
    assert summary["universe"] == 10
    ranked = list(Symbol.objects.filter(in_universe=True).order_by("rank").values_list("quote_volume", flat=True))
    assert ranked == sorted(ranked, reverse=True) and len(ranked) == 10
    btc = Symbol.objects.get(symbol="BTCUSDT")
    assert str(btc.tick_size.normalize()) == "0.1"
    universe_refresh(size=5)
    assert Symbol.objects.filter(in_universe=True).count() == 5


def test_scan_task_on_a_real_worker_stores_the_engines_signals(sandbox_process, celery_worker_process):
    universe_refresh(size=50)
    symbols = list(Symbol.objects.filter(in_universe=True).values_list("symbol", flat=True))
    # Move the replay to a moment where the engine finds signals (the clock is paused).
    for _ in range(60):
        expected = _expected_created_keys(symbols)
        if expected:
            break
        sandbox_process.step_candles(1)
    assert expected, "no signal in five hours of recorded market"

    result = scan_binance_market.delay().get(timeout=60)
    run = ScanRun.objects.get(pk=result["scan_run"])
    assert (run.status, run.symbols, run.errors) == ("ok", 50, [])
    assert run.weight_used >= 50 and run.duration_ms > 0
    assert set(Signal.objects.values_list("key", flat=True)) == expected

    # The same candles again: nothing new, nothing duplicated.
    again = scan_binance_market.delay().get(timeout=60)
    assert again["created"] == 0
    assert Signal.objects.count() == len(expected)


def test_a_scan_already_running_is_skipped(sandbox_process, settings):
    import redis

    universe_refresh(size=3)
    lock = redis.Redis.from_url(settings.REDIS_URL).lock(
        f"signals:scan-lock:{settings.SCANNER['universe_key']}:5m", timeout=30)
    assert lock.acquire(blocking=False)
    try:
        assert market_scan(timeframe="5m")["status"] == "skipped"
    finally:
        lock.release()
    assert market_scan(timeframe="5m")["status"] == "ok"


def test_scan_and_live_path_compute_on_one_window():
    from signals.config import MIN_HISTORY, WARMUP, SignalConfig
    from signals.services.live import HISTORY

    # Only closed candles are fetched (end time pinned), so SCAN_CANDLES closed ones are scored.
    assert SCAN_CANDLES == HISTORY == SignalConfig().cache_length == WARMUP >= MIN_HISTORY


def test_a_failing_scan_is_recorded_and_reported(sandbox_process, monkeypatch):
    from signals.services import scanning

    universe_refresh(size=3)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("engine bug")

    monkeypatch.setattr(scanning, "signals_evaluate", broken)
    with pytest.raises(ZeroDivisionError):
        market_scan(timeframe="5m")
    run = ScanRun.objects.latest("started_at")
    assert run.status == "failed" and run.finished_at is not None
    assert run.errors == ["ZeroDivisionError: engine bug"]



def _window(symbol: str, offset: int, boundary: int) -> np.ndarray:
    """1000 recorded candles of `symbol` ending before index `offset`, relabelled to end with the
    candle that closes at `boundary`."""
    from sandbox.data.recorded import recorded_candles

    rows = np.array(recorded_candles()[symbol][offset - 1000:offset])
    rows[:, 0] = boundary - 300_000 * np.arange(1000, 0, -1)
    return rows


def test_scan_reads_complete_windows_from_the_store_and_fetches_only_the_rest(sandbox_process):
    from market.binance.schemas import Candle
    from market.models import Candle as StoredCandle
    from market.services import candles_upsert
    from signals.services.scanning import candle_boundary

    universe_refresh(size=10)
    symbols = sorted(Symbol.objects.filter(in_universe=True).values_list("symbol", flat=True))
    boundary = candle_boundary(sandbox_process.now(), "5m")
    for offset in range(1000, 4032, 12):  # a stretch of the recorded market where signals appear
        windows = {symbol: _window(symbol, offset, boundary) for symbol in symbols}
        engine = SignalDetectionEngine()
        for symbol, rows in windows.items():
            engine.update_candles(symbol, "5m", rows)
        events = engine.process_batch(symbols, "5m", now_ms=boundary)
        expected = {e.signal.id for e in events if e.kind.value == "created"}
        if expected:
            break
    assert expected
    candles_upsert(
        Candle(symbol=symbol, interval="5m", open_time=int(t), close_time=int(t) + 299_999, open=repr(o),
               high=repr(h), low=repr(lo), close=repr(c), volume=repr(v), quote_volume="0", trades=1,
               taker_buy_base="0", taker_buy_quote="0")
        for symbol, rows in windows.items() for t, o, h, lo, c, v in rows.tolist()
    )  # fmt: skip

    run = ScanRun.objects.get(pk=market_scan(timeframe="5m")["scan_run"])
    # One request (the exchange clock, weight 1): every window came from the store.
    assert (run.status, run.symbols, run.weight_used) == ("ok", 10, 1)
    assert set(Signal.objects.values_list("key", flat=True)) == expected

    # One symbol's window lacks its newest candle: only that symbol is fetched (limit 1000: weight 5).
    StoredCandle.objects.filter(symbol=symbols[0], interval="5m", open_time=boundary - 300_000).delete()
    run = ScanRun.objects.get(pk=market_scan(timeframe="5m")["scan_run"])
    assert (run.status, run.symbols, run.weight_used) == ("ok", 10, 1 + 5)
    # ... and stored: the gap is filled with the exchange's candle, the next scan reads the store only.
    filled = StoredCandle.objects.get(symbol=symbols[0], interval="5m", open_time=boundary - 300_000)
    assert filled.close_time == boundary - 1 and filled.high >= max(filled.open, filled.close)
    run = ScanRun.objects.get(pk=market_scan(timeframe="5m")["scan_run"])
    assert (run.status, run.symbols, run.weight_used) == ("ok", 10, 1)
