"""Pure IR expressions over every candle of every symbol, for `compiled.py`. Pure.

`Arrays` evaluates a pure expression (candles, indicators, arithmetic, comparisons, crosses, logic
over them; a scanner signal, which a backtest has none of, is false) into one (symbols, candles)
float64 / bool array, with the evaluator's rules: NaN is "no value", a comparison or cross with
NaN is false, division by zero is NaN, a candle further back than the window is NaN. An indicator
is computed once over the whole history of all symbols (one 2-D call: the indicator kernels give
each row the bits its own 1-D call gives); its value at candle t is the one the window of the
last `window` candles ending at t has: NaN while that window is shorter than the indicator needs
or inside its warm-up. Arrays are cached by the expression's structure (its blocks' ids aside),
so two blocks computing the same thing share one array.

`convergence` says how far a recursive indicator computed on a window can be from its
whole-history value (see `compiled.py`); `statement_masks` gives, per top-level statement, the
candles where it may act.
"""
from __future__ import annotations

import math

import numpy as np

from indicators import IndicatorInputError
from indicators.registry import REGISTRY
from strategies.runtime import ATR_PERIOD

NAN = float("nan")
STATEFUL = frozenset({"var", "position_has", "position", "balance"})
COLUMNS = ("open", "high", "low", "close", "volume")
CONVERGED = 1e-12
#: The ATR behind "x ATR" stop-loss and take-profit levels.
ATR_NODE = {"op": "indicator", "name": "atr", "params": {"period": ATR_PERIOD}, "source": None, "output": "value",
            "back": 0, "tf": None, "symbol": None}


def convergence(name: str, params: dict, window: int) -> float:
    """How much of a seed's distance to the whole-history value is left after a `window`-candle
    window (0: the indicator reads a fixed number of candles; 1: not known, never converged)."""
    p = params.get("period", 14)
    if name in ("sma", "bollinger"):
        return 0.0
    if name == "ema":
        return (1 - 2 / (p + 1)) ** max(0, window - p)
    if name in ("rsi", "atr"):
        return (1 - 1 / p) ** max(0, window - p - 1)
    if name == "adx":
        return (1 - 1 / p) ** max(0, window - 2 * p)
    if name == "macd":
        slow, signal = params.get("slow", 26), params.get("signal", 9)
        return (1 - 2 / (slow + 1)) ** max(0, window - slow - signal)
    if name == "heikin_ashi":
        return 0.5 ** max(0, window - 1)
    return 1.0


def children(node) -> list:
    out = []
    for key, value in node.items():
        if key in ("then", "else") and isinstance(value, list):
            out.extend(value)
        elif isinstance(value, dict) and "op" in value:
            out.append(value)
        elif key == "args":
            out.extend(value)
    for level in ("stop_loss", "take_profit"):
        if isinstance(node.get(level), dict) and "op" in node[level]:
            out.append(node[level])
    return out


def worst_steps(nodes) -> int:
    """An upper bound of the steps one evaluation may take (a cross evaluates its arguments twice)."""
    total = 0
    for node in nodes:
        kids = children(node)
        inner = worst_steps(kids)
        total += 1 + (2 * inner if node["op"] == "cross" else inner)
    return total


_PURE: dict[int, tuple[dict, bool]] = {}  # id(node) -> (node, pure): the node is kept so its id stays its own


def is_pure(node) -> bool:
    found = _PURE.get(id(node))
    if found is not None and found[0] is node:
        return found[1]
    pure = node["op"] not in STATEFUL and all(is_pure(child) for child in children(node))
    _PURE[id(node)] = (node, pure)
    return pure


def params_of(node) -> dict:
    try:
        return REGISTRY[node["name"]].check_params(node["params"])
    except (IndicatorInputError, KeyError):
        return {}


def finite(x) -> float:
    x = float(x)
    return x if math.isfinite(x) else NAN


def _shape(node):
    """A hashable form of an expression without its block ids: equal forms compute equal arrays."""
    if isinstance(node, dict):
        return tuple(sorted((k, _shape(v)) for k, v in node.items() if k != "block"))
    if isinstance(node, list):
        return tuple(_shape(v) for v in node)
    return node


