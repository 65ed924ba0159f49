"""The pure evaluator on hand-computed cases, with TA-Lib as the independent reference for indicators."""

from __future__ import annotations

import math

import numpy as np
import pytest
import talib

from common.testing import impure_imports
from strategies.compiler import compile_workspace
from strategies.runtime import (
    BudgetExceeded, Candles, CancelOrders, ClosePosition, Context, Log, OpenPosition, Position, ScannerSignal,
    StaleProgram, evaluate,
)

from .workspaces import (
    arith, block, candle, close as close_block, cmp, cross, get_var, if_, ind, log, num, open_, set_var, workspace,
)


def candles_of(close: np.ndarray, spread: float = 1.0) -> Candles:
    close = np.asarray(close, dtype=float)
    open_ = np.concatenate([[close[0]], close[:-1]])
    return Candles(open_, np.maximum(open_, close) + spread, np.minimum(open_, close) - spread, close,
                   np.full(close.shape, 100.0))


def run(ws, close=(10.0, 11.0, 12.0), **context):
    ctx = Context(symbol="BTCUSDT", timeframe="5m", candles={("BTCUSDT", "5m"): candles_of(close)}, **context)
    return evaluate(compile_workspace(ws), ctx)


def logged(ws, **kw) -> list:
    return [d.value for d in run(ws, **kw).decisions if isinstance(d, Log)]


def test_candle_values_back_and_beyond_the_history():
    assert logged(workspace(log("a", candle()), log("b", candle(back=2)), log("c", candle(back=3)))) == [12.0, 10.0, None]
    assert logged(workspace(log("h", candle("high")), log("v", candle("volume")))) == [13.0, 100.0]
    assert logged(workspace(log("other", candle(symbol="ETHUSDT")), log("tf", candle(tf="1h")))) == [None, None]


def test_arithmetic_division_by_zero_and_nan_comparisons():
    assert logged(workspace(log("x", arith(num(7), "div", num(2))), log("y", arith(num(1), "div", num(0))),
                            log("z", arith(num(3), "min", num(-1))))) == [3.5, None, -1.0]
    nothing = arith(num(1), "div", num(0))
    outcomes = []
    for op in ("gt", "gte", "lt", "lte", "eq", "neq"):
        outcomes.append(logged(workspace(if_(cmp(arith(num(1), "div", num(0)), op, num(0)), [log("t")],
                                             [log("f")]))))
    assert outcomes == [[None]] * 6 and nothing  # every comparison with no value is false
    huge = num(1e12)
    for _ in range(5):  # (1e12) ** 32 overflows to inf: no value
        huge = arith(huge, "mul", huge)
    assert logged(workspace(log("o", huge))) == [None]


def test_indicator_values_are_talib_values():
    rng = np.random.default_rng(5)
    close = 100 + np.cumsum(rng.normal(0, 1, 120))
    values = logged(workspace(log("ema", ind("ema", period=9)), log("ema1", ind("ema", period=9, back=1)),
                              log("rsi", ind("rsi", period=14)), log("lower", ind("bollinger", "lower", period=20, k=2)),
                              log("too short", ind("ema", period=200))), close=close)
    assert values[0] == pytest.approx(talib.EMA(close, 9)[-1], rel=1e-12)
    assert values[1] == pytest.approx(talib.EMA(close, 9)[-2], rel=1e-12)
    assert values[2] == pytest.approx(talib.RSI(close, 14)[-1], rel=1e-10)
    assert values[3] == pytest.approx(talib.BBANDS(close, 20, 2, 2, matype=0)[2][-1], rel=1e-10)
    assert values[4] is None


def test_ema_cross_fires_exactly_where_talib_emas_cross():
    rng = np.random.default_rng(9)
    close = 100 + np.cumsum(rng.normal(0, 1, 300))
    fast, slow = talib.EMA(close, 5), talib.EMA(close, 13)
    ws = workspace(if_(cross(ind("ema", period=5), "above", ind("ema", period=13)), [open_("LONG", num(1))]),
                   if_(cross(ind("ema", period=5), "below", ind("ema", period=13)), [close_block("LONG")]))
    program = compile_workspace(ws)
    opened, closed, expected_open, expected_close = [], [], [], []
    for t in range(14, 300):
        ctx = Context("BTCUSDT", "5m", {("BTCUSDT", "5m"): candles_of(close[: t + 1])})
        decisions = evaluate(program, ctx).decisions
        opened += [t] * sum(isinstance(d, OpenPosition) for d in decisions)
        closed += [t] * sum(isinstance(d, ClosePosition) for d in decisions)
        if fast[t - 1] <= slow[t - 1] and fast[t] > slow[t]:
            expected_open.append(t)
        if fast[t - 1] >= slow[t - 1] and fast[t] < slow[t]:
            expected_close.append(t)
    assert opened == expected_open and closed == expected_close and len(opened) > 3


def test_variables_persist_and_unset_is_no_value():
    ws = workspace(set_var("prev", candle()), log("before", get_var("seen")), set_var("seen", num(1)),
                   variables=("prev", "seen"))
    result = run(ws, variables={"var-seen": 5.0})
    assert [d.value for d in result.decisions] == [5.0]
    assert result.variables == {"var-prev": 12.0, "var-seen": 1.0}
    unset = run(workspace(set_var("x", arith(num(1), "div", num(0))), log("x", get_var("x")), variables=("x",)))
    assert unset.variables == {} and unset.decisions[0].value is None


