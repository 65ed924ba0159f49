"""The engine's in-memory candle cache: the last closed candles per (symbol, timeframe), bounded.

A candle is a row (open_time_ms, open, high, low, close, volume). The cache only moves forward:
a row is appended when its open time is newer than the newest cached one, so duplicates and late
or out-of-order arrivals are ignored (a gap must be backfilled before newer candles are fed).
Each series is one read-only float array, replaced on every append: a scan stacks hundreds of
series as they are, and a whole window fed at once (a scan's 1,000 candles) costs one copy, not a
Python object per candle.
"""

from __future__ import annotations

import numpy as np

OPEN_TIME, OPEN, HIGH, LOW, CLOSE, VOLUME = range(6)


class CandleInputError(ValueError):
    """Malformed candles (shape, NaN/inf, high < low). Permanent: fix the caller's data."""


def parse_candles(candles, label: str) -> np.ndarray:
    """Validated (n, 6) float rows sorted by open time (stable); `CandleInputError` if bad."""
    try:
        rows = np.array(candles, dtype=float)
    except (TypeError, ValueError) as exc:
        raise CandleInputError(f"{label}: candles are not numeric: {exc}") from None
    if rows.ndim == 1 and rows.size:
        rows = rows[None, :]
    if rows.size == 0:
        return np.empty((0, 6))
    if rows.ndim != 2 or rows.shape[1] != 6:
        raise CandleInputError(f"{label}: expected rows of 6 values, got shape {rows.shape}")
    if not np.all(np.isfinite(rows)):
        raise CandleInputError(f"{label}: candles contain NaN or inf")
    if np.any(rows[:, HIGH] < rows[:, LOW]):
        # Refused here, per symbol: in a multi-symbol batch it would fail every symbol.
        raise CandleInputError(f"{label}: a candle has high < low")
    return rows[np.argsort(rows[:, OPEN_TIME], kind="stable")]


class _Series:
    __slots__ = ("array", "maxlen")

    def __init__(self, maxlen: int) -> None:
        self.maxlen = maxlen
        self.array = np.empty((0, 6))

    def extend(self, new: np.ndarray) -> None:
        array = np.concatenate((self.array, new))[-self.maxlen :]
        array.setflags(write=False)
        self.array = array


class CandleCache:
    """Closed candles per (symbol, timeframe), at most `maxlen` each, oldest dropped first."""

    def __init__(self, maxlen: int) -> None:
        self.maxlen = maxlen
        self._series: dict[tuple[str, str], _Series] = {}

    def update(
        self, symbol: str, timeframe: str, candles, *, max_open_time: float | None = None
    ) -> int:
        """Append the rows newer than the newest cached one (and opened by `max_open_time`,
        if given); return how many were appended. Validation happens before any change."""
        rows = parse_candles(candles, f"{symbol} {timeframe}")
        if not len(rows):
            return 0
        series = self._series.get((symbol, timeframe))
        last = series.array[-1, OPEN_TIME] if series is not None else -np.inf
        times = rows[:, OPEN_TIME]
        keep = (times > last) & (times > np.concatenate(([-np.inf], times[:-1])))
        if max_open_time is not None:
            keep &= times <= max_open_time
        new = rows[keep][-self.maxlen :]
        if len(new):
            if series is None:
                series = self._series[(symbol, timeframe)] = _Series(self.maxlen)
            series.extend(new)
        return len(new)

    def array(self, symbol: str, timeframe: str) -> np.ndarray:
        """The cached rows as a read-only (n, 6) float array, oldest first (empty if none)."""
        series = self._series.get((symbol, timeframe))
        return series.array if series is not None else np.empty((0, 6))

    def rows(self, symbol: str, timeframe: str) -> tuple[tuple, ...]:
        """The cached rows as tuples (open time as int), oldest first."""
        return tuple((int(row[OPEN_TIME]), *row[1:]) for row in self.array(symbol, timeframe).tolist())

    def symbols(self, timeframe: str) -> list[str]:
        return sorted(s for s, tf in self._series if tf == timeframe)
