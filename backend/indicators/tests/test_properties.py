"""Hypothesis properties: ranges, band order, 2-D == row-by-row 1-D, streaming == batch, scale
invariance, and agreement with TA-Lib on generated markets."""

from __future__ import annotations

import numpy as np
import talib
from hypothesis import given, settings
from hypothesis import strategies as st

import indicators as ind

from .conftest import Candles
from .test_talib_agreement import RTOL, relative_error, talib_reference

fast = settings(max_examples=50, deadline=None)

WARMUP = {
    "ema9": 8, "ema21": 20, "ema50": 49, "ema200": 199, "rsi": 14, "macd": 33, "macd_signal": 33,
    "macd_hist": 33, "atr": 14, "adx": 27, "plus_di": 14, "minus_di": 14, "bb_upper": 19,
    "bb_middle": 19, "bb_lower": 19, "ha_open": 0, "ha_high": 0, "ha_low": 0, "ha_close": 0,
    "volume_sma20": 19,
}  # fmt: skip
PRICE_KEYS = [k for k in ind.INDICATOR_KEYS if k not in ("rsi", "adx", "plus_di", "minus_di", "volume_sma20")]


@st.composite
def markets(draw, min_length=200, max_length=260, rows=None) -> Candles:
    """Consistent OHLCV candles (low <= open, close <= high) from a random walk whose recipe Hypothesis
    picks: length, symbols (0 = a 1-D series), price level, volatility, tick size, flat stretches."""
    n = draw(st.integers(min_length, max_length))
    rows = draw(st.integers(0, 3)) if rows is None else rows
    level = 10.0 ** draw(st.integers(-6, 5))
    volatility = draw(st.sampled_from([0.0, 1e-4, 1e-3, 1e-2, 5e-2]))
    tick = draw(st.sampled_from([0.0, 1e-4, 1e-2]))  # relative to the level; 0: continuous prices
    flat = draw(st.sampled_from([0.0, 0.5, 0.9, 1.0]))  # share of candles without a move
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = (max(rows, 1), n)
    steps = rng.normal(0.0, volatility, shape) * (rng.random(shape) >= flat)
    close = level * np.exp(np.cumsum(steps, axis=-1))
    open_ = np.concatenate([close[:, :1], close[:, :-1]], axis=-1)
    wicks = np.minimum(np.abs(rng.normal(0.0, volatility, (2, *shape))), 0.5)
    high = np.maximum(open_, close) * (1.0 + wicks[0])
    low = np.minimum(open_, close) * (1.0 - wicks[1])
    if tick:
        grid = level * tick
        open_, high, low, close = (np.round(a / grid) * grid for a in (open_, high, low, close))
        high, low = np.maximum.reduce([high, open_, close]), np.minimum.reduce([low, open_, close])
    volume = np.round(rng.gamma(2.0, 1e3, shape), 3) * (rng.random(shape) > 0.05)
    arrays = (open_, high, low, close, volume)
    return Candles(*(a[0] if rows == 0 else a for a in arrays))


@fast
@given(markets())
def test_oscillators_stay_in_0_100(m):
    result = ind.compute_all(*m)
    for key in ("rsi", "adx", "plus_di", "minus_di"):
        live = result[key][..., WARMUP[key] :]
        assert np.all((live >= 0.0) & (live <= 100.0)), key


@fast
@given(markets())
def test_bands_are_ordered_and_atr_is_not_negative(m):
    result = ind.compute_all(*m)
    live = slice(WARMUP["bb_upper"], None)
    assert np.all(result["bb_upper"][..., live] >= result["bb_middle"][..., live])
    assert np.all(result["bb_middle"][..., live] >= result["bb_lower"][..., live])
    assert np.all(result["atr"][..., WARMUP["atr"] :] >= 0.0)
    assert np.all(result["ha_high"] >= np.maximum(result["ha_open"], result["ha_close"]))
    assert np.all(result["ha_low"] <= np.minimum(result["ha_open"], result["ha_close"]))


@fast
@given(markets())
def test_warmup_is_nan_and_the_rest_finite(m):
    result = ind.compute_all(*m)
    for key, warmup in WARMUP.items():
        assert np.isnan(result[key][..., :warmup]).all(), key
        assert np.isfinite(result[key][..., warmup:]).all(), key
        assert result[key].shape == m.close.shape and result[key].dtype == np.float64


