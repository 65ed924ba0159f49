"""Trend indicators: SMA, EMA, MACD, ADX with +DI/-DI.

Arrays in, arrays out: 1-D (time) or 2-D (symbols x time, time last), float64, same shape as the input,
NaN exactly where TA-Lib's output is NaN (its lookback).  Values agree with TA-Lib (0.8) called with
default settings (compatibility "default", unstable period 0); see tests/test_talib_agreement.py.

The lower-level helpers work on time-major (time, symbols) arrays and a `Workspace`; `compute_all`
uses them to run the recursive filters of every indicator in one loop.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._filters import Recursion, Workspace, run_recursions, sequential_sum, window_sum, window_sum_scratch
from ._validate import IndicatorInputError, check_high_low, check_period, from_time_major, prepare
from .volatility import true_range

# TA-Lib's zero band for +DI + -DI (below it DX is undefined and ADX holds): DI are percentages, so
# the band is the same at every price scale.
DI_SUM_ZERO = 1e-14


def sma(x, period: int) -> np.ndarray:
    """Simple moving average ``mean(x[t-period+1 : t+1])``, as TA-Lib ``SMA``.

    Warm-up: NaN for the first ``period - 1`` candles.  Needs ``period`` candles.
    """
    period = check_period("period", period)
    ws, one_d, (values,) = prepare(period, 1 + window_sum_scratch(period), x=x)
    return from_time_major(sma_time_major(values, period, ws.take(), ws), one_d)


def sma_time_major(values: np.ndarray, period: int, out: np.ndarray, ws: Workspace) -> np.ndarray:
    out[: period - 1] = np.nan
    live = window_sum(values, period, out[period - 1 :], ws)
    live /= period
    return out


def ema(x, period: int) -> np.ndarray:
    """Exponential moving average with ``alpha = 2 / (period + 1)``, as TA-Lib ``EMA``.

    Seed (TA-Lib default compatibility): ``ema[period-1] = mean(x[0:period])``, added left to right;
    then ``ema[t] = ((x[t] - ema[t-1]) * alpha) + ema[t-1]``: TA-Lib's operations in TA-Lib's order
    (TA-Lib fuses the multiply-add into one FMA where the CPU has it, so the last bit can differ).
    Warm-up: NaN for the first ``period - 1`` candles.  Needs ``period`` candles.  Like TA-Lib's, the
    value depends on where the series starts.
    """
    period = check_period("period", period)
    ws, one_d, (values,) = prepare(period, 1, x=x)
    (out,) = run_recursions([ema_recursion(values, period)], ws)
    out[: period - 1] = np.nan
    return from_time_major(out, one_d)


def ema_recursion(values: np.ndarray, period: int, start: int | None = None) -> Recursion:
    """EMA of ``values`` seeded at ``start`` (default ``period - 1``) with the mean of the ``period``
    values ending there, as TA-Lib's internal EMA does (MACD seeds its fast EMA late this way)."""
    start = period - 1 if start is None else start
    alpha = 2.0 / (period + 1)

    def fill(column: np.ndarray) -> None:
        column[start] = sequential_sum(values[start - period + 1 : start + 1]) / period
        column[start + 1 :] = values[start + 1 :]

    return Recursion(start=start, k=alpha, fill=fill)