class Arrays:
    """Every symbol's pure expressions as (symbols, candles) arrays, cached per (expression, k):
    k candles further back than the expression says (a cross reads its arguments at k and k + 1)."""

    def __init__(self, names: list[str], table: np.ndarray, timeframe: str, window: int):
        self.names, self.table, self.timeframe, self.window = names, table, timeframe, window
        self.index = {s: i for i, s in enumerate(names)}
        self.shape = table.shape[:2]
        self.n = self.shape[1]
        self.columns = {c: np.ascontiguousarray(table[:, :, i + 1]) for i, c in enumerate(COLUMNS)}
        self.cache: dict = {}
        self.indicators: dict = {}
        self._shapes: dict[int, tuple] = {}  # id(node) -> (node, its _shape)

    def key(self, node, k: int, kind: str) -> tuple:
        found = self._shapes.get(id(node))
        if found is None or found[0] is not node:
            found = self._shapes[id(node)] = (node, _shape(node))
        return found[1], k, kind

    def _shift(self, values: np.ndarray, back: int) -> np.ndarray:
        """values[:, t - back] where the window ending at t holds that candle, else NaN."""
        out = np.full(self.shape, NAN)
        if back < self.window and back < self.n:
            out[:, back:] = values[:, : self.n - back]
        return out

    def _rows(self, symbol) -> slice | list[int] | None:
        """The rows of `columns` an expression naming `symbol` reads: every symbol its own (None or
        ""), one symbol's for all, or None for a symbol the run does not hold (no candle: NaN)."""
        if not symbol:
            return slice(None)
        return [self.index[symbol]] if symbol in self.index else None

    def _indicator(self, node):
        """(whole-history output, warm-up length of a fresh window per row, candles needed), or None
        (no value); the output has one row per symbol, or one row for an indicator of a named symbol."""
        key = (node["name"], tuple(sorted(node["params"].items())), node["source"], node["symbol"], node["tf"],
               node["output"])
        if key not in self.indicators:
            rows = self._rows(node["symbol"]) if node["tf"] in (None, self.timeframe) else None
            self.indicators[key] = None if rows is None else self._compute(node, rows)
        return self.indicators[key]

    def _compute(self, node, rows):
        indicator = REGISTRY[node["name"]]
        source = node["source"] or "close"
        columns = {c: v[rows] for c, v in self.columns.items()}
        try:
            need = indicator.min_candles(indicator.check_params(node["params"]))
            full = indicator.compute(columns, node["params"], source)[node["output"]]
            head = indicator.compute({c: v[:, : self.window] for c, v in columns.items()}, node["params"],
                                     source)[node["output"]]
        except (IndicatorInputError, AttributeError, ValueError, KeyError):
            # Refused for the whole block (a NaN in one symbol's candles, say): row by row, as
            # the evaluator sees one symbol at a time.
            found = [self._compute_row(indicator, node, {c: v[r] for c, v in columns.items()}, source, self.window)
                     for r in range(len(next(iter(columns.values()))))]
            if all(f is None for f in found):
                return None
            nan_row = (np.full(self.n, NAN), 0, 0)
            found = [nan_row if f is None else f for f in found]
            return (np.stack([f[0] for f in found]), np.array([f[1] for f in found]),
                    np.array([f[2] for f in found])[:, None])
        known = ~np.isnan(head)
        lead = np.where(known.any(axis=1), known.argmax(axis=1), head.shape[1])
        return np.where(np.isfinite(full), full, NAN), lead, need

    @staticmethod
    def _compute_row(indicator, node, columns, source, window):
        try:
            full = indicator.compute(columns, node["params"], source)[node["output"]]
            need = indicator.min_candles(indicator.check_params(node["params"]))
            head = indicator.compute({c: v[:window] for c, v in columns.items()}, node["params"], source)
            head = head[node["output"]]
        except (IndicatorInputError, AttributeError, ValueError, KeyError):
            return None
        return np.where(np.isfinite(full), full, NAN), int(_first_known(head)), need

    def _indicator_back(self, node, back: int) -> np.ndarray:
        found = self._indicator(node)
        if found is None:
            return np.full(self.shape, NAN)
        values, lead, need = found
        out = self._shift(values, back)
        t = np.arange(self.n)
        too_short = np.minimum(t + 1, self.window) < need  # the window is too short: no value at all
        # Inside a sliding window's warm-up (per symbol: a row's lead depends on its candles).
        warm = (t + 1 > self.window) & (self.window - 1 - back < np.asarray(lead)[:, None])
        out[np.broadcast_to(too_short | warm, self.shape)] = NAN
        return out

    def number(self, node, k: int) -> np.ndarray:
        key = self.key(node, k, "#")
        if key in self.cache:
            return self.cache[key]
        op = node["op"]
        with np.errstate(all="ignore"):
            if op == "const":
                out = np.full(self.shape, finite(node["value"]))
            elif op == "candle":
                rows = self._rows(node["symbol"]) if node["tf"] in (None, self.timeframe) else None
                if rows is None:
                    out = np.full(self.shape, NAN)
                else:
                    column = self.columns[node["field"]][rows]
                    out = self._shift(np.where(np.isfinite(column), column, NAN), node["back"] + k)
            elif op == "indicator":
                out = self._indicator_back(node, node["back"] + k)
            elif op == "arith":
                a, b = (self.number(x, k) for x in node["args"])
                fn = node["fn"]
                if fn == "div":
                    out = np.where(b != 0, a / np.where(b != 0, b, 1.0), NAN)
                else:
                    out = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "min": np.fmin,
                           "max": np.fmax}[fn](a, b)
                out = np.where(np.isnan(a) | np.isnan(b) | ~np.isfinite(out), NAN, out)
            elif op == "unary":
                x = self.number(node["arg"], k)
                out = {"abs": np.abs, "neg": np.negative, "round": np.round}[node["fn"]](x)
            elif op == "choose":
                out = np.where(self.truth(node["cond"], k), self.number(node["then"], k), self.number(node["else"], k))
            else:
                raise ValueError(f"not a pure number node: {op}")
        self.cache[key] = out
        return out

    def truth(self, node, k: int) -> np.ndarray:
        key = self.key(node, k, "?")
        if key in self.cache:
            return self.cache[key]
        op = node["op"]
        with np.errstate(invalid="ignore"):
            if op == "const":
                out = np.full(self.shape, bool(node["value"]))
            elif op == "compare":
                a, b = (self.number(x, k) for x in node["args"])
                fn = {"gt": np.greater, "gte": np.greater_equal, "lt": np.less, "lte": np.less_equal,
                      "eq": np.equal, "neq": np.not_equal}[node["fn"]]
                out = fn(a, b) & ~np.isnan(a) & ~np.isnan(b)
            elif op == "cross":
                a0, b0 = (self.number(x, k) for x in node["args"])
                a1, b1 = (self.number(x, k + 1) for x in node["args"])
                known = ~(np.isnan(a0) | np.isnan(b0) | np.isnan(a1) | np.isnan(b1))
                out = known & (((a1 <= b1) & (a0 > b0)) if node["direction"] == "above" else ((a1 >= b1) & (a0 < b0)))
            elif op == "logic":
                a, b = (self.truth(x, k) for x in node["args"])
                out = (a & b) if node["fn"] == "and" else (a | b)
            elif op == "not":
                out = ~self.truth(node["arg"], k)
            elif op == "signal":
                out = np.zeros(self.shape, dtype=bool)  # a backtest has no scanner signals
            else:
                raise ValueError(f"not a pure boolean node: {op}")
        self.cache[key] = out
        return out