@fast
@given(markets(min_length=60, rows=3))
def test_2d_equals_row_by_row_1d_bit_for_bit(m):
    o, h, lo, c, v = m
    batched = {
        "ema": ind.ema(c, 9), "sma": ind.sma(v, 20), "rsi": ind.rsi(c), "atr": ind.atr(h, lo, c),
        "macd": ind.macd(c), "adx": ind.adx(h, lo, c), "bollinger": ind.bollinger(c),
        "heikin_ashi": ind.heikin_ashi(o, h, lo, c),
    }  # fmt: skip
    for row in range(c.shape[0]):
        single = {
            "ema": ind.ema(c[row], 9), "sma": ind.sma(v[row], 20), "rsi": ind.rsi(c[row]),
            "atr": ind.atr(h[row], lo[row], c[row]), "macd": ind.macd(c[row]),
            "adx": ind.adx(h[row], lo[row], c[row]), "bollinger": ind.bollinger(c[row]),
            "heikin_ashi": ind.heikin_ashi(o[row], h[row], lo[row], c[row]),
        }  # fmt: skip
        for name, ours in batched.items():
            pairs = zip(ours, single[name]) if isinstance(ours, tuple) else [(ours, single[name])]
            for a, b in pairs:
                np.testing.assert_array_equal(a[row], b, err_msg=name)


@fast
@given(markets(rows=3))
def test_compute_all_2d_equals_row_by_row_1d_bit_for_bit(m):
    batched = ind.compute_all(*m)
    for row in range(m.close.shape[0]):
        single = ind.compute_all(*(a[row] for a in m))
        for key in ind.INDICATOR_KEYS:
            np.testing.assert_array_equal(batched[key][row], single[key], err_msg=key)


@fast
@given(markets())
def test_compute_all_equals_the_single_functions_bit_for_bit(m):
    o, h, lo, c, v = m
    single = {f"ema{p}": ind.ema(c, p) for p in (9, 21, 50, 200)}
    single.update(rsi=ind.rsi(c), atr=ind.atr(h, lo, c), volume_sma20=ind.sma(v, 20))
    single.update(zip(("macd", "macd_signal", "macd_hist"), ind.macd(c)))
    single.update(zip(("adx", "plus_di", "minus_di"), ind.adx(h, lo, c)))
    single.update(zip(("bb_upper", "bb_middle", "bb_lower"), ind.bollinger(c)))
    single.update(zip(("ha_open", "ha_high", "ha_low", "ha_close"), ind.heikin_ashi(o, h, lo, c)))
    result = ind.compute_all(o, h, lo, c, v)
    for key in ind.INDICATOR_KEYS:
        np.testing.assert_array_equal(result[key], single[key], err_msg=key)


@fast
@given(markets(max_length=300, rows=0), st.data())
def test_streaming_equals_batch_on_the_extended_series(m, data):
    split = data.draw(st.integers(200, len(m.close)))
    state = ind.StreamingIndicators(*(a[:split] for a in m))
    batch = ind.compute_all(*m)
    for key, value in state.latest.items():
        np.testing.assert_allclose(value, batch[key][split - 1], rtol=1e-12, atol=0, err_msg=key)
    streamed = [state.update(*(float(a[i]) for a in m)) for i in range(split, len(m.close))]
    assert state.count == len(m.close)
    for key in ind.INDICATOR_KEYS:
        values = [s[key] for s in streamed]
        np.testing.assert_allclose(values, batch[key][split:], rtol=1e-9, atol=0, err_msg=key)


@fast
@given(markets(), st.integers(-30, 30))
def test_scaling_prices_by_a_power_of_two_scales_the_results_exactly(m, exponent):
    # Multiplying by 2**k is exact in floating point, so an implementation without absolute
    # thresholds gives exactly scaled prices and identical oscillators, down to sub-cent coins.
    scale = 2.0**exponent
    o, h, lo, c, v = m
    base = ind.compute_all(o, h, lo, c, v)
    scaled = ind.compute_all(o * scale, h * scale, lo * scale, c * scale, v)
    for key in ind.INDICATOR_KEYS:
        expected = base[key] * scale if key in PRICE_KEYS else base[key]
        np.testing.assert_array_equal(scaled[key], expected, err_msg=key)


@fast
@given(markets(rows=0))
def test_agrees_with_talib_on_generated_markets(m):
    # MACD is a difference of two price-level EMAs that may differ from TA-Lib's by an ulp (TA-Lib uses
    # FMA), so where a random market puts it arbitrarily close to zero its error is measured against
    # 1e-6 of the price instead.
    ours = ind.compute_all(*m)
    for key, theirs in talib_reference(*m).items():
        floor = 1e-6 * np.abs(m.close) if key.startswith("macd") else None
        assert relative_error(ours[key], theirs, floor) <= RTOL, key


@fast
@given(markets(min_length=2, max_length=80, rows=0), st.integers(2, 30))
def test_single_functions_agree_with_talib_for_any_period(m, period):
    o, h, lo, c, v = m
    cases = [(ind.ema, talib.EMA, (c,)), (ind.sma, talib.SMA, (c,)), (ind.rsi, talib.RSI, (c,))]
    cases += [(ind.atr, talib.ATR, (h, lo, c)), (lambda *a: ind.adx(*a)[0], talib.ADX, (h, lo, c))]
    for ours_fn, talib_fn, args in cases:
        theirs = talib_fn(*args, period)
        if np.isnan(theirs).all():
            continue  # too short for TA-Lib too; the error path is tested in test_errors.py
        assert relative_error(ours_fn(*args, period), theirs) <= RTOL, ours_fn
