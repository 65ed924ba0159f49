"""The scanner engine over history: the live engine's signals, with indicators computed once. Pure.

The live path (bench/replay.py) feeds the engine one closed candle per symbol and step, and every
step computes the indicators again over the last `cache_length` cached candles and scores the
last one. Here:

1. `indicators.compute_all` runs once over the whole (symbols, time) arrays;
2. `signals.conditions.score_indicators` scores every candle of every symbol in one call (each
   (symbol, candle) is a row whose last column is that candle, with the MACD tail before it);
3. the candles whose score could differ from the live one (below) are scored again exactly as
   live does: `signals.engine.score_candles` on that candle's own window of cached candles;
4. only the lifecycle runs candle by candle: the engine's own step (`SignalDetectionEngine`,
   whose cache here is a view into the arrays), called for a symbol only at the candles where
   something can happen: an active signal, or a score at the creation threshold. (At any other
   candle the engine's step changes nothing and returns no event.)

Why step 3. A recursive indicator depends on where its series starts, and the live window starts
`cache_length - 1` candles back, the whole arrays at the first candle. The seed's weight decays
by (1 - alpha) per candle: after a 1000-candle window, (199/201)^800 = 3.4e-4 for EMA200,
(49/51)^950 = 3e-17 for EMA50, below 1e-30 for the Wilder averages (RSI, ATR, ADX), MACD and
Heikin Ashi (with `cache_length >= EXACT_TAIL_MIN_CACHE`, all but the EMAs differ by rounding
only). Per candle, each EMA's drift is computed exactly (|window seed - whole-array EMA at the
seed| x (1 - alpha)^(cache length - period)), and a candle is *fragile* when any comparison of a
condition is closer than its bound (the drift, plus `ROUNDING` x price for rounding, Bollinger's
chunked sums included). Fragile candles are rescored on their own window; at the others every
margin exceeds its bound, so the score is the live one. With a shorter cache every candle is
rescored on its window (exact, but as slow as the live path).

Decisions equal the live path's: the same events (kind, signal, time, score, conditions, closing
reason). Outside rescored candles, a signal's levels and snapshot may differ from live's in the
last bits, and its snapshot's EMA200 by the drift bound above (<= 3.4e-4 x the seed's gap).

Input: {symbol: (n, 6) rows of open_time_ms, open, high, low, close, volume}, every symbol on the
same grid of open times, one candle per `timeframe` with no gap (a gap is reported as a
`ValueError`, never filled).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from indicators import compute_all
from indicators.compute import EMA_PERIODS
from signals.conditions import SNAPSHOT_KEYS, ScoreBatch, score_indicators
from signals.config import CONDITION_NAMES, MIN_HISTORY, SignalConfig
from signals.engine import SignalDetectionEngine, score_candles
from signals.lifecycle import SignalEvent

#: Relative closeness (to the price, or to 100 for RSI / ADX / DI) below which a comparison is
#: treated as undecided by rounding: ~10^4 x the error of 200 rounded EMA steps (~4e-14).
ROUNDING = 1e-9
#: Window length from which every recursive indicator but the EMAs has forgotten its seed below
#: rounding: Wilder's 1/14 smoothing seeded at candle 27 keeps (13/14)^(500-28) = 6e-16 of it.
EXACT_TAIL_MIN_CACHE = 500
#: The conditions whose comparisons `_fragile` bounds; a test holds it to the engine's list, so a
#: new condition cannot be scored here without its bound.
BOUNDED_CONDITIONS = (
    "macd_cross", "rsi_band", "trend_ema50", "ema_fast_slow", "adx_trend", "trend_ema200", "heikin_ashi",
    "bollinger_volume",
)  # fmt: skip


@dataclass(frozen=True)
class ScanResult:
    events: list[SignalEvent]  # in the live path's order: by candle, then symbol, then engine order
    published_ms: list[int]  # per event, the step's `now_ms`: the close of the candle it was decided on
    symbols: tuple[str, ...]
    open_times: np.ndarray  # (time,) int64
    candles: int  # symbols x candles scanned
    rescored: int  # candles scored again on their own window (step 3)
    steps: int  # lifecycle steps run


def stack_series(series: dict[str, np.ndarray], timeframe_ms: int) -> tuple[tuple[str, ...], np.ndarray]:
    """Symbols and one (symbols, time, 6) float array; `ValueError` for a symbol off the common grid."""
    if not series:
        raise ValueError("no symbols given")
    symbols = tuple(series)
    tables = [np.asarray(series[s], dtype=float) for s in symbols]
    first = tables[0]
    for symbol, rows in zip(symbols, tables):
        if rows.ndim != 2 or rows.shape[1] != 6 or len(rows) == 0:
            raise ValueError(f"{symbol}: expected (n, 6) candle rows, got shape {rows.shape}")
        if rows.shape != first.shape or not np.array_equal(rows[:, 0], first[:, 0]):
            raise ValueError(f"{symbol}: open times differ from {symbols[0]}'s (every symbol needs the same grid)")
    gaps = np.flatnonzero(np.diff(first[:, 0]) != timeframe_ms)
    if len(gaps):
        raise ValueError(
            f"open times are not one candle apart at {int(first[gaps[0], 0])} (a gap, or the wrong timeframe)"
        )
    return symbols, np.stack(tables)


def score_all(table: np.ndarray, config: SignalConfig) -> tuple[ScoreBatch, int]:
    """Steps 1-3: a `ScoreBatch` whose row s * time + t is candle t of symbol s, and how many
    candles were rescored on their window."""
    n_sym, n_time, _ = table.shape
    o, h, l, c, v = (np.ascontiguousarray(table[:, :, k]) for k in range(1, 6))  # noqa: E741
    ind = compute_all(o, h, l, c, v)
    lookback = config.macd_cross_lookback

    def tails(x: np.ndarray) -> np.ndarray:  # (S*T, lookback + 1): the candle and the ones before
        padded = np.concatenate([np.full((n_sym, lookback), np.nan), x], axis=1)
        return sliding_window_view(padded, lookback + 1, axis=1).reshape(n_sym * n_time, lookback + 1)

    flat = {k: a.reshape(-1, 1) for k, a in ind.items()}
    flat["macd"], flat["macd_signal"] = tails(ind["macd"]), tails(ind["macd_signal"])
    batch = score_indicators(flat, tails(c), v.reshape(-1, 1), config)
    batch = ScoreBatch(  # own, writable copies: step 3 writes into them
        batch.ready.copy(), batch.long_met.copy(), batch.short_met.copy(), batch.long_confidence.copy(),
        batch.short_confidence.copy(), {k: np.array(a) for k, a in batch.values.items()},
    )  # fmt: skip
    length = config.cache_length
    if length >= EXACT_TAIL_MIN_CACHE:
        fragile = _fragile(ind, c, v, _ema_drift(ind, c, length), config)
    else:
        fragile = np.ones((n_sym, n_time), dtype=bool)
    fragile[:, : MIN_HISTORY - 1] = False  # the engine does not score fewer than MIN_HISTORY candles
    del ind, flat  # ~40 % of the peak memory, no longer needed
    _rescore(table, np.argwhere(fragile), batch, config)
    return _RowBatch(**{f: getattr(batch, f) for f in batch.__dataclass_fields__}), int(fragile.sum())


@dataclass(frozen=True)
class _RowBatch(ScoreBatch):
    """The same scores, with the two per-row reads the lifecycle makes on creations and
    updates served from precomputed rows (the same floats and tuples as `ScoreBatch`'s)."""

    def __post_init__(self) -> None:
        matrix = np.column_stack([self.values[k] for k in SNAPSHOT_KEYS])
        bits = 1 << np.arange(len(CONDITION_NAMES))
        object.__setattr__(self, "_matrix", matrix)
        # The values become views of the rows' columns: one copy in memory, not two.
        object.__setattr__(self, "values", {k: matrix[:, j] for j, k in enumerate(SNAPSHOT_KEYS)})
        object.__setattr__(self, "_bits", {True: self.long_met @ bits, False: self.short_met @ bits})
        object.__setattr__(self, "_names", {})

    def snapshot(self, i: int) -> dict[str, float]:
        return dict(zip(SNAPSHOT_KEYS, self._matrix[i].tolist()))

    def conditions_met(self, i: int, long: bool) -> tuple[str, ...]:
        mask = int(self._bits[long][i])
        names = self._names.get(mask)
        if names is None:
            names = self._names[mask] = tuple(n for j, n in enumerate(CONDITION_NAMES) if mask >> j & 1)
        return names


@contextmanager
def no_gc_pauses():
    """The lifecycle allocates ~10^5 small records that form no cycles; the collector's passes
    over them cost ~15 % of the loop, so it is held off for the loop (and restored after)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _ema_drift(ind: dict, close: np.ndarray, length: int) -> dict[int, np.ndarray]:
    """Per EMA period, a (symbols, time) bound of |window EMA - whole-array EMA| at each candle
    (0 while the window still starts at the first candle)."""
    n_sym, n_time = close.shape
    cumsum = np.concatenate([np.zeros((n_sym, 1)), np.cumsum(close, axis=1)], axis=1)
    drift = {}
    for period in EMA_PERIODS:
        out = np.zeros((n_sym, n_time))
        first = length  # candle t's window starts at t + 1 - length > 0 from t = length on
        if first < n_time:
            starts = np.arange(first, n_time) + 1 - length
            seed = (cumsum[:, starts + period] - cumsum[:, starts]) / period
            gap = np.abs(seed - ind[f"ema{period}"][:, starts + period - 1])
            out[:, first:] = gap * (1 - 2 / (period + 1)) ** (length - period)
        drift[period] = out
    return drift


def _fragile(ind: dict, close: np.ndarray, volume: np.ndarray, drift: dict, config: SignalConfig) -> np.ndarray:
    """(symbols, time) mask of candles where a condition's comparison is within its bound."""
    price_tol = ROUNDING * np.abs(close)
    near = np.zeros(close.shape, dtype=bool)

    def close_to(a, b, tol) -> None:
        with np.errstate(invalid="ignore"):
            np.logical_or(near, np.abs(a - b) <= tol, out=near)

    # macd_cross: MACD against its signal over the lookback tail (rolling minimum of the gap).
    gap = np.abs(ind["macd"] - ind["macd_signal"])
    lookback = config.macd_cross_lookback
    padded = np.concatenate([np.full((close.shape[0], lookback), np.inf), np.nan_to_num(gap, nan=np.inf)], axis=1)
    near |= sliding_window_view(padded, lookback + 1, axis=1).min(axis=2) <= price_tol
    for bound in (config.rsi_long_min, config.rsi_long_max, config.rsi_short_min, config.rsi_short_max):
        close_to(ind["rsi"], bound, 100 * ROUNDING)  # rsi_band
    close_to(close, ind["ema50"], price_tol + drift[50])  # trend_ema50
    close_to(ind["ema9"], ind["ema21"], price_tol + drift[9] + drift[21])  # ema_fast_slow
    close_to(ind["adx"], config.adx_min, 100 * ROUNDING)  # adx_trend
    close_to(ind["plus_di"], ind["minus_di"], 100 * ROUNDING)
    close_to(close, ind["ema200"], price_tol + drift[200])  # trend_ema200
    close_to(ind["ha_close"], ind["ha_open"], price_tol)  # heikin_ashi
    for band in ("bb_upper", "bb_middle", "bb_lower"):  # bollinger_volume
        close_to(close, ind[band], price_tol)
    close_to(volume, ind["volume_sma20"], ROUNDING * np.abs(volume))
    close_to(ind["atr"], 0.0, price_tol)  # `ready` needs ATR > 0
    return near


def _rescore(table: np.ndarray, cells: np.ndarray, batch: ScoreBatch, config: SignalConfig,
             chunk: int = 64) -> None:  # fmt: skip
    """Score each (symbol, candle) of `cells` on its own window with the live scorer; write it into `batch`.
    `chunk` windows at a time: compute_all holds ~39 x 8 bytes per candle of the windows."""
    n_time, length = table.shape[1], config.cache_length
    by_length: dict[int, list] = {}
    for s, t in cells.tolist():
        by_length.setdefault(min(t + 1, length), []).append((s, t))
    for size, group in by_length.items():
        for begin in range(0, len(group), chunk):
            part = np.array(group[begin : begin + chunk])
            offsets = part[:, 1, None] + 1 - size + np.arange(size)
            windows = table[part[:, 0, None], offsets]  # (cells, size, 6)
            o, h, l, c, v = np.ascontiguousarray(windows.transpose(2, 0, 1)[1:])  # noqa: E741
            exact = score_candles(o, h, l, c, v, config)
            rows = part[:, 0] * n_time + part[:, 1]
            for name in ("ready", "long_met", "short_met", "long_confidence", "short_confidence"):
                getattr(batch, name)[rows] = getattr(exact, name)
            for key, values in exact.values.items():
                batch.values[key][rows] = values


class _WindowCache:
    """Stands in for the engine's candle cache: symbol -> a view of its last `length` candles
    up to the current one."""

    def __init__(self, symbols, table: np.ndarray, length: int) -> None:
        self._tables = {s: table[i] for i, s in enumerate(symbols)}
        self._length = length
        self.end = 0  # candles up to this index (exclusive) are "cached"

    def array(self, symbol: str, timeframe: str) -> np.ndarray:
        return self._tables[symbol][max(0, self.end - self._length) : self.end]


def scan_signals(series: dict[str, np.ndarray], config: SignalConfig | None = None, *, timeframe: str = "5m",
                 start_ms: int | None = None, end_ms: int | None = None) -> ScanResult:  # fmt: skip
    """The events the live engine would publish over `series` (see the module docstring), from
    the candle opening at `start_ms` on (the candles before it are history only) to the last
    candle opening before `end_ms`."""
    config = config or SignalConfig()
    tf_ms = config.timeframe_ms(timeframe)
    symbols, table = stack_series(series, tf_ms)
    if end_ms is not None:
        table = table[:, table[0, :, 0] < end_ms]
    table.setflags(write=False)
    n_sym, n_time, _ = table.shape
    if n_time < MIN_HISTORY:
        raise ValueError(f"need at least {MIN_HISTORY} candles per symbol, got {n_time}")
    batch, rescored = score_all(table, config)
    threshold = config.min_confidence
    candidate = (batch.long_confidence >= threshold) | (batch.short_confidence >= threshold)
    candidate = candidate.reshape(n_sym, n_time)
    engine = SignalDetectionEngine(config)
    cache = engine._cache = _WindowCache(symbols, table, config.cache_length)  # noqa: SLF001
    step = engine._step  # noqa: SLF001: the live step itself, so the lifecycle has one source
    open_times = table[0, :, 0].astype(np.int64)
    first = max(MIN_HISTORY - 1, int(np.searchsorted(open_times, start_ms)) if start_ms is not None else 0)
    events: list[SignalEvent] = []
    published: list[int] = []
    with no_gc_pauses():
        steps = _run_lifecycle(engine, cache, step, batch, candidate, symbols, open_times, first, tf_ms,
                               timeframe, events, published)  # fmt: skip
    return ScanResult(events, published, symbols, open_times, n_sym * n_time, rescored, steps)


def _run_lifecycle(engine, cache, step, batch, candidate, symbols, open_times, first, tf_ms, timeframe, events,
                   published) -> int:  # fmt: skip
    """Step 4: the engine's step at every candle where a symbol has an active signal or a candidate."""
    n_time = len(open_times)
    steps = 0
    for t in range(first, n_time):
        active = {key[0] for key in engine._active}  # noqa: SLF001
        due = np.flatnonzero(candidate[:, t]).tolist()
        if not due and not active:
            continue
        cache.end = t + 1
        now = int(open_times[t]) + tf_ms
        due = set(due)
        for s, symbol in enumerate(symbols):
            if s in due or symbol in active:
                new = step(symbol, timeframe, tf_ms, batch, s * n_time + t, now)
                if new:
                    events += new
                    published += [now] * len(new)
                steps += 1
    return steps
