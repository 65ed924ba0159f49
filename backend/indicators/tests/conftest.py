"""Real Binance candles for the indicator tests.

The recorded 50 USD-M pairs x 4032 5m candles that ship with the project
(``sandbox/data/klines_usdm_5m.npz``, decoded by `sandbox.data.recorded` to the same floats as the
source CSVs, bit for bit).  `load_klines` is the one place that knows where they come from.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest

from sandbox.data.recorded import recorded_candles


class Candles(NamedTuple):
    """OHLCV arrays: 1-D (time) for one symbol, 2-D (symbols x time) for all of them."""

    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray


def load_klines() -> dict[str, Candles]:
    """Symbol -> candles, in symbol order (fresh, writable arrays on every call)."""
    return {
        symbol: Candles(*(np.array(table[:, i]) for i in range(1, 6)))
        for symbol, table in recorded_candles().items()
    }


@pytest.fixture(scope="session")
def klines() -> dict[str, Candles]:
    return load_klines()


@pytest.fixture(scope="session")
def kline_matrix(klines) -> Candles:
    """All symbols stacked into (symbols, time) arrays (every file has the same number of candles)."""
    return Candles(*(np.stack([getattr(c, field) for c in klines.values()]) for field in Candles._fields))
