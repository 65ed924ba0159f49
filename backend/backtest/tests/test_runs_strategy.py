"""Strategy backtests: the decisions are the runtime's own on the same windows, the crosses are
TA-Lib's, and the orders fill as fills.py says (market at the next open)."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
import talib

from backtest.fills import FillModel, to_decimal
from backtest.strategy import WINDOW, strategy_backtest
from sandbox.data.recorded import recorded_candles
from strategies.compiler import compile_workspace
from strategies.runtime import Candles, Context, OpenPosition, evaluate
from strategies.tests.workspaces import close, cross, if_, ind, num, open_, workspace

TF_MS = 300_000


@pytest.fixture(scope="module")
def setup():
    tables = recorded_candles()
    series = {s: np.array(tables[s][:800]) for s in sorted(tables)[:2]}
    program = compile_workspace(workspace(
        if_(cross(ind("ema", period=9), "above", ind("ema", period=21)), [open_("LONG", num(0.5))]),
        if_(cross(ind("ema", period=9), "below", ind("ema", period=21)), [close("LONG")]),
    ))  # fmt: skip
    run = strategy_backtest(program, series, timeframe="5m", timeframe_ms=TF_MS, model=FillModel(),
                            initial_equity=Decimal(100_000), first=30)
    return series, program, run


def test_decisions_equal_the_runtime_called_directly_on_the_same_windows(setup):
    series, program, run = setup
    direct = []
    for t in range(30, 800):
        lo = max(0, t + 1 - WINDOW)
        candles = {(s, "5m"): Candles(*(rows[lo:t + 1, k] for k in range(1, 6))) for s, rows in series.items()}
        for s in sorted(series):
            # this program's decisions do not read positions or balance: none given here
            decisions = evaluate(program, Context(s, "5m", candles)).decisions
            if decisions:
                direct.append((int(series[s][t, 0]), s, decisions))
    assert run.decisions == direct and len(direct) > 10


def test_the_crosses_are_talibs_and_entries_fill_at_the_next_open(setup):
    series, _, run = setup
    for s, rows in series.items():
        fast, slow = talib.EMA(rows[:, 4], 9), talib.EMA(rows[:, 4], 21)
        above = fast > slow
        ups = [int(rows[t, 0]) for t in range(30, 800) if above[t] and not above[t - 1] and np.isfinite(slow[t - 1])]
        opens = [t for t, sym, ds in run.decisions if sym == s and isinstance(ds[0], OpenPosition)]
        assert opens == ups
        trades = [tr for tr in run.book.trades if tr.symbol == s]
        assert trades and all(tr.entry_time in {u + TF_MS for u in ups} for tr in trades)
        index = {int(t): i for i, t in enumerate(rows[:, 0])}
        for tr in trades:
            assert tr.entry_price == to_decimal(rows[index[tr.entry_time], 1]) and tr.qty == Decimal("0.5")
            assert tr.fees > 0

