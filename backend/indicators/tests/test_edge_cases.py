"""Edge cases against TA-Lib: flat markets, long flat stretches, tiny and huge price scales, ADX
holding its value when DX is undefined."""

from __future__ import annotations

import numpy as np
import pytest
import talib

import indicators as ind

from .test_talib_agreement import RTOL, relative_error, talib_reference


def assert_like_talib(o, h, lo, c, v):
    ours = ind.compute_all(o, h, lo, c, v)
    for key, theirs in talib_reference(o, h, lo, c, v).items():
        floor = 1e-6 * np.abs(c) if key.startswith("macd") else None  # see test_properties.py
        assert relative_error(ours[key], theirs, floor) <= RTOL, key
    return ours


def test_a_completely_flat_market():
    flat = np.full(260, 3.5)
    ours = assert_like_talib(flat, flat, flat, flat, np.zeros(260))
    assert np.all(ours["rsi"][14:] == 0.0) and np.all(ours["adx"][27:] == 0.0)
    assert np.all(ours["bb_upper"][19:] == ours["bb_lower"][19:])


def test_rsi_keeps_its_ratio_through_a_long_flat_stretch():
    close = np.r_[np.linspace(1.0, 2.0, 30), np.full(3000, 2.0)]  # gains decay to ~1e-95, losses stay 0
    ours = ind.rsi(close)
    assert relative_error(ours, talib.RSI(close, 14)) <= RTOL
    assert np.all(ours[14:] == 100.0)


def test_adx_holds_when_dx_is_undefined_like_talib():
    # A rise, a fall, then inside bars forever: no directional movement, so both DI decay towards 0
    # and, once +DI + -DI < 1e-14, DX is undefined and ADX must hold instead of decaying.
    n = 1500
    high = np.r_[np.linspace(10, 20, 30), np.linspace(20, 15, 30), np.full(n - 60, 21.0)]
    low = high - 1.0
    low[60:] = 14.0
    close = (high + low) / 2
    adx_line, plus_di, minus_di = ind.adx(high, low, close)
    assert relative_error(adx_line, talib.ADX(high, low, close, 14)) <= RTOL
    undefined = np.nonzero(plus_di + minus_di < 1e-14)[0]
    assert undefined.size and undefined[0] < n - 100
    assert np.all(adx_line[undefined[0] :] == adx_line[undefined[0] - 1])  # held, not decaying to 0


@pytest.mark.parametrize("exponent", [-60, -30, 20])
def test_real_candles_at_extreme_price_scales(klines, exponent):
    o, h, lo, c, v = klines["1000PEPEUSDT"]
    scale = 2.0**exponent  # 2**-60 puts prices around 3e-21
    assert_like_talib(o * scale, h * scale, lo * scale, c * scale, v)


def test_a_market_that_starts_flat_and_then_moves():
    rng = np.random.default_rng(7)
    close = np.r_[np.full(100, 50.0), 50.0 * np.exp(np.cumsum(rng.normal(0, 0.01, 300)))]
    open_ = np.r_[close[:1], close[:-1]]
    high, low = np.maximum(open_, close) * 1.001, np.minimum(open_, close) * 0.999
    high[:100] = low[:100] = 50.0
    assert_like_talib(open_, high, low, close, np.ones(400))