def macd(close, fast: int = 12, slow: int = 26, signal: int = 9) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MACD line, signal line and histogram, as TA-Lib ``MACD``.

    ``macd = ema_fast - ema_slow``; ``signal = ema_signal(macd)``; ``hist = macd - signal``.
    Seeding follows TA-Lib: both EMAs are seeded at index ``slow - 1``, the fast one with the mean of the
    ``fast`` closes ending there (not of the first ``fast`` closes); the signal EMA is seeded at
    ``slow + signal - 2`` with the mean of the first ``signal`` MACD values.  Warm-up: all three are NaN
    for the first ``slow + signal - 2`` candles (33 for 12/26/9).  Needs ``slow + signal - 1`` candles.
    Unlike TA-Lib, ``fast >= slow`` is rejected instead of being silently swapped.
    """
    fast, slow, signal = macd_periods(fast, slow, signal)
    ws, one_d, (values,) = prepare(slow + signal - 1, 5, close=close)
    line = macd_line(*run_recursions(macd_line_recursions(values, fast, slow), ws), slow, ws.take())
    (signal_line,) = run_recursions([macd_signal_recursion(line, slow, signal)], ws)
    outputs = macd_outputs(line, signal_line, slow, signal, ws.take())
    return tuple(from_time_major(a, one_d) for a in outputs)


def macd_periods(fast, slow, signal) -> tuple[int, int, int]:
    fast = check_period("fast", fast)
    slow = check_period("slow", slow)
    signal = check_period("signal", signal, minimum=1)
    if fast >= slow:
        raise IndicatorInputError(f"fast ({fast}) must be shorter than slow ({slow})")
    return fast, slow, signal


def macd_line_recursions(close: np.ndarray, fast: int, slow: int) -> list[Recursion]:
    return [ema_recursion(close, fast, start=slow - 1), ema_recursion(close, slow, start=slow - 1)]


def macd_line(ema_fast: np.ndarray, ema_slow: np.ndarray, slow: int, out: np.ndarray) -> np.ndarray:
    """``ema_fast - ema_slow`` from index ``slow - 1`` on, NaN before (the EMAs are undefined there)."""
    out[: slow - 1] = np.nan
    np.subtract(ema_fast[slow - 1 :], ema_slow[slow - 1 :], out=out[slow - 1 :])
    return out


def macd_signal_recursion(line: np.ndarray, slow: int, signal: int) -> Recursion:
    return ema_recursion(line, signal, start=slow + signal - 2)


def macd_outputs(line, signal_line, slow: int, signal: int, hist_out: np.ndarray):
    """Mask the warm-up of line and signal (in place) and write the histogram into ``hist_out``."""
    warmup = slow + signal - 2
    line[:warmup] = signal_line[:warmup] = np.nan
    return line, signal_line, np.subtract(line, signal_line, out=hist_out)


def adx(high, low, close, period: int = 14) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wilder's ADX, +DI and -DI, as TA-Lib ``ADX``, ``PLUS_DI`` and ``MINUS_DI``.

    Per candle ``t >= 1``: ``up = high[t] - high[t-1]``, ``down = low[t-1] - low[t]``;
    ``+DM = up`` if ``up > down and up > 0`` else 0; ``-DM = down`` if ``down > up and down > 0`` else 0;
    ``TR`` = true range.  Wilder smoothing (TA-Lib's seeding): at ``t = period - 1`` the sums of the
    first ``period - 1`` values, then ``S[t] = S[t-1] - S[t-1] / period + value[t]`` (run here on
    ``S / period``, which the DI ratio does not see).
    ``+DI = 100 * S(+DM) / S(TR)`` (0 when ``S(TR) == 0``), likewise -DI, from ``t = period``.
    ``DX = 100 * |+DI - -DI| / (+DI + -DI)``, undefined when ``+DI + -DI < 1e-14``.
    ``ADX[2*period-1]`` = sum of the ``period`` DX values from ``t = period`` (undefined ones count 0)
    divided by ``period``; then ``ADX[t] = ADX[t-1] + (DX[t] - ADX[t-1]) / period``, held unchanged on
    candles where DX is undefined (TA-Lib's behaviour).

    Warm-up: ADX NaN for the first ``2 * period - 1`` candles (27), +DI/-DI for the first ``period`` (14).
    Needs ``2 * period`` candles.  Returns ``(adx, plus_di, minus_di)``.

    The only zero band is TA-Lib's 1e-14 on ``+DI + -DI``, a percentage and so scale-free; ``S(TR)`` is
    tested for an exact zero.  Results scale exactly with the prices (tested down to ~1e-21).
    """
    period = check_period("period", period)
    ws, one_d, (h, lo, c) = prepare(2 * period, 10, high=high, low=low, close=close)
    check_high_low(h, lo)
    tr = true_range(h, lo, c, ws.take(), ws)
    smoothed = run_recursions(dm_recursions(h, lo, tr, period, ws), ws)
    plus_di, minus_di = directional_indexes(*smoothed, period, ws.take(), ws.take())
    (adx_line,) = run_recursions([adx_recursion(plus_di, minus_di, period, ws)], ws)
    adx_line[: 2 * period - 1] = np.nan
    return tuple(from_time_major(a, one_d) for a in (adx_line, plus_di, minus_di))