def _first_known(values: np.ndarray) -> int:
    """How many values a fresh computation leaves NaN at its start (its warm-up)."""
    known = np.flatnonzero(~np.isnan(values))
    return int(known[0]) if len(known) else len(values)


#: What a symbol holds when its statements run: bit 0 a LONG position, bit 1 a SHORT one.
LONG_HELD, SHORT_HELD = 1, 2


def acts(statements, arrays: Arrays, held: int | None = None) -> np.ndarray:
    """(symbols, candles) where `statements` may decide something or set a variable; with `held`
    (`LONG_HELD` | `SHORT_HELD`), when the symbol holds those positions (`position_has` known)."""
    mask = np.zeros(arrays.shape, dtype=bool)
    for node in statements:
        if node["op"] == "if":
            then, other = acts(node["then"], arrays, held), acts(node["else"], arrays, held)
            if then.any():
                mask |= _possible(node["cond"], arrays, held) & then
            if other.any():
                mask |= _possible_not(node["cond"], arrays, held) & other
        else:
            return np.ones(arrays.shape, dtype=bool)  # set, open, close, cancel, notify, log: always act
    return mask


def _holds(node, held: int) -> bool:
    """`position_has` given what the symbol holds (as the evaluator: LONG, SHORT or ANY)."""
    return any(held & bit and node["direction"] in ("ANY", name) for bit, name in ((LONG_HELD, "LONG"),
                                                                                   (SHORT_HELD, "SHORT")))


def _possible(node, arrays: Arrays, held: int | None) -> np.ndarray:
    """Candles where the condition may be true (exactly where it is, for a pure condition)."""
    if is_pure(node):
        return arrays.truth(node, 0)
    if node["op"] == "logic":
        a, b = (_possible(x, arrays, held) for x in node["args"])
        return (a & b) if node["fn"] == "and" else (a | b)
    if node["op"] == "not":
        return _possible_not(node["arg"], arrays, held)
    if node["op"] == "position_has" and held is not None:
        return np.full(arrays.shape, _holds(node, held))
    return np.ones(arrays.shape, dtype=bool)


def _possible_not(node, arrays: Arrays, held: int | None) -> np.ndarray:
    if is_pure(node):
        return ~arrays.truth(node, 0)
    if node["op"] == "logic":  # De Morgan
        a, b = (_possible_not(x, arrays, held) for x in node["args"])
        return (a | b) if node["fn"] == "and" else (a & b)
    if node["op"] == "not":
        return _possible(node["arg"], arrays, held)
    if node["op"] == "position_has" and held is not None:
        return np.full(arrays.shape, not _holds(node, held))
    return np.ones(arrays.shape, dtype=bool)
