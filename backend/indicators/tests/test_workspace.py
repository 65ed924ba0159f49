"""Package-level checks: the workspace capacities are right, and the package is a pure core."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import indicators as ind
from indicators import _filters


@pytest.fixture
def strict_workspace(monkeypatch):
    """Make a workspace overflow (a slow fallback allocation) an error."""
    take = _filters.Workspace.take

    def strict_take(self, count=0):
        out = take(self, count)
        assert self.overflows == 0, "workspace capacity too small"
        return out

    monkeypatch.setattr(_filters.Workspace, "take", strict_take)


@pytest.mark.parametrize("shape", [(260,), (3, 260)])
@pytest.mark.parametrize("period", [2, 3, 14, 20, 31, 32, 33, 64, 100])
def test_every_function_fits_its_workspace(strict_workspace, shape, period):
    rng = np.random.default_rng(period)
    c = 100 + rng.normal(0, 1, shape).cumsum(axis=-1)
    h, lo, v = c + 1, c - 1, np.abs(c)
    ind.compute_all(c, h, lo, c, v)
    ind.sma(c, period), ind.ema(c, period), ind.rsi(c, period), ind.atr(h, lo, c, period)
    ind.adx(h, lo, c, min(period, 100)), ind.bollinger(c, period), ind.heikin_ashi(c, h, lo, c)
    ind.macd(c, period, period + 5, 9)
    if len(shape) == 1:
        ind.StreamingIndicators(c, h, lo, c, v).update(c[-1], h[-1], lo[-1], c[-1], v[-1])


def test_public_api():
    assert set(ind.__all__) == {
        "COMPUTE_ALL_MIN_CANDLES", "INDICATOR_KEYS", "IndicatorInputError", "StreamingIndicators", "adx",
        "atr", "bollinger", "compute_all", "ema", "heikin_ashi", "macd", "rsi", "sma",
    }  # fmt: skip
    assert ind.INDICATOR_KEYS == (
        "ema9", "ema21", "ema50", "ema200", "rsi", "macd", "macd_signal", "macd_hist", "atr", "adx",
        "plus_di", "minus_di", "bb_upper", "bb_middle", "bb_lower", "ha_open", "ha_high", "ha_low",
        "ha_close", "volume_sma20",
    )  # fmt: skip


def test_importing_the_package_pulls_in_no_framework_or_io():
    backend = Path(ind.__file__).resolve().parents[1]
    code = (
        "import sys, indicators; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'django', 'scipy', 'pandas', 'talib', 'aiohttp', 'requests', 'socket', 'asyncio'}); "
        "print(','.join(bad))"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=backend, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""
