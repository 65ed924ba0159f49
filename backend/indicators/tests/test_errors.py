"""Bad input raises IndicatorInputError (a ValueError) with a message that says what is wrong."""

from __future__ import annotations

import numpy as np
import pytest
import talib
from talib import abstract

import indicators as ind
from indicators import IndicatorInputError

RNG = np.random.default_rng(3)
CLOSE = 100.0 + np.cumsum(RNG.normal(0, 1, 300))
HIGH, LOW = CLOSE + 1.0, CLOSE - 1.0
OPEN, VOLUME = CLOSE.copy(), np.full(300, 10.0)
ARRAYS = (OPEN, HIGH, LOW, CLOSE, VOLUME)


def lookback(name: str, **params) -> int:
    return abstract.Function(name, **params).lookback


# name: (the function on the first n candles, TA-Lib's lookback for the same call)
CASES = {
    "sma": (lambda n: ind.sma(CLOSE[:n], 20), lookback("SMA", timeperiod=20)),
    "ema": (lambda n: ind.ema(CLOSE[:n], 9), lookback("EMA", timeperiod=9)),
    "rsi": (lambda n: ind.rsi(CLOSE[:n]), lookback("RSI", timeperiod=14)),
    "macd": (lambda n: ind.macd(CLOSE[:n])[0], lookback("MACD")),
    "atr": (lambda n: ind.atr(HIGH[:n], LOW[:n], CLOSE[:n]), lookback("ATR", timeperiod=14)),
    "adx": (lambda n: ind.adx(HIGH[:n], LOW[:n], CLOSE[:n])[0], lookback("ADX", timeperiod=14)),
    "bollinger": (lambda n: ind.bollinger(CLOSE[:n])[0], lookback("BBANDS", timeperiod=20)),
    "heikin_ashi": (lambda n: ind.heikin_ashi(OPEN[:n], HIGH[:n], LOW[:n], CLOSE[:n])[0], 0),
    "compute_all": (lambda n: ind.compute_all(*(a[:n] for a in ARRAYS))["ema200"], 199),
}


@pytest.mark.parametrize("name", CASES)
def test_minimum_length_is_one_value_more_than_talibs_lookback(name):
    compute, lookback = CASES[name]
    result = compute(lookback + 1)  # the shortest accepted series has exactly one value
    assert np.isnan(result[:-1]).all() and np.isfinite(result[-1])
    with pytest.raises(IndicatorInputError, match=rf"{lookback} candles is too few: at least {lookback + 1}"):
        compute(lookback)


def test_compute_all_needs_200_candles():
    assert ind.COMPUTE_ALL_MIN_CANDLES == 200
    with pytest.raises(IndicatorInputError, match="too few"):
        ind.compute_all(*(np.ones((3, 199)) for _ in range(5)))
    with pytest.raises(IndicatorInputError, match="too few"):
        ind.rsi([])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("position", range(5))
def test_nan_or_infinite_input_names_the_array_and_index(bad, position):
    arrays = [a.copy() for a in (OPEN, HIGH, LOW, CLOSE, VOLUME)]
    arrays[position][123] = bad
    name = ("open", "high", "low", "close", "volume")[position]
    with pytest.raises(IndicatorInputError, match=rf"{name}: NaN or infinite value at index \(123,\)"):
        ind.compute_all(*arrays)


def test_nan_in_a_2d_batch_names_the_symbol_row():
    close = np.tile(CLOSE, (4, 1))
    close[2, 50] = np.nan
    with pytest.raises(IndicatorInputError, match=r"close: NaN or infinite value at index \(2, 50\)"):
        ind.rsi(close)


def test_mismatched_shapes():
    with pytest.raises(IndicatorInputError, match="same shape"):
        ind.atr(HIGH, LOW[:-1], CLOSE)
    with pytest.raises(IndicatorInputError, match="same shape"):
        ind.compute_all(OPEN, HIGH, LOW, CLOSE, np.tile(VOLUME, (2, 1)))


@pytest.mark.parametrize("value", [np.float64(3.0), np.ones((2, 2, 250))])
def test_wrong_number_of_dimensions(value):
    with pytest.raises(IndicatorInputError, match="expected a 1-D .* or 2-D"):
        ind.ema(value, 3)


@pytest.mark.parametrize("value", [["1", "2", "3"], np.array([True, False, True]), np.ones(3, dtype=complex)])
def test_non_numeric_input(value):
    with pytest.raises(IndicatorInputError, match="expected a numeric array"):
        ind.sma(value, 2)


def test_integer_and_float32_input_is_accepted_as_float64():
    assert ind.sma(np.arange(10), 3).dtype == np.float64
    np.testing.assert_array_equal(ind.ema(np.arange(30, dtype=np.float32), 5), ind.ema(np.arange(30.0), 5))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: ind.ema(CLOSE, 1), "period must be >= 2"),
        (lambda: ind.rsi(CLOSE, 0), "period must be >= 2"),
        (lambda: ind.atr(HIGH, LOW, CLOSE, 0), "period must be >= 1"),
        (lambda: ind.adx(HIGH, LOW, CLOSE, 2.5), "period must be an integer"),
        (lambda: ind.bollinger(CLOSE, "20"), "period must be an integer"),
        (lambda: ind.macd(CLOSE, 26, 12), r"fast \(26\) must be shorter than slow \(12\)"),
        (lambda: ind.macd(CLOSE, 12, 26, 0), "signal must be >= 1"),
    ],
)
def test_bad_parameters(call, message):
    with pytest.raises(IndicatorInputError, match=message):
        call()


def test_high_below_low_is_reported_with_its_position():
    with pytest.raises(IndicatorInputError, match=r"high < low at time index 0 .*argument order"):
        ind.adx(LOW, HIGH, CLOSE)  # swapped
    high = HIGH.copy()
    high[77] = LOW[77] - 1.0
    with pytest.raises(IndicatorInputError, match="time index 77"):
        ind.compute_all(OPEN, high, LOW, CLOSE, VOLUME)


def test_errors_are_value_errors():
    assert issubclass(IndicatorInputError, ValueError)


def test_talib_itself_needs_the_same_lengths():
    # The rule above restated against TA-Lib directly: one candle fewer gives TA-Lib only NaN.
    assert np.isnan(talib.RSI(CLOSE[:14], 14)).all() and np.isfinite(talib.RSI(CLOSE[:15], 14)[-1])
    assert np.isnan(talib.ADX(HIGH[:27], LOW[:27], CLOSE[:27], 14)).all()
