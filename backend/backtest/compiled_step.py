"""The evaluator's statements as closures, for `compiled.py`: one evaluation of one symbol at one
candle, as `strategies.runtime` runs it, pure values read from `compiled_arrays.Arrays`. Pure.

Each statement and expression is turned into a Python function once per backtest, so a step does
no dispatch on op names and no cache look-ups: a pure expression is one read of its array at
(symbol row, candle) (the array computed on the first read), a stateful one (variables, positions,
balance) reads the `Step`'s state. Operands are evaluated in the evaluator's order, with its
short-circuits, NaN rules and decisions (`decisions.open_decision` for orders).
"""
from __future__ import annotations

import math
from collections.abc import Callable

from strategies.decisions import CancelOrders, ClosePosition, Log, Notify, open_decision

from .compiled_arrays import ATR_NODE, NAN, Arrays, finite, is_pure
from .portfolio import Direction


class Step:
    """What one evaluation reads and writes: the symbol (and its row), the candle, the program's
    view of the portfolio (`compiled_ledger.ProgramState`), its variables and decisions."""

    __slots__ = ("i", "t", "symbol", "state", "variables", "decisions")

    def __init__(self, state):
        self.state = state
        self.i = self.t = 0
        self.symbol = ""
        self.variables: dict = {}
        self.decisions: list = []


Run = Callable[[Step], None]


def compile_statement(node, arrays: Arrays) -> Run:
    op = node["op"]
    block = node.get("block")
    if op == "if":
        cond = _truth(node["cond"], 0, arrays)
        then = [compile_statement(x, arrays) for x in node["then"]]
        other = [compile_statement(x, arrays) for x in node["else"]]

        def run_if(s: Step) -> None:
            for run in then if cond(s) else other:
                run(s)
        return run_if
    if op == "set":
        value, name = _number(node["value"], 0, arrays), node["id"]

        def run_set(s: Step) -> None:
            s.variables[name] = value(s)
        return run_set
    if op in ("notify", "log"):
        kind, message, value = (Notify if op == "notify" else Log), node["message"], _optional(node["value"], arrays)
        return lambda s: s.decisions.append(kind(message, value(s), block))
    if op == "close":
        direction = node["direction"]
        return lambda s: s.decisions.append(ClosePosition(s.symbol, direction, block))
    if op == "cancel":
        return lambda s: s.decisions.append(CancelOrders(s.symbol, block))
    if op == "open":
        return _open(node, arrays)
    raise ValueError(f"not a statement: {op}")


def _open(node, arrays: Arrays) -> Run:
    size = _number(node["size"], 0, arrays)
    price = _number(node["price"], 0, arrays) if node["price"] is not None else _last_close(arrays)
    needs_atr = any(level and level["mode"] == "atr" for level in (node["stop_loss"], node["take_profit"]))
    atr = _pure_read(lambda: arrays.number(ATR_NODE, 0)) if needs_atr else (lambda s: NAN)

    def run_open(s: Step) -> None:
        size_, price_, atr_ = size(s), price(s), atr(s)
        balance = finite(s.state.balance())
        s.decisions.append(open_decision(node, s.symbol, size=size_, price=price_, atr=atr_, balance=balance))
    return run_open


def _last_close(arrays: Arrays):
    closes = arrays.table[:, :, 4]
    return lambda s: finite(closes[s.i, s.t])


def _pure_read(array_of: Callable):
    """A reader of one pure array at the step's (row, candle); the array is made at the first read."""
    cell: list = []

    def read(s: Step):
        if not cell:
            cell.append(array_of())
        return cell[0].item(s.i, s.t)
    return read


def _optional(node, arrays: Arrays):
    if node is None:
        return lambda s: None
    value = _number(node, 0, arrays)

    def optional(s: Step) -> float | None:
        x = value(s)
        return x if math.isfinite(x) else None
    return optional


_COMPARE = {"gt": lambda x, y: x > y, "gte": lambda x, y: x >= y, "lt": lambda x, y: x < y,
            "lte": lambda x, y: x <= y, "eq": lambda x, y: x == y, "neq": lambda x, y: x != y}


def _truth(node, k: int, arrays: Arrays) -> Callable[[Step], bool]:
    if is_pure(node):
        return _pure_read(lambda: arrays.truth(node, k))
    op = node["op"]
    if op == "compare":
        x, y = (_number(arg, k, arrays) for arg in node["args"])
        fn = _COMPARE[node["fn"]]

        def compare(s: Step) -> bool:
            a, b = x(s), y(s)
            return False if math.isnan(a) or math.isnan(b) else fn(a, b)
        return compare
    if op == "cross":
        (a0, b0), (a1, b1) = ([_number(arg, j, arrays) for arg in node["args"]] for j in (k, k + 1))
        above = node["direction"] == "above"

        def cross(s: Step) -> bool:
            x0, y0, x1, y1 = a0(s), b0(s), a1(s), b1(s)
            if math.isnan(x0) or math.isnan(y0) or math.isnan(x1) or math.isnan(y1):
                return False
            return (x1 <= y1 and x0 > y0) if above else (x1 >= y1 and x0 < y0)
        return cross
    if op == "logic":
        first, second = (_truth(arg, k, arrays) for arg in node["args"])
        if node["fn"] == "and":
            return lambda s: first(s) and second(s)
        return lambda s: first(s) or second(s)
    if op == "not":
        inner = _truth(node["arg"], k, arrays)
        return lambda s: not inner(s)
    if op == "position_has":  # positions are keyed by (symbol, direction): looked up, not scanned
        wanted = tuple(d for d in Direction if node["direction"] in ("ANY", d.value))
        return lambda s: any((s.symbol, direction) in s.state.book.positions for direction in wanted)
    raise ValueError(f"not a boolean node: {op}")


_ARITH = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
          "div": lambda x, y: x / y if y != 0 else NAN, "min": min, "max": max}
_UNARY = {"abs": abs, "neg": lambda v: -v, "round": lambda v: float(round(v))}


def _number(node, k: int, arrays: Arrays) -> Callable[[Step], float]:
    if is_pure(node):
        return _pure_read(lambda: arrays.number(node, k))
    op = node["op"]
    if op == "var":
        name = node["id"]
        return lambda s: s.variables.get(name, NAN)
    if op == "balance":
        return lambda s: finite(s.state.balance())
    if op == "position":
        field = node["field"]

        def position(s: Step) -> float:
            mine = sorted((p for p in s.state.positions() if p.symbol == s.symbol), key=lambda p: p.direction)
            return finite(getattr(mine[0], field)) if mine else NAN
        return position
    if op == "arith":
        x, y = (_number(arg, k, arrays) for arg in node["args"])
        fn = _ARITH[node["fn"]]

        def arith(s: Step) -> float:
            a, b = x(s), y(s)
            if math.isnan(a) or math.isnan(b):
                return NAN
            try:
                return finite(fn(a, b))
            except OverflowError:
                return NAN
        return arith
    if op == "unary":
        inner, fn = _number(node["arg"], k, arrays), _UNARY[node["fn"]]

        def unary(s: Step) -> float:
            v = inner(s)
            return NAN if math.isnan(v) else fn(v)
        return unary
    if op == "choose":
        cond, then, other = (_truth(node["cond"], k, arrays), _number(node["then"], k, arrays),
                             _number(node["else"], k, arrays))
        return lambda s: then(s) if cond(s) else other(s)
    raise ValueError(f"not a number node: {op}")
