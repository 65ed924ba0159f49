"""Heikin Ashi candles (no TA-Lib equivalent; checked against a plain loop and golden values).

Arrays in, arrays out: 1-D (time) or 2-D (symbols x time, time last), float64, same shape as the input.
"""

from __future__ import annotations

import numpy as np

from ._filters import Recursion, run_recursions
from ._validate import check_high_low, from_time_major, prepare


def heikin_ashi(open, high, low, close) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Heikin Ashi candles: ``(ha_open, ha_high, ha_low, ha_close)``.

    ``ha_close[t] = (open + high + low + close) / 4``;
    ``ha_open[0] = (open[0] + close[0]) / 2``, ``ha_open[t] = (ha_open[t-1] + ha_close[t-1]) / 2``;
    ``ha_high = max(high, ha_open, ha_close)``; ``ha_low = min(low, ha_open, ha_close)``.
    No warm-up (every value is defined), but ``ha_open`` depends on where the series starts, like an EMA.
    Needs 1 candle.
    """
    ws, one_d, (o, h, lo, c) = prepare(1, 4, open=open, high=high, low=low, close=close)
    check_high_low(h, lo)
    ha_close = heikin_ashi_close(o, h, lo, c, ws.take())
    (ha_open,) = run_recursions([heikin_ashi_open_recursion(o, c, ha_close)], ws)
    candles = heikin_ashi_candles(ha_open, h, lo, ha_close, ws.take(), ws.take())
    return tuple(from_time_major(a, one_d) for a in candles)


def heikin_ashi_close(o, h, lo, c, out: np.ndarray) -> np.ndarray:
    np.add(o, h, out=out)
    out += lo
    out += c
    out *= 0.25
    return out


def heikin_ashi_open_recursion(o: np.ndarray, c: np.ndarray, ha_close: np.ndarray) -> Recursion:
    """``ha_open[t] = ha_open[t-1] + (ha_close[t-1] - ha_open[t-1]) / 2``: the midpoint, as a filter."""

    def fill(column: np.ndarray) -> None:
        np.add(o[0], c[0], out=column[0])
        column[0] *= 0.5
        column[1:] = ha_close[:-1]

    return Recursion(start=0, k=0.5, fill=fill)


def heikin_ashi_candles(ha_open, h, lo, ha_close, high_out: np.ndarray, low_out: np.ndarray):
    np.maximum(h, ha_open, out=high_out)
    np.maximum(high_out, ha_close, out=high_out)
    np.minimum(lo, ha_open, out=low_out)
    np.minimum(low_out, ha_close, out=low_out)
    return ha_open, high_out, low_out, ha_close
