"""Golden values: small hand-computed cases, a Heikin Ashi reference loop, and recorded values on
BTCUSDT (checked against TA-Lib when recorded) that catch any drift, TA-Lib or not."""

from __future__ import annotations

import math

import numpy as np
import pytest

import indicators as ind

nan = math.nan


def assert_same(actual, expected, rel=1e-12):
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected, dtype=float), rtol=rel, atol=0)


def test_sma_and_ema_by_hand():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert_same(ind.sma(x, 3), [nan, nan, 2.0, 3.0, 4.0])
    # alpha = 2 / (3 + 1) = 0.5, seeded with mean(1, 2, 3) = 2: 0.5 * 2 + 0.5 * 4 = 3, then 4.
    assert_same(ind.ema(x, 3), [nan, nan, 2.0, 3.0, 4.0])
    assert_same(ind.ema([2.0, 4.0, 6.0, 8.0], 3), [nan, nan, 4.0, 6.0])


def test_rsi_by_hand():
    # Changes +1, -1, +1 with period 2: seed gain 0.5 / loss 0.5 -> 50; then gain (0.5 + 1) / 2 = 0.75,
    # loss (0.5 + 0) / 2 = 0.25 -> 75.
    assert_same(ind.rsi([1.0, 2.0, 1.0, 2.0], 2), [nan, nan, 50.0, 75.0])
    assert_same(ind.rsi(np.arange(1.0, 30.0))[14:], 100.0)
    assert_same(ind.rsi(np.full(30, 7.0))[14:], 0.0)  # no movement at all: 0, TA-Lib's convention


def test_macd_by_hand():
    # slow EMA(3) seeded at index 2 with mean(1, 2, 3) = 2, then 3, 4, 5; fast EMA(2) seeded at index 2
    # with mean(2, 3) = 2.5, then 3.5, 4.5, 5.5.  MACD = 0.5 throughout, signal EMA(2) seeded at index
    # 3 with mean(0.5, 0.5); everything NaN before index 3.
    line, signal, hist = ind.macd(np.arange(1.0, 7.0), 2, 3, 2)
    assert_same(line, [nan, nan, nan, 0.5, 0.5, 0.5])
    assert_same(signal, [nan, nan, nan, 0.5, 0.5, 0.5])
    assert_same(hist, [nan, nan, nan, 0.0, 0.0, 0.0])


def test_atr_by_hand():
    high, low, close = [10.0, 11.0, 12.0, 12.0], [9.0, 9.5, 10.0, 11.0], [9.5, 10.5, 11.5, 11.0]
    # TR1 = 11 - 9.5 = 1.5, TR2 = 12 - 10 = 2, TR3 = 12 - 11 = 1; ATR(2) = 1.75, then (1.75 + 1) / 2.
    assert_same(ind.atr(high, low, close, 2), [nan, nan, 1.75, 1.375])


def test_bollinger_by_hand():
    upper, middle, lower = ind.bollinger([1.0, 2.0, 3.0, 4.0, 5.0], 5, 2.0)
    # Population std of 1..5 is sqrt(2).
    assert_same(middle, [nan, nan, nan, nan, 3.0])
    assert_same(upper, [nan, nan, nan, nan, 3.0 + 2.0 * math.sqrt(2.0)])
    assert_same(lower, [nan, nan, nan, nan, 3.0 - 2.0 * math.sqrt(2.0)])
    flat = ind.bollinger(np.full(25, 0.1), 20)
    for band in flat:
        assert_same(band[19:], 0.1)  # a flat window has exactly zero width


def heikin_ashi_loop(o, h, lo, c):
    """The textbook definition, one candle at a time."""
    ha_open, ha_high, ha_low, ha_close = [], [], [], []
    for i in range(len(c)):
        close = (o[i] + h[i] + lo[i] + c[i]) / 4
        opening = (o[i] + c[i]) / 2 if i == 0 else (ha_open[-1] + ha_close[-1]) / 2
        ha_open.append(opening)
        ha_close.append(close)
        ha_high.append(max(h[i], opening, close))
        ha_low.append(min(lo[i], opening, close))
    return ha_open, ha_high, ha_low, ha_close


