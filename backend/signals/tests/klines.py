"""The recorded Binance candles for the golden tests: one place knows where they come from.

They ship with the project (``sandbox/data/klines_usdm_5m.npz``); `sandbox.data.recorded` decodes
them to the same floats as the source CSVs, bit for bit.
"""

from __future__ import annotations

import numpy as np

from sandbox.data.recorded import recorded_candles


def load_klines(symbol: str) -> np.ndarray:
    """(n, 6) rows of open_time_ms, open, high, low, close, volume for `symbol`, read-only."""
    return recorded_candles()[symbol]


def all_symbols() -> list[str]:
    return sorted(recorded_candles())


def window(symbol: str, open_time: int, length: int = 300) -> np.ndarray:
    """The `length` candles of `symbol` ending with the candle opened at `open_time`."""
    rows = load_klines(symbol)
    end = int(np.searchsorted(rows[:, 0], open_time)) + 1
    assert rows[end - 1, 0] == open_time, f"{symbol} has no candle at {open_time}"
    assert end >= length, f"{symbol}: fewer than {length} candles before {open_time}"
    return rows[end - length:end]
