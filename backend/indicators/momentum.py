"""Momentum indicators: Wilder's RSI.

Arrays in, arrays out: 1-D (time) or 2-D (symbols x time, time last), float64, same shape as the input,
NaN exactly where TA-Lib's output is NaN.  The lower-level helpers work on time-major (time, symbols)
arrays and a `Workspace`, and are shared with `compute_all`.
"""

from __future__ import annotations

import numpy as np

from ._filters import Recursion, Workspace, run_recursions, sequential_sum
from ._validate import check_period, from_time_major, prepare


def rsi(close, period: int = 14) -> np.ndarray:
    """Relative Strength Index (Wilder), as TA-Lib ``RSI``.

    ``change[t] = close[t] - close[t-1]``, ``gain = max(change, 0)``, ``loss = max(-change, 0)``.
    Seed: average gain and loss of the first ``period`` changes (``t = 1 .. period``, added left to
    right as TA-Lib does); then Wilder smoothing ``avg[t] = avg[t-1] + (value[t] - avg[t-1]) / period``
    (TA-Lib writes it ``(avg[t-1] * (period - 1) + value[t]) / period``; same value to ~1 ulp).
    ``rsi = 100 * avg_gain / (avg_gain + avg_loss)``, and 0 when both averages are 0 (a flat series;
    TA-Lib's convention).  Warm-up: NaN for the first ``period`` candles.  Needs ``period + 1`` candles.

    There is no absolute zero band (TA-Lib 0.4 had one, 1e-8 in price units, which zeroed the RSI of
    sub-cent coins): a tiny but nonzero movement still gives its ratio, at any price scale.
    """
    period = check_period("period", period)
    ws, one_d, (values,) = prepare(period + 1, 5, close=close)
    averages = run_recursions(rsi_recursions(values, period, ws), ws)
    return from_time_major(rsi_from_averages(*averages, period, ws.take(), ws), one_d)


def rsi_recursions(close: np.ndarray, period: int, ws: Workspace) -> list[Recursion]:
    """Wilder averages of gains and losses, seeded at ``period`` with the means of the first changes."""
    change = np.subtract(close[1:], close[:-1], out=ws.take()[1:])
    zeros = np.zeros(close.shape[1:])  # maximum() against an array is ~3x faster than against 0.0

    def fill_gain(column: np.ndarray) -> None:
        np.maximum(change, zeros, out=column[1:])
        column[period] = sequential_sum(column[1 : period + 1]) / period

    def fill_loss(column: np.ndarray) -> None:
        np.maximum(change, zeros, out=column[1:])
        np.subtract(column[1:], change, out=column[1:])  # max(c, 0) - c == max(-c, 0), exactly
        column[period] = sequential_sum(column[1 : period + 1]) / period

    k = 1.0 / period
    return [Recursion(start=period, k=k, fill=fill_gain), Recursion(start=period, k=k, fill=fill_loss)]


def rsi_from_averages(avg_gain, avg_loss, period: int, out: np.ndarray, ws: Workspace) -> np.ndarray:
    out[:period] = np.nan
    live = out[period:]
    gain = avg_gain[period:]
    with ws.scratch():
        total = np.add(gain, avg_loss[period:], out=ws.take()[period:])
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(gain, total, out=live)
        flat = total == 0.0
        if flat.any():
            live[flat] = 0.0
    live *= 100.0
    return out
