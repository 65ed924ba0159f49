"""Candle windows shared by every run of the engine: per (symbol, timeframe) the last `size`
closed candles as float64 arrays, oldest first.

A key is seeded once from the candle store (the `loader`), then each closed candle of the stream
is appended (`append`, on the event loop, before any run sees the candle).  Arrays are never
changed in place: an append builds new ones and swaps the tuple in one assignment, so a worker
thread that read a window keeps a consistent one.  `view(..., until_open_time)` cuts the window
at a candle, so a run handling an older candle never sees a later one.  No Django.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from strategies.runtime import Candles

COLUMNS = ("open_time", "open", "high", "low", "close", "volume")
_UNITS = {"m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}

#: loader(symbol, timeframe, n) -> 2-D float64 array (n x COLUMNS) of the newest stored candles
Loader = Callable[[str, str, int], np.ndarray]


def timeframe_ms(timeframe: str) -> int:
    return int(timeframe[:-1]) * _UNITS[timeframe[-1]]


class CandleWindows:
    def __init__(self, loader: Loader, *, size: int = 500):
        self.loader, self.size = loader, size
        self._rows: dict[tuple[str, str], np.ndarray] = {}
        self._seeding = threading.Lock()

    def append(self, symbol: str, timeframe: str, row: tuple) -> None:
        """One closed candle (open_time, o, h, l, c, v); ignored for an unseeded key (its seed
        reads the store, where the candle already is) or a candle not newer than the last."""
        key = (symbol, timeframe)
        rows = self._rows.get(key)
        if rows is None or (len(rows) and row[0] <= rows[-1, 0]):
            return
        self._rows[key] = np.vstack([rows[-(self.size - 1):], np.asarray(row, dtype=np.float64)[None, :]])

    def rows(self, symbol: str, timeframe: str) -> np.ndarray:
        key = (symbol, timeframe)
        rows = self._rows.get(key)
        if rows is None:
            with self._seeding:  # one read of the store per key, whichever thread comes first
                rows = self._rows.get(key)
                if rows is None:
                    rows = np.asarray(self.loader(symbol, timeframe, self.size), dtype=np.float64).reshape(-1, 6)
                    self._rows[key] = rows
        return rows

    def view(self, symbol: str, timeframe: str, until_close_ms: int) -> Candles:
        """The window of candles that had closed by ``until_close_ms`` (a candle's close time + 1)."""
        rows = self.rows(symbol, timeframe)
        end = int(np.searchsorted(rows[:, 0], until_close_ms - timeframe_ms(timeframe), side="right"))
        cut = rows[:end]
        return Candles(*(np.ascontiguousarray(cut[:, i]) for i in range(1, 6)))