def test_sizes_and_levels_hand_computed():
    close = [50.0] * 30  # flat: every true range is 2 * spread = 2, so ATR(14) = 2
    quantity = run(workspace(open_("LONG", num(3), sl=("atr", 1.5), tp=("atr", 2))), close=close).decisions[0]
    assert (quantity.quantity, quantity.price, quantity.stop_loss, quantity.take_profit) == (3.0, 50.0, 47.0, 54.0)
    percent = run(workspace(open_("SHORT", num(10), "percent_balance", leverage=5, sl=("percent", 2))), close=close,
                  available_balance=1000.0).decisions[0]
    assert percent.quantity == pytest.approx(1000 * 0.10 * 5 / 50) and percent.stop_loss == pytest.approx(51.0)
    risk = run(workspace(open_("LONG", num(1), "risk_percent", sl=("percent", 2))), close=close,
               available_balance=1000.0).decisions[0]
    assert risk.quantity == pytest.approx(1000 * 0.01 / 1.0) and risk.stop_loss == pytest.approx(49.0)
    limit = run(workspace(open_("LONG", num(2), order_type="LIMIT", price=num(48))), close=close).decisions[0]
    assert (limit.order_type, limit.price, limit.stop_loss) == ("LIMIT", 48.0, None)


@pytest.mark.parametrize("statement, reason", [
    (open_("LONG", num(0)), "quantity"), (open_("LONG", num(150), "percent_balance"), "percentage"),
    (open_("LONG", arith(num(1), "div", num(0))), "quantity"), (open_("LONG", num(1), sl=("percent", 100)), "stop"),
    (open_("LONG", num(1), sl=("atr", 1)), "stop"),  # 3 candles: no ATR(14) yet
    (open_("LONG", num(1), order_type="LIMIT", price=num(-5)), "price"),
])  # fmt: skip
def test_an_order_without_valid_numbers_becomes_a_log_line(statement, reason):
    (decision,) = run(workspace(statement)).decisions
    assert isinstance(decision, Log) and decision.message.startswith("open LONG skipped") and reason in decision.message


def test_signals_positions_and_balance():
    signals = (ScannerSignal("BTCUSDT", "5m", "LONG", 80.0, 61.0), ScannerSignal("ETHUSDT", "5m", "SHORT", 90.0))
    positions = (Position("BTCUSDT", "SHORT", 0.5, 11.0, -9.09),)

    def active(direction, metric, minimum, tf="run"):
        b = block("signal_active", {"DIRECTION": direction, "METRIC": metric, "MIN": minimum, "TIMEFRAME": tf})
        return if_(b, [log("yes")], [log("no")])

    ws = workspace(active("LONG", "confidence", 80), active("LONG", "confidence", 81), active("ANY", "probability", 60),
                   active("SHORT", "confidence", 10), active("LONG", "confidence", 10, tf="1h"))
    assert [d.message for d in run(ws, signals=signals).decisions] == ["yes", "no", "yes", "no", "no"]
    has = [if_(block("position_has", {"DIRECTION": d}), [log(d)]) for d in ("LONG", "SHORT", "ANY")]
    values = [log(f, block("position_value", {"FIELD": f})) for f in ("size", "entry_price", "unrealised_pnl_pct")]
    result = run(workspace(*has, *values, log("balance", block("balance_available"))), positions=positions,
                 available_balance=250.0)
    assert [(d.message, d.value) for d in result.decisions] == [
        ("SHORT", None), ("ANY", None), ("size", 0.5), ("entry_price", 11.0), ("unrealised_pnl_pct", -9.09),
        ("balance", 250.0)]
    assert logged(workspace(log("none", block("position_value", {"FIELD": "size"})))) == [None]


def test_close_and_cancel_decisions():
    decisions = run(workspace(close_block("SHORT"), block("cancel_orders"))).decisions
    assert [type(d) for d in decisions] == [ClosePosition, CancelOrders]
    assert decisions[0].direction == "SHORT" and decisions[1].symbol == "BTCUSDT"


def test_step_budget_raises_a_typed_error_naming_a_block():
    statements = [log(str(i), arith(num(i), "add", num(1))) for i in range(50)]
    program = compile_workspace(workspace(*statements))
    ctx = Context("BTCUSDT", "5m", {})
    assert evaluate(program, ctx).steps == 200
    with pytest.raises(BudgetExceeded) as info:
        evaluate(program, ctx, budget=199)
    assert info.value.block_id == statements[-1]["inputs"]["VALUE"]["block"]["inputs"]["B"]["block"]["id"]


def test_a_program_of_another_ir_version_is_refused():
    program = {**compile_workspace(workspace(log("x"))), "ir_version": 0}
    with pytest.raises(StaleProgram, match="IR version 0"):
        evaluate(program, Context("BTCUSDT", "5m", {}))


def test_nan_and_inf_candles_and_balance_never_raise():
    bad = np.array([1.0, np.nan, np.inf, 3.0])
    ws = workspace(log("c", candle(back=2)), log("e", ind("ema", period=2)), log("b", block("balance_available")),
                   open_("LONG", num(10), "percent_balance"))
    result = run(ws, close=bad, available_balance=math.inf)
    assert [d.value for d in result.decisions[:3]] == [None, None, None]
    assert isinstance(result.decisions[3], Log)


def test_runtime_imports_neither_django_nor_the_network():
    assert impure_imports("strategies.runtime", "strategies.compiler", "strategies.blocks") == []
