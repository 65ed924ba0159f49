"""`evaluate`: the pure evaluator of the strategy IR (`ir.py`).  No Django, no I/O, no clock.

One call runs a program's ``on_candle_close`` statements for one symbol on its latest closed
candle and returns `Evaluation`: the decisions (`OpenPosition`, `ClosePosition`, `CancelOrders`,
`Notify`, `Log`), the new variable state and the steps spent.  The live engine and the backtester
both call it; what they do with the decisions (orders, fills) is theirs.

Inputs (`Context`): candles per (symbol, timeframe) as float64 arrays (oldest first, the last one
just closed), positions, available balance, active scanner signals and the variables kept from the
previous candle.

Numbers are floats; every intermediate that is not finite becomes NaN ("no value"):
- a comparison or cross with NaN is false, never an exception; ``neq`` too;
- division by zero, a candle further back than the history, an indicator without enough candles
  (or given bad candles), a position value without a position, an unset variable: NaN;
- an action whose quantity or prices come out NaN, zero or negative is not sent: a `Log` decision
  says why instead.
Each node evaluated costs one step; more than ``budget`` raises `BudgetExceeded` (the one exception
`evaluate` raises for a program the compiler accepted; an IR of another version is `StaleProgram`).  Indicators are computed once per
evaluation per (indicator, parameters, source, symbol, timeframe) through `indicators.registry`.
Quantities: ``quantity`` as given; ``percent_balance``: balance x size% x leverage / price;
``risk_percent``: balance x size% / |price - stop-loss|.  Price: the limit price or the last close.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from indicators import IndicatorInputError
from indicators.registry import REGISTRY

from .decisions import CancelOrders, ClosePosition, Log, Notify, OpenPosition, open_decision
from .ir import IR_VERSION

__all__ = ["BudgetExceeded", "Candles", "CancelOrders", "ClosePosition", "Context", "Evaluation", "Log", "Notify",
           "OpenPosition", "Position", "ScannerSignal", "StaleProgram", "evaluate"]

NAN = float("nan")
DEFAULT_BUDGET = 20_000
ATR_PERIOD = 14  # the ATR behind "x ATR" stop-loss and take-profit


class BudgetExceeded(Exception):
    """The evaluation took more than its step budget: the strategy is stopped (ERROR), not retried."""

    def __init__(self, steps: int, block_id: str | None):
        super().__init__(f"step budget of {steps} exceeded at block {block_id}")
        self.steps, self.block_id = steps, block_id


@dataclass(frozen=True)
class Candles:
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def column(self, name: str) -> np.ndarray:
        return getattr(self, name)


@dataclass(frozen=True)
class Position:
    symbol: str
    direction: str  # LONG / SHORT
    size: float
    entry_price: float
    unrealised_pnl_pct: float


@dataclass(frozen=True)
class ScannerSignal:
    symbol: str
    timeframe: str
    direction: str
    confidence: float
    probability: float | None = None


@dataclass(frozen=True)
class Context:
    symbol: str
    timeframe: str
    candles: Mapping[tuple[str, str], Candles]
    positions: Sequence[Position] = ()
    available_balance: float = 0.0
    signals: Sequence[ScannerSignal] = ()
    variables: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    decisions: tuple
    variables: dict[str, float]  # only the variables with a value (finite)
    steps: int


class StaleProgram(ValueError):
    """The IR was compiled for another IR version: compile the version's workspace again."""


def evaluate(program: Mapping, context: Context, *, budget: int = DEFAULT_BUDGET) -> Evaluation:
    if program.get("ir_version") != IR_VERSION:
        raise StaleProgram(f"IR version {program.get('ir_version')!r}; this runtime runs version {IR_VERSION}")
    run = _Run(context, budget)
    run.block(program["on_candle_close"])
    variables = {k: v for k, v in run.variables.items() if math.isfinite(v)}
    return Evaluation(tuple(run.decisions), variables, run.steps)


def _finite(x) -> float:
    x = float(x)
    return x if math.isfinite(x) else NAN


_ARITH = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b if b != 0 else NAN, "min": min, "max": max,
}  # fmt: skip
_COMPARE = {
    "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b, "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b, "eq": lambda a, b: a == b, "neq": lambda a, b: a != b,
}  # fmt: skip


