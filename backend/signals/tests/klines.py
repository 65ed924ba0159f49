"""The recorded Binance candles (shared, read-only): one place knows where they live."""

from __future__ import annotations

from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[3]
#: The one place that knows where the recorded candles live (read-only, shared with the team).
KLINES_DIR = REPO_ROOT.parent / "shared" / "binance" / "klines" / "usdm_5m"


def klines_dir() -> Path:
    """Directory of the recorded 5m USD-M candles; fails loudly if it is not there."""
    if not KLINES_DIR.is_dir() or not any(KLINES_DIR.glob("*.csv")):
        raise FileNotFoundError(
            f"recorded candles not found at {KLINES_DIR}: the golden tests need the shared "
            "binance/klines/usdm_5m/*.csv next to the repository"
        )
    return KLINES_DIR


_CACHE: dict[str, np.ndarray] = {}


def load_klines(symbol: str) -> np.ndarray:
    """(n, 6) rows of open_time_ms, open, high, low, close, volume for `symbol`, read-only."""
    if symbol not in _CACHE:
        rows = np.loadtxt(klines_dir() / f"{symbol}.csv", delimiter=",", skiprows=1, ndmin=2)
        rows.setflags(write=False)
        _CACHE[symbol] = rows
    return _CACHE[symbol]


def all_symbols() -> list[str]:
    return sorted(p.stem for p in klines_dir().glob("*.csv"))


def window(symbol: str, open_time: int, length: int = 300) -> np.ndarray:
    """The `length` candles of `symbol` ending with the candle opened at `open_time`."""
    rows = load_klines(symbol)
    end = int(np.searchsorted(rows[:, 0], open_time)) + 1
    assert rows[end - 1, 0] == open_time, f"{symbol} has no candle at {open_time}"
    assert end >= length, f"{symbol}: fewer than {length} candles before {open_time}"
    return rows[end - length:end]
