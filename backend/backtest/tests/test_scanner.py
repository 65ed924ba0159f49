"""Parity: the scanner over whole arrays publishes what the live engine publishes candle by candle.

The reference is bench/replay.py's `replay`: every candle fed to `SignalDetectionEngine` in time
order, one `process_batch` per step, on the recorded candles the project ships.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import backtest.scanner as scanner
from backtest.scanner import BOUNDED_CONDITIONS, scan_signals, stack_series
from sandbox.data.recorded import recorded_candles
from signals.config import CONDITION_NAMES, SignalConfig
from signals.engine import SignalDetectionEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from replay import replay, resample  # noqa: E402

TF = 300_000


def recorded(symbols: int, candles: int) -> dict[str, np.ndarray]:
    tables = recorded_candles()
    return {name: tables[name][:candles] for name in sorted(tables)[:symbols]}


def decisions(events) -> list[tuple]:
    """What must be equal: kind, signal (symbol, timeframe, direction, candle), time, score,
    conditions, closing reason."""
    return [(e.kind.value, e.signal.id, e.at_ms, e.signal.confidence, e.signal.conditions, e.reason) for e in events]


def assert_same_events(ours, live) -> None:
    assert decisions(ours) == decisions(live)
    for a, b in zip(ours, live):  # levels and snapshots: equal, or within rounding
        assert a.signal.stop_loss == pytest.approx(b.signal.stop_loss, rel=1e-12)
        assert a.signal.take_profit == pytest.approx(b.signal.take_profit, rel=1e-12)
        # EMA200 keeps part of its seed (see scanner.py), the others only rounding.
        assert a.signal.snapshot["ema200"] == pytest.approx(b.signal.snapshot["ema200"], rel=1e-3)
        rest = {k: v for k, v in a.signal.snapshot.items() if k != "ema200"}
        assert rest == pytest.approx({k: b.signal.snapshot[k] for k in rest}, rel=1e-9)


def test_parity_with_the_live_path_once_the_window_slides():
    # 1300 candles: past the 1000-candle cache, where the live window starts later than the arrays.
    series = recorded(4, 1300)
    live, _ = replay(series)
    ours = scan_signals(series)
    assert len(live) > 500 and {e.kind.value for e in live} == {"created", "updated", "deleted"}
    assert_same_events(ours.events, live)
    assert ours.candles == 4 * 1300 and ours.steps < 4 * 1100  # only the candles where something can happen


def test_parity_needs_the_rescoring_of_fragile_candles(monkeypatch):
    # A 600-candle cache: EMA200's seed still weighs (199/201)^400 = 1.8 % at the last candle, so
    # whole-array EMA200 differs from the live window's and some scores flip without step 3.
    series, config = recorded(6, 1300), SignalConfig(cache_length=600)
    live, _ = replay(series, config=config)
    ours = scan_signals(series, config)
    assert ours.rescored > 0
    assert_same_events(ours.events, live)
    real = scanner._fragile
    monkeypatch.setattr(scanner, "_fragile", lambda *args: np.zeros_like(real(*args)))
    assert decisions(scan_signals(series, config).events) != decisions(live)


def test_parity_with_a_short_cache_and_other_rules_rescoring_every_candle():
    config = SignalConfig(cache_length=300, min_confidence=60, expiry_candles=6, sl_atr=1.0, tp_atr=2.0,
                          weights={**dict.fromkeys(CONDITION_NAMES, 10.0), "macd_cross": 30.0})  # fmt: skip
    series = recorded(3, 700)
    live, _ = replay(series, config=config)
    ours = scan_signals(series, config)
    assert ours.rescored == 3 * (700 - 199)  # below EXACT_TAIL_MIN_CACHE: every scored candle
    assert_same_events(ours.events, live)


def test_parity_on_a_coarse_tick_grid_full_of_ties():
    # Prices one or two ticks of 0.01 apart and volumes of 100-300: closes equal to their SMA20,
    # EMA9 near EMA21 and volumes equal to their mean happen all the time, so the comparisons the
    # rescoring guards are decided by rounding again and again.
    rng = np.random.default_rng(7)
    n, series = 1300, {}
    for k in range(4):
        close = np.round(100 + np.cumsum(rng.integers(-1, 2, n)) * 0.01 * (k + 1), 2)
        open_ = np.r_[close[0], close[:-1]]
        high = np.round(np.maximum(open_, close) + rng.integers(0, 2, n) * 0.01, 2)
        low = np.round(np.minimum(open_, close) - rng.integers(0, 2, n) * 0.01, 2)
        times = 1_700_000_100_000 + np.arange(n) * TF
        series[f"TICK{k}USDT"] = np.column_stack([times, open_, high, low, close, rng.integers(1, 4, n) * 100.0])
    config = SignalConfig(cache_length=600)
    live, _ = replay(series, config=config)
    ours = scan_signals(series, config)
    assert len(live) > 1000 and ours.rescored > 100
    assert_same_events(ours.events, live)


def test_parity_on_15m_candles():
    series = resample(recorded(3, 4032), "15m")  # 1344 candles of 15m each
    live, _ = replay(series, timeframe="15m")
    ours = scan_signals(series, timeframe="15m")
    assert len(live) > 300 and all(e.signal.timeframe == "15m" for e in live)
    assert_same_events(ours.events, live)


def test_start_ms_scans_from_there_with_the_candles_before_as_history():
    series = recorded(3, 1200)
    start = int(series[next(iter(series))][900, 0])
    engine, live = SignalDetectionEngine(), []
    for t in range(1200):
        for symbol, rows in series.items():
            engine.update_candles(symbol, "5m", rows[t])
        if t >= 900:
            live += engine.process_batch(list(series), "5m", now_ms=int(rows[t, 0]) + TF)
    ours = scan_signals({s: np.vstack([rows, rows[-1:] + [TF, 0, 0, 0, 0, 0]]) for s, rows in series.items()},
                        start_ms=start, end_ms=int(rows[-1, 0]) + TF)  # one candle more, cut off by end_ms
    assert ours.events and min(e.at_ms for e in ours.events) > start
    assert_same_events(ours.events, live)


@pytest.mark.slow
def test_parity_on_every_shipped_symbol_over_14_days():
    series = recorded(50, 4032)
    live, _ = replay(series)
    assert_same_events(scan_signals(series).events, live)


def test_every_condition_has_a_bound():
    assert BOUNDED_CONDITIONS == CONDITION_NAMES


def test_series_off_the_common_grid_are_refused():
    series = recorded(2, 300)
    a, b = series
    with pytest.raises(ValueError, match="open times differ"):
        stack_series({a: series[a], b: series[b][1:]}, TF)
    with pytest.raises(ValueError, match="a gap"):
        stack_series({a: np.delete(series[a], 150, axis=0)}, TF)
    with pytest.raises(ValueError, match="no symbols"):
        stack_series({}, TF)
    with pytest.raises(ValueError, match="at least 200"):
        scan_signals({a: series[a][:150]})
