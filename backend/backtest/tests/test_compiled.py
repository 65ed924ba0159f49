"""The compiled path (`backtest.compiled`) against the per-candle path (the live evaluator on every
candle's window) on the shipped recorded candles: the same evaluations decide, with the same
decisions, and the same trades. Numbers are compared to 1e-9 relative (a recursive indicator seeded
at the window's start is within ~1e-15 of its whole-history value, see the module docstring);
everything else exactly. Random programs from the block catalogue too (Hypothesis)."""
from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings

from backtest import compiled
from backtest.compiled import compiled_backtest, convergence
from backtest.fills import FillModel
from backtest.strategy import strategy_backtest
from sandbox.data.recorded import recorded_candles
from strategies.compiler import CompileFailed, compile_workspace
from strategies.template_library import ORDER, template_get
from strategies.tests.test_runtime_properties import workspaces
from strategies.tests.workspaces import (
    arith, candle, choose, close, cmp, cross, get_var, if_, ind, log, logic, num, open_, set_var, workspace,
)
from strategies.tests.workspaces import block as raw_block

MODEL = FillModel(slippage_bps=3, leverage=5)


@pytest.fixture(scope="module")
def series():
    tables = recorded_candles()
    return {s: tables[s][:1200] for s in sorted(tables)[:6]}


def both(program, series, **options):
    run = lambda fast: strategy_backtest(program, series, timeframe="5m", timeframe_ms=300_000,  # noqa: E731
                                         model=MODEL, fast=fast, **options)
    return run(False), run(True)


def same_number(a, b) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, str) or isinstance(a, int):
        return a == b
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def assert_same(slow, fast) -> None:
    assert [(t, s, [type(d) for d in ds]) for t, s, ds in slow.decisions] == \
           [(t, s, [type(d) for d in ds]) for t, s, ds in fast.decisions]
    for (_, _, a), (_, _, b) in zip(slow.decisions, fast.decisions):
        for x, y in zip(a, b):
            for name, value in vars(x).items():
                assert same_number(value, getattr(y, name)), (name, x, y)
    assert len(slow.book.trades) == len(fast.book.trades)
    for x, y in zip(slow.book.trades, fast.book.trades):
        assert (x.symbol, x.direction, x.entry_time, x.exit_time, x.reason, x.tag) == \
               (y.symbol, y.direction, y.entry_time, y.exit_time, y.reason, y.tag)
        for name in ("entry_price", "exit_price", "qty", "fees", "funding", "pnl"):
            assert math.isclose(getattr(x, name), getattr(y, name), rel_tol=1e-9, abs_tol=Decimal("1e-9")), name
    assert slow.book.refusals == fast.book.refusals
    assert [p.time_ms for p in slow.book.equity_curve] == [p.time_ms for p in fast.book.equity_curve]
    for p, q in zip(slow.book.equity_curve, fast.book.equity_curve):
        assert math.isclose(p.equity, q.equity, rel_tol=1e-9) and p.cash == q.cash
        assert p.open_positions == q.open_positions
    assert slow.book.cash == fast.book.cash or math.isclose(slow.book.cash, fast.book.cash, rel_tol=1e-12)


@pytest.mark.parametrize("key", ORDER)
def test_every_template_decides_and_trades_as_the_per_candle_path(series, key):
    program = compile_workspace(template_get(key)["workspace"])
    slow, fast = both(program, series)
    assert_same(slow, fast)
    if key in ("ema_cross", "rsi_mean_reversion"):
        assert len(slow.book.trades) > 10


def test_which_programs_take_the_fast_path(series):
    ema = compile_workspace(template_get("ema_cross")["workspace"])
    assert compiled_backtest(ema, series, timeframe="5m", timeframe_ms=300_000, model=MODEL, initial_equity=10_000,
                             first=0, window=500, chunk_done=lambda f: None, chunks=5) is not None
    scanner = compile_workspace(template_get("scanner_conditions")["workspace"])  # reads EMA 200
    assert compiled_backtest(scanner, series, timeframe="5m", timeframe_ms=300_000, model=MODEL,
                             initial_equity=10_000, first=0, window=500, chunk_done=lambda f: None, chunks=5) is None
    # Hand-computed: what is left of a seed's distance after a 500-candle window.
    assert convergence("ema", {"period": 21}, 500) == pytest.approx((20 / 22) ** 479)
    assert convergence("ema", {"period": 200}, 500) == pytest.approx((199 / 201) ** 300)  # ~0.05
    assert convergence("sma", {"period": 200}, 500) == 0.0 and convergence("nope", {}, 500) == 1.0


