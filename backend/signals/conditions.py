"""The eight weighted conditions and the vectorised confidence score.

Every condition is evaluated at the last (most recent closed) candle, for many symbols at once:
inputs are the arrays of `indicators.compute_all` shaped (symbols, time) plus close and volume.
Each condition returns a (LONG mask, SHORT mask) pair; SHORT is the mirror image of LONG.

A comparison with NaN is False, and a symbol whose indicators are still warming up (or whose ATR
is 0, which would put stop-loss on the entry) is not `ready`: all its conditions are False and
its confidence is 0, so it can never create a signal.

confidence = 100 * (sum of the weights of the conditions met) / (sum of all weights)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from .config import CONDITION_NAMES, SignalConfig

#: Indicator values captured with every signal, as plain floats (all at the scored candle).
SNAPSHOT_KEYS: tuple[str, ...] = (
    "close", "volume", "ema9", "ema21", "ema50", "ema200", "rsi", "macd", "macd_signal",
    "macd_hist", "atr", "adx", "plus_di", "minus_di", "bb_upper", "bb_middle", "bb_lower",
    "ha_open", "ha_close", "volume_sma20",
)  # fmt: skip

Masks = tuple[np.ndarray, np.ndarray]


class _Last:
    """Last-candle values (each shape (n,)) plus the MACD tail needed for the crossover."""

    def __init__(self, values: Mapping[str, np.ndarray], macd_tail: np.ndarray,
                 signal_tail: np.ndarray) -> None:  # fmt: skip
        self.__dict__.update(values)
        self.macd_tail = macd_tail  # (n, lookback + 1), oldest first
        self.signal_tail = signal_tail


def macd_cross(v: _Last, c: SignalConfig) -> Masks:
    """LONG: MACD crossed above its signal line within the last `macd_cross_lookback` candles
    (MACD <= signal on one candle, > signal on the next) and is still above it now.
    SHORT: crossed below (>= then <) within the lookback and is still below."""
    m, s = v.macd_tail, v.signal_tail
    up = np.any((m[:, :-1] <= s[:, :-1]) & (m[:, 1:] > s[:, 1:]), axis=1)
    down = np.any((m[:, :-1] >= s[:, :-1]) & (m[:, 1:] < s[:, 1:]), axis=1)
    return up & (v.macd > v.macd_signal), down & (v.macd < v.macd_signal)


def rsi_band(v: _Last, c: SignalConfig) -> Masks:
    """LONG: rsi_long_min <= RSI <= rsi_long_max (50-70): momentum up, not yet overbought.
    SHORT: rsi_short_min <= RSI <= rsi_short_max (30-50): momentum down, not yet oversold."""
    return (
        (v.rsi >= c.rsi_long_min) & (v.rsi <= c.rsi_long_max),
        (v.rsi >= c.rsi_short_min) & (v.rsi <= c.rsi_short_max),
    )


def trend_ema50(v: _Last, c: SignalConfig) -> Masks:
    """LONG: close > EMA50 (medium-term uptrend). SHORT: close < EMA50."""
    return v.close > v.ema50, v.close < v.ema50


def ema_fast_slow(v: _Last, c: SignalConfig) -> Masks:
    """LONG: EMA9 > EMA21 (short-term momentum up). SHORT: EMA9 < EMA21."""
    return v.ema9 > v.ema21, v.ema9 < v.ema21


def adx_trend(v: _Last, c: SignalConfig) -> Masks:
    """LONG: ADX >= adx_min (20: a trend is present) and +DI > -DI (it points up).
    SHORT: ADX >= adx_min and -DI > +DI."""
    strong = v.adx >= c.adx_min
    return strong & (v.plus_di > v.minus_di), strong & (v.minus_di > v.plus_di)


def trend_ema200(v: _Last, c: SignalConfig) -> Masks:
    """LONG: close > EMA200 (long-term uptrend). SHORT: close < EMA200."""
    return v.close > v.ema200, v.close < v.ema200


def heikin_ashi(v: _Last, c: SignalConfig) -> Masks:
    """LONG: the last Heikin Ashi candle is bullish (HA close > HA open). SHORT: bearish."""
    return v.ha_close > v.ha_open, v.ha_close < v.ha_open


def bollinger_volume(v: _Last, c: SignalConfig) -> Masks:
    """LONG: close strictly inside the Bollinger bands in the upper half (middle < close <
    upper) on volume above its 20-candle mean: a supported move, not a band blow-off.
    SHORT: lower half (lower < close < middle), same volume rule."""
    volume_up = v.volume > v.volume_sma20
    return (
        (v.close > v.bb_middle) & (v.close < v.bb_upper) & volume_up,
        (v.close < v.bb_middle) & (v.close > v.bb_lower) & volume_up,
    )


#: Evaluation order is `CONDITION_NAMES` order.
CONDITIONS: Mapping[str, Callable[[_Last, SignalConfig], Masks]] = {
    f.__name__: f
    for f in (macd_cross, rsi_band, trend_ema50, ema_fast_slow, adx_trend, trend_ema200,
              heikin_ashi, bollinger_volume)
}  # fmt: skip
assert tuple(CONDITIONS) == CONDITION_NAMES


@dataclass(frozen=True)
class ScoreBatch:
    """Scores of n symbols at their last candle. Masks are (n, 8) in `CONDITION_NAMES` order."""

    ready: np.ndarray  # (n,) bool
    long_met: np.ndarray
    short_met: np.ndarray
    long_confidence: np.ndarray  # (n,) float, 0-100
    short_confidence: np.ndarray
    values: Mapping[str, np.ndarray]  # SNAPSHOT_KEYS -> (n,) float

    def __len__(self) -> int:
        return len(self.ready)

    def snapshot(self, i: int) -> dict[str, float]:
        """Indicator values of symbol `i` as plain Python floats."""
        return {k: float(self.values[k][i]) for k in SNAPSHOT_KEYS}

    def conditions_met(self, i: int, long: bool) -> tuple[str, ...]:
        met = (self.long_met if long else self.short_met)[i]
        return tuple(name for name, ok in zip(CONDITION_NAMES, met) if ok)


def score_indicators(
    indicators: Mapping[str, np.ndarray],
    close: np.ndarray,
    volume: np.ndarray,
    config: SignalConfig,
) -> ScoreBatch:
    """Score the last candle of every row of (symbols, time) arrays (1-D means one symbol)."""
    close2 = np.atleast_2d(np.asarray(close, dtype=float))
    n, length = close2.shape
    lookback = config.macd_cross_lookback
    if length < lookback + 1:
        raise ValueError(f"need at least {lookback + 1} candles, got {length}")

    def last(a: np.ndarray) -> np.ndarray:
        return np.atleast_2d(a)[:, -1]

    values = {k: last(indicators[k]) for k in SNAPSHOT_KEYS if k not in ("close", "volume")}
    values["close"] = close2[:, -1]
    values["volume"] = last(np.asarray(volume, dtype=float))
    macd_tail = np.atleast_2d(indicators["macd"])[:, -lookback - 1:]
    signal_tail = np.atleast_2d(indicators["macd_signal"])[:, -lookback - 1:]

    ready = np.all(np.isfinite(np.stack([values[k] for k in SNAPSHOT_KEYS])), axis=0)
    ready &= np.all(np.isfinite(macd_tail) & np.isfinite(signal_tail), axis=1)
    ready &= (values["atr"] > 0) & (values["close"] > 0)

    v = _Last(values, macd_tail, signal_tail)
    long_met = np.empty((n, len(CONDITION_NAMES)), dtype=bool)
    short_met = np.empty_like(long_met)
    for j, condition in enumerate(CONDITIONS.values()):
        long_met[:, j], short_met[:, j] = condition(v, config)
    long_met &= ready[:, None]
    short_met &= ready[:, None]

    weights = config.weight_vector
    total = weights.sum()
    return ScoreBatch(
        ready=ready,
        long_met=long_met,
        short_met=short_met,
        long_confidence=(long_met @ weights) * 100.0 / total,
        short_confidence=(short_met @ weights) * 100.0 / total,
        values=values,
    )
