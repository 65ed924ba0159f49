"""Real Binance candles for the indicator tests.

The one place that knows where the candles live.  Today that is the shared reference folder next to
the repository (``<repo>/../shared/binance/klines/usdm_5m/*.csv``: 50 USD-M pairs x 4032 5m candles,
header ``timestamp,open,high,low,close,volume``).  When the data moves into the project (planned:
``backend/sandbox/data/``), change `load_klines` only.

Nothing is skipped: if the candles are missing, every test that needs them errors with the path.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
KLINES_DIR = REPO_ROOT.parent / "shared" / "binance" / "klines" / "usdm_5m"


class Candles(NamedTuple):
    """OHLCV arrays: 1-D (time) for one symbol, 2-D (symbols x time) for all of them."""

    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray


def load_klines() -> dict[str, Candles]:
    """Symbol -> candles, in symbol order.  Raises FileNotFoundError if the data is not there."""
    files = sorted(KLINES_DIR.glob("*.csv"))
    if not files:
        raise FileNotFoundError(
            f"no kline CSVs in {KLINES_DIR}: the indicator tests check against real Binance candles "
            "and must not run without them (see backend/indicators/tests/conftest.py)"
        )
    klines = {}
    for path in files:
        table = np.loadtxt(path, delimiter=",", skiprows=1)
        columns = (np.ascontiguousarray(table[:, i]) for i in range(1, 6))
        klines[path.stem] = Candles(*columns)
    return klines


@pytest.fixture(scope="session")
def klines() -> dict[str, Candles]:
    return load_klines()


@pytest.fixture(scope="session")
def kline_matrix(klines) -> Candles:
    """All symbols stacked into (symbols, time) arrays (every file has the same number of candles)."""
    return Candles(*(np.stack([getattr(c, field) for c in klines.values()]) for field in Candles._fields))