def dm_recursions(high, low, tr, period: int, ws: Workspace) -> list[Recursion]:
    """Wilder-smoothed +DM, -DM and TR (each divided by ``period``), seeded at ``period - 1``."""
    # With up+ = max(up, 0) and down+ = max(down, 0): "up > down and up > 0" is exactly "up+ > down+",
    # and +DM = up+ there (likewise for -DM), so each DM is one product with a comparison.
    zeros = np.zeros(high.shape[1:])
    up = np.subtract(high[1:], high[:-1], out=ws.take()[1:])
    np.maximum(up, zeros, out=up)
    down = np.subtract(low[:-1], low[1:], out=ws.take()[1:])
    np.maximum(down, zeros, out=down)
    first = period - 1

    def smoothed(series_into: Callable[[np.ndarray], object]) -> Recursion:
        def fill(column: np.ndarray) -> None:
            series_into(column[1:])
            column[first] = sequential_sum(column[1 : first + 1]) / period

        return Recursion(start=first, k=1.0 / period, fill=fill)

    return [
        smoothed(lambda out: np.multiply(up, np.greater(up, down), out=out)),
        smoothed(lambda out: np.multiply(down, np.greater(down, up), out=out)),
        smoothed(lambda out: np.copyto(out, tr[1:])),
    ]


def directional_indexes(plus_dm, minus_dm, tr, period: int, plus_out, minus_out):
    """+DI and -DI (NaN during the warm-up) from the smoothed DM and TR, written into the outputs."""
    live = slice(period, None)
    plus_out[:period] = minus_out[:period] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(plus_dm[live], tr[live], out=plus_out[live])
        np.divide(minus_dm[live], tr[live], out=minus_out[live])
    flat = tr[live] == 0.0  # no range at all since the start: both DI are 0, as in TA-Lib
    if flat.any():
        plus_out[live][flat] = minus_out[live][flat] = 0.0
    plus_out[live] *= 100.0
    minus_out[live] *= 100.0
    return plus_out, minus_out


def adx_recursion(plus_di, minus_di, period: int, ws: Workspace) -> Recursion:
    """ADX: Wilder smoothing of DX from ``t = period``, seeded at ``2 * period - 1`` with the mean DX."""
    start = 2 * period - 1
    live = slice(period, None)
    di_sum = np.add(plus_di[live], minus_di[live], out=ws.take()[live])
    undefined = di_sum < DI_SUM_ZERO
    k = 1.0 / period
    if undefined[start - period + 1 :].any():  # rare: ADX must hold its value on those candles
        k = np.full(plus_di.shape, k)
        k[live][undefined] = 0.0

    def fill(column: np.ndarray) -> None:
        dx = column[live]
        np.subtract(minus_di[live], plus_di[live], out=dx)
        np.abs(dx, out=dx)
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(dx, di_sum, out=dx)
        dx *= 100.0
        if undefined.any():
            dx[undefined] = 0.0  # counts as 0 in the seed, as in TA-Lib
        column[start] = sequential_sum(column[period : start + 1]) / period

    return Recursion(start=start, k=k, fill=fill)
