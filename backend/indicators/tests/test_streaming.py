"""StreamingIndicators on the real candles: equal to compute_all on the extended series."""

from __future__ import annotations

import numpy as np
import pytest

import indicators as ind
from indicators import IndicatorInputError, StreamingIndicators


@pytest.mark.parametrize("symbol", ["BTCUSDT", "1000PEPEUSDT", "XVGUSDT"])
def test_streaming_equals_batch_over_a_day_of_candles(klines, symbol):
    candles = klines[symbol]
    seed, total = 200, 200 + 288  # seeded with 200 candles, then one day of 5m candles
    state = StreamingIndicators(*(a[:seed] for a in candles))
    streamed = [state.update(*(a[i] for a in candles)) for i in range(seed, total)]
    batch = ind.compute_all(*(a[:total] for a in candles))
    for key in ind.INDICATOR_KEYS:
        values = [s[key] for s in streamed]
        np.testing.assert_allclose(values, batch[key][seed:], rtol=1e-9, atol=0, err_msg=key)
    assert state.count == total
    assert state.latest == streamed[-1]


def test_peek_does_not_change_the_state(klines):
    o, h, lo, c, v = klines["ETHUSDT"]
    state = StreamingIndicators(o[:300], h[:300], lo[:300], c[:300], v[:300])
    before = state.latest
    forming = state.peek(o[300], h[300] * 1.01, lo[300], c[300] * 1.005, v[300] / 2)  # a candle still open
    assert state.latest == before and state.count == 300
    candle = (o[300], h[300], lo[300], c[300], v[300])
    assert state.peek(*candle) == state.update(*candle)
    assert forming != state.latest


def test_one_instance_per_symbol_is_independent(klines):
    states = {s: StreamingIndicators(*(a[:250] for a in klines[s])) for s in ("BTCUSDT", "ETHUSDT")}
    states["BTCUSDT"].update(*(a[250] for a in klines["BTCUSDT"]))
    assert states["ETHUSDT"].count == 250 and states["BTCUSDT"].count == 251


def test_bad_history_and_bad_candles(klines):
    o, h, lo, c, v = klines["SOLUSDT"]
    with pytest.raises(IndicatorInputError, match="too few"):
        StreamingIndicators(o[:199], h[:199], lo[:199], c[:199], v[:199])
    with pytest.raises(IndicatorInputError, match="1-D history of one symbol"):
        StreamingIndicators(*(np.tile(a[:250], (2, 1)) for a in (o, h, lo, c, v)))
    state = StreamingIndicators(o[:250], h[:250], lo[:250], c[:250], v[:250])
    with pytest.raises(IndicatorInputError, match="NaN or infinite"):
        state.update(1.0, 2.0, 0.5, float("nan"), 1.0)
    with pytest.raises(IndicatorInputError, match="high 1.0 < low 2.0"):
        state.update(1.5, 1.0, 2.0, 1.5, 1.0)
    assert state.count == 250  # rejected candles leave no trace


def test_for_symbols_seeds_one_instance_per_row_like_the_1d_constructor(kline_matrix):
    history = [a[:5, :300] for a in kline_matrix]
    states = StreamingIndicators.for_symbols(*history)
    assert len(states) == 5
    for row, state in enumerate(states):
        single = StreamingIndicators(*(a[row] for a in history))
        assert state.latest == single.latest and state.count == single.count == 300
        candle = [float(a[row, 300]) for a in kline_matrix]
        assert state.update(*candle) == single.update(*candle)
    with pytest.raises(IndicatorInputError, match=r"\(symbols, time\)"):
        StreamingIndicators.for_symbols(*(a[0] for a in history))