HAND_BUILT = {
    "counter_and_choose": workspace(
        set_var("m", arith(choose(cmp(get_var("n"), "gt", num(-1)), get_var("n"), num(0)), "add", num(1))),
        set_var("n", get_var("m")),
        if_(logic(cross(ind("ema", period=5), "below", ind("ema", period=13)), "and",
                  cmp(get_var("n"), "gt", num(30))),
            [open_("SHORT", num(20), size_mode="percent_balance", sl=("percent", 1.0), tp=("percent", 2.0)),
             set_var("n", num(0))]),
        if_(cross(ind("ema", period=5), "above", ind("ema", period=13)), [close("ANY"), log("flat at", candle())]),
        variables=("n", "m")),
    "limits_and_risk_sizing": workspace(
        if_(cross(ind("rsi", period=7), "above", num(30)),
            [open_("LONG", num(1), size_mode="risk_percent", order_type="LIMIT",
                   price=arith(candle("low"), "mul", num(0.999)), sl=("atr", 2.0), tp=("atr", 3.0))]),
        if_(cmp(ind("rsi", period=7), "gt", num(75)), [raw_block("cancel_orders"), close("LONG")])),
    "positions_and_balance": workspace(
        if_(logic(cmp(candle("close"), "gt", ind("sma", period=20)), "and",
                  logic(cmp(raw_block("balance_available"), "gt", num(100)), "and",
                        raw_block("logic_not", X=raw_block("position_has", {"DIRECTION": "ANY"})))),
            [open_("LONG", num(5), size_mode="percent_balance")]),
        if_(cmp(candle("close", back=3), "gt", candle("close")), [close("LONG")])),
}


@pytest.mark.parametrize("name", sorted(HAND_BUILT))
def test_hand_built_programs_decide_and_trade_as_the_per_candle_path(series, name):
    try:
        program = compile_workspace(HAND_BUILT[name])
    except CompileFailed as exc:  # a helper's block shape: the test must say so, not pass
        pytest.fail(f"{name} does not compile: {exc.errors}")
    slow, fast = both(program, series)
    assert slow.decisions, name  # the program does something on this history
    assert_same(slow, fast)


def test_history_before_the_first_candle_and_progress_points(series):
    program = compile_workspace(template_get("ema_cross")["workspace"])
    seen: dict[bool, list] = {True: [], False: []}
    runs = {fast: strategy_backtest(program, series, timeframe="5m", timeframe_ms=300_000, model=MODEL, first=400,
                                    fast=fast, chunk_done=seen[fast].append, chunks=4) for fast in (True, False)}
    assert_same(runs[False], runs[True])
    assert seen[True] == seen[False] and len(seen[True]) == 4
    assert min(t for t, _, _ in runs[True].decisions) >= int(next(iter(series.values()))[400, 0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(workspace=workspaces())
def test_random_programs_decide_as_the_per_candle_path(workspace):
    try:
        program = compile_workspace(workspace)
    except CompileFailed:
        assume(False)
    program = json.loads(json.dumps(program, allow_nan=False))
    tables = recorded_candles()
    series = {s: tables[s][:260] for s in ("BTCUSDT", "ETHUSDT")}
    try:
        slow = strategy_backtest(program, series, timeframe="5m", timeframe_ms=300_000, model=MODEL, fast=False,
                                 window=120)
    except Exception as exc:  # noqa: BLE001 - whatever the per-candle path raises, the fast one must too
        with pytest.raises(type(exc)):
            strategy_backtest(program, series, timeframe="5m", timeframe_ms=300_000, model=MODEL, window=120)
        return
    fast = strategy_backtest(program, series, timeframe="5m", timeframe_ms=300_000, model=MODEL, window=120)
    assert_same(slow, fast)
    assert compiled is not None
