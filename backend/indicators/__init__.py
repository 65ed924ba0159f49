"""Technical indicators in pure numpy: arrays in, arrays out, no Django, no I/O.

Every function takes 1-D arrays (one symbol, time axis) or 2-D arrays (symbols x time, the time axis
last; one vectorised call for a whole scan) and returns float64 arrays of the same shape with NaN during
the warm-up, at the same positions as TA-Lib's output.  Values agree with TA-Lib (default settings).

    trend.py       sma, ema, macd, adx (+DI, -DI)
    momentum.py    rsi
    volatility.py  atr, bollinger
    candles.py     heikin_ashi
    compute.py     compute_all: the whole set the signal engine uses, in one call
    streaming.py   StreamingIndicators: compute_all continued one candle at a time

Bad input (too few candles, NaN/inf, mismatched shapes, wrong ndim, bad periods) raises
`IndicatorInputError`, a `ValueError`.
"""

from ._validate import IndicatorInputError
from .candles import heikin_ashi
from .compute import COMPUTE_ALL_MIN_CANDLES, INDICATOR_KEYS, compute_all
from .momentum import rsi
from .streaming import StreamingIndicators
from .trend import adx, ema, macd, sma
from .volatility import atr, bollinger

__all__ = [
    "COMPUTE_ALL_MIN_CANDLES",
    "INDICATOR_KEYS",
    "IndicatorInputError",
    "StreamingIndicators",
    "adx",
    "atr",
    "bollinger",
    "compute_all",
    "ema",
    "heikin_ashi",
    "macd",
    "rsi",
    "sma",
]
