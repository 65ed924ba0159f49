"""The peer comparison as a test: the same EMA cross here and in backtesting.py makes the same trades."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sandbox.data.recorded import recorded_candles

pytest.importorskip("backtesting")
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from backtest_peer import UNIT, compare, ours, theirs  # noqa: E402


@pytest.mark.parametrize("symbol", ["BTCUSDT", "1000PEPEUSDT", "ETHUSDT"])
def test_the_same_ema_cross_makes_the_same_trades_as_backtesting_py(symbol):
    rows = recorded_candles()[symbol][:2000]
    units = int(1000 / rows[0, 4] / UNIT)
    book, peer = ours(symbol, rows, units, 9, 21), theirs(rows, units, 9, 21)
    problems, ended_apart = compare(book, peer, rows)
    assert len(book.trades) > 30 and problems == []
    assert ended_apart <= 1  # at most the one still open at the end (closed at the last close / open)