def test_heikin_ashi_equals_reference_loop(klines):
    for o, h, lo, c, _ in klines.values():
        for ours, reference in zip(ind.heikin_ashi(o, h, lo, c), heikin_ashi_loop(o, h, lo, c)):
            np.testing.assert_array_equal(ours, reference)  # same operations: identical bits


def test_heikin_ashi_golden_first_candles(klines):
    o, h, lo, c, _ = (a[:3] for a in klines["BTCUSDT"])
    np.testing.assert_array_equal(o, [87826.3, 87570.5, 87661.4])
    np.testing.assert_array_equal(c, [87570.5, 87661.4, 87500.8])
    ha_open, ha_high, ha_low, ha_close = ind.heikin_ashi(o, h, lo, c)
    assert_same(ha_close, [87698.4, 87625.575, 87585.625])  # (o + h + l + c) / 4
    assert_same(ha_open, [87698.4, 87698.4, 87661.9875])  # (o0 + c0) / 2, then the previous midpoint
    assert_same(ha_high, [87826.3, 87700.0, 87689.7])
    assert_same(ha_low, [87570.5, 87570.4, 87490.6])


# compute_all on the whole BTCUSDT series at candles 199 (the first candle every output has a value,
# and what a 200-candle scan sees), 2000 and 4031 (the last).
BTCUSDT_GOLDEN = {
    "ema9": (86909.8366766492, 87521.78263723903, 88463.8514891042),
    "ema21": (87546.25018087545, 87602.52576741969, 88411.0329513433),
    "ema50": (87645.60849605525, 87672.44718442821, 88335.20989090261),
    "ema200": (87140.29400000001, 87777.9993836427, 88144.76325199667),
    "rsi": (32.22536512778028, 46.07618973476285, 57.57362427830833),
    "macd": (-489.2693866800837, -78.32638337786193, 62.12958067849104),
    "macd_signal": (-200.8822652090101, -62.19846819513973, 66.1906508321822),
    "macd_hist": (-288.3871214710736, -16.127915182722198, -4.061070153691162),
    "atr": (510.1791309228474, 160.0761607607227, 76.92960616783017),
    "adx": (42.322068762268266, 15.342938463495877, 35.459822223895884),
    "plus_di": (12.302367068040072, 19.265031687457405, 21.952194782307963),
    "minus_di": (33.58995303101946, 30.10650792607566, 12.12903632763755),
    "bb_upper": (91021.44715415366, 87867.71970301171, 88556.41584073794),
    "bb_middle": (88209.785, 87617.71, 88416.91),
    "bb_lower": (85398.12284584634, 87367.7002969883, 88277.40415926206),
    "ha_open": (86493.09928112327, 87415.301905211, 88479.45565004856),
    "ha_high": (86663.1, 87642.7, 88495.0),
    "ha_low": (86197.2, 87415.301905211, 88443.1),
    "ha_close": (86422.65000000001, 87528.575, 88465.47499999999),
    "volume_sma20": (3282.6938999999998, 246.45684999999997, 175.6051),
}
GOLDEN_INDEXES = [199, 2000, 4031]


def test_compute_all_golden_btcusdt(klines):
    result = ind.compute_all(*klines["BTCUSDT"])
    assert tuple(result) == ind.INDICATOR_KEYS
    for key, expected in BTCUSDT_GOLDEN.items():
        assert_same(result[key][GOLDEN_INDEXES], expected)


def test_a_200_candle_scan_sees_the_same_first_values(klines):
    result = ind.compute_all(*(a[:200] for a in klines["BTCUSDT"]))
    for key, expected in BTCUSDT_GOLDEN.items():
        assert result[key][-1] == pytest.approx(expected[0], rel=1e-12)
        assert np.isfinite(result[key][-1])
