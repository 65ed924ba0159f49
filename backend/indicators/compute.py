"""`compute_all`: the whole indicator set for the signal engine in one vectorised call.

All recursive filters (EMA 9/21/50/200, MACD's two EMAs, RSI's average gain and loss, ATR, the
smoothed +DM/-DM/TR and the Heikin Ashi open) run side by side in one time loop, then the two that
depend on them (MACD signal, ADX) in a second one; every array comes from one `Workspace`.  For 400
symbols x 200 candles this is faster than TA-Lib called symbol by symbol (bench/bench_indicators.py).
"""

from __future__ import annotations

import numpy as np

from ._filters import Workspace, run_recursions
from ._validate import check_high_low, from_time_major, prepare
from .candles import heikin_ashi_candles, heikin_ashi_close, heikin_ashi_open_recursion
from .momentum import rsi_from_averages, rsi_recursions
from .trend import (
    adx_recursion,
    directional_indexes,
    dm_recursions,
    ema_recursion,
    macd_line,
    macd_line_recursions,
    macd_outputs,
    macd_signal_recursion,
    sma_time_major,
)
from .volatility import atr_recursion, bollinger_time_major, true_range

EMA_PERIODS = (9, 21, 50, 200)
RSI_PERIOD = 14
MACD_FAST, MACD_SLOW, MACD_SIGNAL = 12, 26, 9
ATR_PERIOD = 14
ADX_PERIOD = 14
BB_PERIOD, BB_K = 20, 2.0
VOLUME_SMA_PERIOD = 20

#: `compute_all` needs this many candles: EMA 200 has its first value on candle 200.
COMPUTE_ALL_MIN_CANDLES = max(EMA_PERIODS)

#: The keys of `compute_all`'s result, in order.
INDICATOR_KEYS = (
    "ema9", "ema21", "ema50", "ema200",
    "rsi", "macd", "macd_signal", "macd_hist",
    "atr", "adx", "plus_di", "minus_di",
    "bb_upper", "bb_middle", "bb_lower",
    "ha_open", "ha_high", "ha_low", "ha_close",
    "volume_sma20",
)  # fmt: skip

# (time, symbols) slabs used at the peak by compute_all: 3 input copies, 13 + 2 filter columns, 13 other
# outputs, 4 long-lived intermediates and 6 scratch slabs (tests/test_workspace.py checks it).
WORKSPACE_SLABS = 39


def compute_all(open, high, low, close, volume) -> dict[str, np.ndarray]:
    """Every indicator the signal engine uses, for one symbol (1-D) or many (2-D, symbols x time).

    Keys (`INDICATOR_KEYS`): ``ema9 ema21 ema50 ema200`` (`ema`), ``rsi`` (`rsi`, 14),
    ``macd macd_signal macd_hist`` (`macd`, 12/26/9), ``atr`` (`atr`, 14), ``adx plus_di minus_di``
    (`adx`, 14), ``bb_upper bb_middle bb_lower`` (`bollinger`, 20, 2.0),
    ``ha_open ha_high ha_low ha_close`` (`heikin_ashi`), ``volume_sma20`` (`sma` of volume, 20).

    Each value is, bit for bit, what the single-indicator function returns (same formulas and NaN
    warm-up as TA-Lib), with the input's shape; a 2-D call equals the row-by-row 1-D calls bit for bit.
    The arrays are views into one buffer of about 39 x 8 bytes x symbols x candles (25 MB for 400 x
    200): copy the ones you keep if you drop the rest.  Needs `COMPUTE_ALL_MIN_CANDLES` (200) candles,
    so that every output has at least one value; raises `IndicatorInputError` for fewer, for NaN/inf,
    mismatched shapes, a wrong number of dimensions or ``high < low``.
    """
    ws, one_d, arrays = prepare(
        COMPUTE_ALL_MIN_CANDLES, WORKSPACE_SLABS, open=open, high=high, low=low, close=close, volume=volume
    )
    o, h, lo, c, v = arrays
    check_high_low(h, lo)
    if not one_d:  # high, low and close are read a dozen times each: make them contiguous once
        h, lo, c = (ws.copy(x) for x in (h, lo, c))
    outputs = compute_time_major(o, h, lo, c, v, ws)
    return {key: from_time_major(outputs[key], one_d) for key in INDICATOR_KEYS}


def compute_time_major(o, h, lo, c, v, ws: Workspace, filter_states: dict | None = None) -> dict:
    """`compute_all` on validated (time, symbols) arrays.

    If ``filter_states`` is a dict it receives the last row of the internal filters that are not
    outputs (MACD's EMAs, RSI's averages, ADX's smoothed DM and TR): what the streaming path needs.
    """
    out = {}
    tr = true_range(h, lo, c, ws.take(), ws)
    out["ha_close"] = heikin_ashi_close(o, h, lo, c, ws.take())

    stage_one = [ema_recursion(c, p) for p in EMA_PERIODS]
    stage_one += macd_line_recursions(c, MACD_FAST, MACD_SLOW)
    stage_one += rsi_recursions(c, RSI_PERIOD, ws)
    stage_one.append(atr_recursion(tr, ATR_PERIOD))
    stage_one += dm_recursions(h, lo, tr, ADX_PERIOD, ws)
    stage_one.append(heikin_ashi_open_recursion(o, c, out["ha_close"]))
    *emas, fast, slow, gains, losses, out["atr"], plus_dm, minus_dm, tr_avg, out["ha_open"] = run_recursions(
        stage_one, ws
    )

    line = macd_line(fast, slow, MACD_SLOW, ws.take())
    plus_di, minus_di = directional_indexes(plus_dm, minus_dm, tr_avg, ADX_PERIOD, ws.take(), ws.take())
    stage_two = [
        macd_signal_recursion(line, MACD_SLOW, MACD_SIGNAL),
        adx_recursion(plus_di, minus_di, ADX_PERIOD, ws),
    ]
    signal_line, out["adx"] = run_recursions(stage_two, ws)
    if filter_states is not None:
        filter_states.update(
            ema_fast=fast[-1].copy(), ema_slow=slow[-1].copy(), avg_gain=gains[-1].copy(),
            avg_loss=losses[-1].copy(), plus_dm=plus_dm[-1].copy(), minus_dm=minus_dm[-1].copy(),
            tr=tr_avg[-1].copy(),
        )  # fmt: skip

    for period, series in zip(EMA_PERIODS, emas):
        series[: period - 1] = np.nan
        out[f"ema{period}"] = series
    out["rsi"] = rsi_from_averages(gains, losses, RSI_PERIOD, ws.take(), ws)
    out["macd"], out["macd_signal"], out["macd_hist"] = macd_outputs(
        line, signal_line, MACD_SLOW, MACD_SIGNAL, ws.take()
    )
    out["atr"][:ATR_PERIOD] = np.nan
    out["adx"][: 2 * ADX_PERIOD - 1] = np.nan
    out["plus_di"], out["minus_di"] = plus_di, minus_di
    out["bb_upper"], out["bb_middle"], out["bb_lower"] = bollinger_time_major(c, BB_PERIOD, BB_K, ws)
    _, out["ha_high"], out["ha_low"], _ = heikin_ashi_candles(
        out["ha_open"], h, lo, out["ha_close"], ws.take(), ws.take()
    )
    out["volume_sma20"] = sma_time_major(v, VOLUME_SMA_PERIOD, ws.take(), ws)
    return out
