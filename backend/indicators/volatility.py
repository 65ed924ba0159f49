"""Volatility indicators: true range, ATR, Bollinger Bands.

Arrays in, arrays out: 1-D (time) or 2-D (symbols x time, time last), float64, same shape as the input,
NaN exactly where TA-Lib's output is NaN.  The lower-level helpers work on time-major (time, symbols)
arrays and a `Workspace`, and are shared with `compute_all` and the streaming path.
"""

from __future__ import annotations

import numpy as np

from ._filters import Recursion, Workspace, run_recursions, sequential_sum, window_sum, window_sum_scratch
from ._validate import check_high_low, check_period, from_time_major, prepare

# The sum-of-squares variance has an absolute rounding error of about 12 ulp of the mean squared
# deviation from the reference; a variance below that is noise, reported as 0 so that a flat window has
# exactly zero width at every price scale.
VARIANCE_NOISE = 16 * np.finfo(np.float64).eps


def true_range(high, low, close, out: np.ndarray, ws: Workspace) -> np.ndarray:
    """True range on (time, symbols) arrays: ``max(high, prev_close) - min(low, prev_close)``.

    Equal, bit for bit, to TA-Lib's ``max(high - low, |high - prev_close|, |low - prev_close|)`` when
    ``high >= low`` (checked by the callers).  Row 0 has no previous close and is NaN.
    """
    out[0] = np.nan
    with ws.scratch():
        lowest = np.minimum(low[1:], close[:-1], out=ws.take()[1:])
        np.maximum(high[1:], close[:-1], out=out[1:])
        np.subtract(out[1:], lowest, out=out[1:])
    return out


def atr(high, low, close, period: int = 14) -> np.ndarray:
    """Wilder's Average True Range, as TA-Lib ``ATR``.

    Seed: ``atr[period] = mean(TR[1 : period + 1])`` (TR is undefined on the first candle); then
    ``atr[t] = atr[t-1] + (TR[t] - atr[t-1]) / period`` (TA-Lib writes ``(atr * (period - 1) + TR) /
    period``; same value to ~1 ulp).  Warm-up: NaN for the first ``period`` candles.  Needs
    ``period + 1`` candles.  ``period = 1`` gives the true range itself.
    """
    period = check_period("period", period, minimum=1)
    ws, one_d, (h, lo, c) = prepare(period + 1, 2, high=high, low=low, close=close)
    check_high_low(h, lo)
    (out,) = run_recursions([atr_recursion(true_range(h, lo, c, ws.take(), ws), period)], ws)
    out[:period] = np.nan
    return from_time_major(out, one_d)


def atr_recursion(tr: np.ndarray, period: int) -> Recursion:
    def fill(column: np.ndarray) -> None:
        column[period] = sequential_sum(tr[1 : period + 1]) / period
        column[period + 1 :] = tr[period + 1 :]

    return Recursion(start=period, k=1.0 / period, fill=fill)


def bollinger(close, period: int = 20, k: float = 2.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bollinger Bands, as TA-Lib ``BBANDS(close, period, k, k, MA_Type.SMA)``.

    ``middle = SMA(close, period)``; ``std`` = population standard deviation (divide by ``period``) of the
    same window; ``upper = middle + k * std``, ``lower = middle - k * std``.  Warm-up: NaN for the first
    ``period - 1`` candles.  Needs ``period`` candles.  Returns ``(upper, middle, lower)``.

    Mean and variance come from window sums of deviations from a local reference (see
    `rolling_mean_std`), which avoids the cancellation of the textbook ``E[x^2] - E[x]^2``; a variance
    below the rounding noise of that formula is reported as 0.
    """
    period = check_period("period", period)
    ws, one_d, (values,) = prepare(period, 5 + window_sum_scratch(period), close=close)
    bands = bollinger_time_major(values, period, float(k), ws)
    return tuple(from_time_major(a, one_d) for a in bands)


def bollinger_time_major(close: np.ndarray, period: int, k: float, ws: Workspace):
    """``(upper, middle, lower)`` (time, symbols) arrays; takes 3 slabs from ``ws`` plus scratch."""
    upper, middle, lower = ws.take(), ws.take(), ws.take()
    warmup = period - 1
    upper[:warmup] = middle[:warmup] = lower[:warmup] = np.nan
    width = rolling_mean_std(close, period, middle[warmup:], upper[warmup:], ws)
    width *= k
    np.subtract(middle[warmup:], width, out=lower[warmup:])
    np.add(middle[warmup:], width, out=width)  # width lives in `upper`
    return upper, middle, lower


def rolling_mean_std(values, period: int, mean_out, std_out, ws: Workspace) -> np.ndarray:
    """Rolling mean and population standard deviation of (time, symbols) ``values``.

    Row ``i`` of the outputs covers ``values[i : i + period]`` (``len(values) - period + 1`` rows).
    Deviations are taken from the mean of each run of ``_CHUNK`` windows, so the rounding error of the
    variance scales with the price range inside ~``_CHUNK`` candles, not inside the whole series (about
    1e-13 relative on a day of 5m candles).  Applied to exactly ``period`` rows it gives that one
    window's statistics (the streaming path).  Needs 2 scratch slabs in ``ws`` plus those of
    `window_sum`.  Returns ``std_out``.
    """
    rows = mean_out.shape[0]
    for begin in range(0, rows, _CHUNK):
        end = min(begin + _CHUNK, rows)
        chunk = values[begin : end + period - 1]
        _mean_std(chunk, period, mean_out[begin:end], std_out[begin:end], ws)
    return std_out


_CHUNK = 256


def _mean_std(values, period: int, mean_out, std_out, ws: Workspace) -> None:
    reference = sequential_sum(values) / values.shape[0]
    rows = mean_out.shape[0]
    with ws.scratch():
        deviation = np.subtract(values, reference, out=ws.take()[: values.shape[0]])
        mean_dev = window_sum(deviation, period, mean_out, ws)  # mean_out holds the sum for now
        np.multiply(deviation, deviation, out=deviation)
        mean_square = window_sum(deviation, period, ws.take()[:rows], ws)
        mean_dev /= period
        mean_square /= period
        variance = np.multiply(mean_dev, mean_dev, out=std_out)
        np.subtract(mean_square, variance, out=variance)
        mean_square *= VARIANCE_NOISE
        variance *= variance > mean_square  # rounding noise (or a negative result) becomes 0
        np.sqrt(variance, out=std_out)
        np.add(mean_dev, reference, out=mean_out)