class _Run:
    def __init__(self, context: Context, budget: int):
        self.ctx, self.budget, self.steps = context, budget, 0
        self.variables = {k: _finite(v) for k, v in context.variables.items()}
        self.decisions: list = []
        self.cache: dict = {}

    def step(self, node) -> None:
        self.steps += 1
        if self.steps > self.budget:
            raise BudgetExceeded(self.budget, node.get("block"))

    # -- statements ---------------------------------------------------------------------------

    def block(self, statements) -> None:
        for node in statements:
            self.step(node)
            getattr(self, f"do_{node['op']}")(node)

    def do_if(self, node) -> None:
        self.block(node["then"] if self.truth(node["cond"], 0) else node["else"])

    def do_set(self, node) -> None:
        self.variables[node["id"]] = self.number(node["value"], 0)

    def do_notify(self, node) -> None:
        self.decisions.append(Notify(node["message"], self.optional(node["value"]), node["block"]))

    def do_log(self, node) -> None:
        self.decisions.append(Log(node["message"], self.optional(node["value"]), node["block"]))

    def do_close(self, node) -> None:
        self.decisions.append(ClosePosition(self.ctx.symbol, node["direction"], node["block"]))

    def do_cancel(self, node) -> None:
        self.decisions.append(CancelOrders(self.ctx.symbol, node["block"]))

    def do_open(self, node) -> None:
        size = self.number(node["size"], 0)
        price = self.number(node["price"], 0) if node["price"] is not None else self.series_at(
            self.ctx.symbol, self.ctx.timeframe, "close", 0)
        atr = NAN
        if any(level and level["mode"] == "atr" for level in (node["stop_loss"], node["take_profit"])):
            atr = self.indicator_at("atr", {"period": ATR_PERIOD}, None, "value", None, None, 0)
        balance = _finite(self.ctx.available_balance)
        self.decisions.append(open_decision(node, self.ctx.symbol, size=size, price=price, atr=atr, balance=balance))

    def optional(self, node) -> float | None:
        if node is None:
            return None
        value = self.number(node, 0)
        return value if math.isfinite(value) else None

    # -- expressions: value on the candle ``k`` back from the latest --------------------------

    def truth(self, node, k: int) -> bool:
        self.step(node)
        op = node["op"]
        if op == "const":
            return bool(node["value"])
        if op == "compare":
            a, b = (self.number(x, k) for x in node["args"])
            return not (math.isnan(a) or math.isnan(b)) and _COMPARE[node["fn"]](a, b)
        if op == "cross":
            a0, b0, a1, b1 = (self.number(x, j) for j in (k, k + 1) for x in node["args"])
            if any(math.isnan(v) for v in (a0, b0, a1, b1)):
                return False
            return (a1 <= b1 and a0 > b0) if node["direction"] == "above" else (a1 >= b1 and a0 < b0)
        if op == "logic":
            first = self.truth(node["args"][0], k)
            if node["fn"] == "and":
                return first and self.truth(node["args"][1], k)
            return first or self.truth(node["args"][1], k)
        if op == "not":
            return not self.truth(node["arg"], k)
        if op == "signal":
            return self.signal_active(node)
        if op == "position_has":
            return any(p.symbol == self.ctx.symbol and node["direction"] in ("ANY", p.direction)
                       for p in self.ctx.positions)
        raise ValueError(f"not a boolean node: {op}")

    def number(self, node, k: int) -> float:
        self.step(node)
        op = node["op"]
        if op == "const":
            return _finite(node["value"])
        if op == "candle":
            return self.series_at(node["symbol"], node["tf"], node["field"], node["back"] + k)
        if op == "indicator":
            return self.indicator_at(node["name"], node["params"], node["source"], node["output"],
                                     node["symbol"], node["tf"], node["back"] + k)
        if op == "arith":
            a, b = (self.number(x, k) for x in node["args"])
            if math.isnan(a) or math.isnan(b):
                return NAN
            try:
                return _finite(_ARITH[node["fn"]](a, b))
            except OverflowError:
                return NAN
        if op == "unary":
            x = self.number(node["arg"], k)
            if math.isnan(x):
                return NAN
            return {"abs": abs, "neg": lambda v: -v, "round": lambda v: float(round(v))}[node["fn"]](x)
        if op == "choose":
            return self.number(node["then"] if self.truth(node["cond"], k) else node["else"], k)
        if op == "var":
            return self.variables.get(node["id"], NAN)
        if op == "balance":
            return _finite(self.ctx.available_balance)
        if op == "position":
            mine = [p for p in self.ctx.positions if p.symbol == self.ctx.symbol]
            mine.sort(key=lambda p: p.direction)  # LONG before SHORT: one answer in hedge mode too
            return _finite(getattr(mine[0], node["field"])) if mine else NAN
        raise ValueError(f"not a number node: {op}")

    def signal_active(self, node) -> bool:
        tf = node["tf"] or self.ctx.timeframe
        for s in self.ctx.signals:
            if s.symbol != self.ctx.symbol or s.timeframe != tf or node["direction"] not in ("ANY", s.direction):
                continue
            score = s.confidence if node["metric"] == "confidence" else s.probability
            if score is not None and _finite(score) >= node["min"]:
                return True
        return False

    def candles(self, symbol, tf) -> Candles | None:
        return self.ctx.candles.get((symbol or self.ctx.symbol, tf or self.ctx.timeframe))

    def series_at(self, symbol, tf, column: str, back: int) -> float:
        candles = self.candles(symbol, tf)
        if candles is None:
            return NAN
        values = candles.column(column)
        return _finite(values[-1 - back]) if back < len(values) else NAN

    def indicator_at(self, name, params, source, output, symbol, tf, back: int) -> float:
        key = (name, tuple(sorted(params.items())), source, symbol, tf)
        if key not in self.cache:
            candles = self.candles(symbol, tf)
            try:
                columns = {c: candles.column(c) for c in ("open", "high", "low", "close", "volume")}
                self.cache[key] = REGISTRY[name].compute(columns, params, source or "close")
            except (IndicatorInputError, AttributeError):  # bad/missing candles: no value
                self.cache[key] = None
        outputs = self.cache[key]
        if outputs is None:
            return NAN
        values = outputs[output]
        return _finite(values[-1 - back]) if back < len(values) else NAN
