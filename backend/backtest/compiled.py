"""A strategy program over whole arrays: the fast path of `strategy.strategy_backtest`. Pure.

The per-candle path calls the live evaluator (`strategies.runtime.evaluate`) on every closed candle
with the engine's window, so every indicator is computed again on every candle. Here the same
program is taken apart once:

1. Pure expressions (candles, indicators, arithmetic, comparisons, crosses, logic over them; a
   scanner signal, which a backtest has none of, is false) become one float64 / bool array per
   symbol over the whole history, with the evaluator's rules: NaN is "no value", a comparison or
   cross with NaN is false, division by zero is NaN, a candle further back than the window is NaN.
   An indicator is computed once over the whole history; its value at candle t is the one the
   window of the last `window` candles ending at t has: NaN while that window is shorter than the
   indicator needs or inside its warm-up. A recursive indicator (EMA, Wilder's RSI / ATR / ADX,
   MACD, Heikin-Ashi) computed on a window starts from a seed at the window's start; its distance
   to the whole-history value shrinks by a fixed factor per candle (`convergence`). A program
   takes this path only if every indicator it reads has shrunk that distance below 1e-12 within
   the window (EMA 21 in a 500-candle window: 1e-20; RSI 14: 2e-16; EMA 200: 0.05, so a program
   reading EMA 200 runs per candle). Values then agree to ~1e-15 relative: a logged value or an
   ATR-based stop may differ in its last digit; a comparison could only turn on an exact tie
   (the tests compare both paths' decisions and trades on the shipped history).
2. Each top-level statement gets a mask of the candles where it may act: an `if` only where its
   condition can be true (exactly, when the condition is pure) and its branch acts. On the
   other candles the evaluator would decide nothing and change no variable, so they are skipped.
3. On the remaining candles the statements run as the evaluator runs them (same decisions,
   `decisions.open_decision` for orders), reading pure values from the arrays and the stateful
   ones (variables, positions, balance) from the portfolio.

The portfolio (`portfolio.Portfolio`, the Decimal ledger) sees a symbol's candle only when it can
change something: a waiting entry or exit, the first candle that reaches an open position's
stop-loss or take-profit (found over the arrays; the ledger then decides the fill), or a funding
time with a position open; the trades are the per-candle path's. The equity curve is then
computed from the ledger's cash and the trades' intervals over the closes in float64 (the
per-candle path sums Decimals on every candle; the two agree to ~1e-12).

`compiled_backtest` returns None for a program it does not take: one reading an indicator that has
not converged within the window (above), or whose worst-case step count exceeds the evaluator's
budget (the per-candle path raises `BudgetExceeded` as live does).
"""
from __future__ import annotations

import math
from decimal import Decimal

import numpy as np

from indicators import IndicatorInputError
from indicators.registry import REGISTRY
from strategies.decisions import CancelOrders, ClosePosition, Log, Notify, open_decision
from strategies.runtime import ATR_PERIOD, DEFAULT_BUDGET

from .fills import Candle, FillModel, is_funding_time, to_decimal
from .portfolio import EquityPoint, Portfolio
from .scanner import stack_series

NAN = float("nan")
STATEFUL = frozenset({"var", "position_has", "position", "balance"})
_COLUMNS = ("open", "high", "low", "close", "volume")


CONVERGED = 1e-12


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


def _children(node) -> list:
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
        kids = _children(node)
        inner = worst_steps(kids)
        total += 1 + (2 * inner if node["op"] == "cross" else inner)
    return total


class _Symbol:
    """One symbol's arrays: pure expressions evaluated over every candle, cached per (node, k)."""

    def __init__(self, symbol: str, rows: dict[str, np.ndarray], timeframe: str, window: int):
        self.symbol, self.rows, self.timeframe, self.window = symbol, rows, timeframe, window
        self.n = len(next(iter(rows.values()))[:, 0])
        self.cache: dict = {}
        self.indicators: dict = {}

    def _shift(self, values: np.ndarray, back: int) -> np.ndarray:
        """values[t - back] where the window ending at t holds that candle, else NaN."""
        out = np.full(self.n, NAN)
        if back < self.window and back < self.n:
            out[back:] = values[: self.n - back]
        return out

    def _columns(self, symbol, tf) -> np.ndarray | None:
        if tf not in (None, self.timeframe):
            return None  # a backtest runs one timeframe: another has no candle (NaN), as in the per-candle path
        return self.rows.get(symbol or self.symbol)

    def _indicator(self, node):
        """(whole-history output, warm-up length of a fresh window, candles needed), or None: no value."""
        key = (node["name"], tuple(sorted(node["params"].items())), node["source"], node["symbol"], node["tf"],
               node["output"])
        if key not in self.indicators:
            table = self._columns(node["symbol"], node["tf"])
            found = None
            if table is not None:
                indicator = REGISTRY[node["name"]]
                columns = {c: np.ascontiguousarray(table[:, i + 1]) for i, c in enumerate(_COLUMNS)}
                source = node["source"] or "close"
                try:
                    full = indicator.compute(columns, node["params"], source)[node["output"]]
                    need = indicator.min_candles(indicator.check_params(node["params"]))
                    head = {c: v[: self.window] for c, v in columns.items()}
                    lead = _lead(indicator.compute(head, node["params"], source)[node["output"]])
                    found = (np.where(np.isfinite(full), full, NAN), lead, need)
                except (IndicatorInputError, AttributeError, ValueError, KeyError):
                    found = None
            self.indicators[key] = found
        return self.indicators[key]

    def _indicator_back(self, node, back: int) -> np.ndarray:
        found = self._indicator(node)
        if found is None:
            return np.full(self.n, NAN)
        values, lead, need = found
        out = self._shift(values, back)
        t = np.arange(self.n)
        out[np.minimum(t + 1, self.window) < need] = NAN  # the window is too short: no value at all
        out[(t + 1 > self.window) & (self.window - 1 - back < lead)] = NAN  # inside a sliding window's warm-up
        return out

    def number(self, node, k: int) -> np.ndarray:
        key = (id(node), k)
        if key in self.cache:
            return self.cache[key]
        op = node["op"]
        with np.errstate(all="ignore"):
            if op == "const":
                out = np.full(self.n, _finite(node["value"]))
            elif op == "candle":
                table = self._columns(node["symbol"], node["tf"])
                column = table[:, _COLUMNS.index(node["field"]) + 1] if table is not None else np.full(self.n, NAN)
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
        key = (id(node), k, "?")
        if key in self.cache:
            return self.cache[key]
        op = node["op"]
        with np.errstate(invalid="ignore"):
            if op == "const":
                out = np.full(self.n, bool(node["value"]))
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
                out = np.zeros(self.n, dtype=bool)  # a backtest has no scanner signals
            else:
                raise ValueError(f"not a pure boolean node: {op}")
        self.cache[key] = out
        return out


def _params(node) -> dict:
    try:
        return REGISTRY[node["name"]].check_params(node["params"])
    except (IndicatorInputError, KeyError):
        return {}


def _lead(values: np.ndarray) -> int:
    """How many values a fresh computation leaves NaN at its start (its warm-up)."""
    finite = np.flatnonzero(~np.isnan(values))
    return int(finite[0]) if len(finite) else len(values)


def _finite(x) -> float:
    x = float(x)
    return x if math.isfinite(x) else NAN


_PURE: dict[int, tuple[dict, bool]] = {}  # id(node) -> (node, pure): the node is kept so its id stays its own


def is_pure(node) -> bool:
    found = _PURE.get(id(node))
    if found is not None and found[0] is node:
        return found[1]
    pure = node["op"] not in STATEFUL and all(is_pure(child) for child in _children(node))
    _PURE[id(node)] = (node, pure)
    return pure


def _acts(statements, arrays: _Symbol) -> np.ndarray:
    """Candles where `statements` may decide something or set a variable."""
    mask = np.zeros(arrays.n, dtype=bool)
    for node in statements:
        if node["op"] == "if":
            then, other = _acts(node["then"], arrays), _acts(node["else"], arrays)
            if then.any():
                mask |= _possible(node["cond"], arrays) & then
            if other.any():
                mask |= _possible_not(node["cond"], arrays) & other
        else:
            return np.ones(arrays.n, dtype=bool)  # set, open, close, cancel, notify, log: always act
    return mask


def _possible(node, arrays: _Symbol) -> np.ndarray:
    """Candles where the condition may be true (exactly where it is, for a pure condition)."""
    if is_pure(node):
        return arrays.truth(node, 0)
    if node["op"] == "logic":
        a, b = (_possible(x, arrays) for x in node["args"])
        return (a & b) if node["fn"] == "and" else (a | b)
    if node["op"] == "not":
        return _possible_not(node["arg"], arrays)
    return np.ones(arrays.n, dtype=bool)


def _possible_not(node, arrays: _Symbol) -> np.ndarray:
    if is_pure(node):
        return ~arrays.truth(node, 0)
    if node["op"] == "logic":  # De Morgan
        a, b = (_possible_not(x, arrays) for x in node["args"])
        return (a | b) if node["fn"] == "and" else (a & b)
    if node["op"] == "not":
        return _possible(node["arg"], arrays)
    return np.ones(arrays.n, dtype=bool)


class _Step:
    """One evaluation at candle `t`, as `runtime._Run` does it, pure values read from the arrays."""

    def __init__(self, arrays: _Symbol, t: int, state, variables: dict):
        self.a, self.t, self.state = arrays, t, state
        self.variables = dict(variables)
        self.decisions: list = []

    def block(self, statements) -> None:
        for node in statements:
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
        self.decisions.append(ClosePosition(self.a.symbol, node["direction"], node["block"]))

    def do_cancel(self, node) -> None:
        self.decisions.append(CancelOrders(self.a.symbol, node["block"]))

    def do_open(self, node) -> None:
        size = self.number(node["size"], 0)
        price = self.number(node["price"], 0) if node["price"] is not None else self._close()
        atr = NAN
        if any(level and level["mode"] == "atr" for level in (node["stop_loss"], node["take_profit"])):
            atr = self._atr()
        balance = _finite(self.state.balance())
        self.decisions.append(open_decision(node, self.a.symbol, size=size, price=price, atr=atr, balance=balance))

    def _close(self) -> float:
        value = self.a.rows[self.a.symbol][self.t, 4]
        return _finite(value)

    def _atr(self) -> float:
        return float(self.a.number(_ATR_NODE, 0)[self.t])

    def optional(self, node) -> float | None:
        if node is None:
            return None
        value = self.number(node, 0)
        return value if math.isfinite(value) else None

    def truth(self, node, k: int) -> bool:
        if is_pure(node):
            return bool(self.a.truth(node, k)[self.t])
        op = node["op"]
        if op == "compare":
            x, y = (self.number(arg, k) for arg in node["args"])
            if math.isnan(x) or math.isnan(y):
                return False
            return {"gt": x > y, "gte": x >= y, "lt": x < y, "lte": x <= y, "eq": x == y, "neq": x != y}[node["fn"]]
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
        if op == "position_has":
            return any(symbol == self.a.symbol and node["direction"] in ("ANY", direction.value)
                       for symbol, direction in self.state.book.positions)
        raise ValueError(f"not a boolean node: {op}")

    def number(self, node, k: int) -> float:
        if is_pure(node):
            return float(self.a.number(node, k)[self.t])
        op = node["op"]
        if op == "var":
            return self.variables.get(node["id"], NAN)
        if op == "balance":
            return _finite(self.state.balance())
        if op == "position":
            mine = sorted((p for p in self.state.positions() if p.symbol == self.a.symbol), key=lambda p: p.direction)
            return _finite(getattr(mine[0], node["field"])) if mine else NAN
        if op == "arith":
            x, y = (self.number(arg, k) for arg in node["args"])
            if math.isnan(x) or math.isnan(y):
                return NAN
            try:
                value = {"add": lambda: x + y, "sub": lambda: x - y, "mul": lambda: x * y,
                         "div": lambda: x / y if y != 0 else NAN, "min": lambda: min(x, y),
                         "max": lambda: max(x, y)}[node["fn"]]()
            except OverflowError:
                return NAN
            return _finite(value)
        if op == "unary":
            x = self.number(node["arg"], k)
            if math.isnan(x):
                return NAN
            return {"abs": abs, "neg": lambda v: -v, "round": lambda v: float(round(v))}[node["fn"]](x)
        if op == "choose":
            return self.number(node["then"] if self.truth(node["cond"], k) else node["else"], k)
        raise ValueError(f"not a number node: {op}")


_ATR_NODE = {"op": "indicator", "name": "atr", "params": {"period": ATR_PERIOD}, "source": None, "output": "value",
             "back": 0, "tf": None, "symbol": None}


class _State:
    """The portfolio as the program sees it at candle t: positions marked at the closes of t."""

    def __init__(self, book: Portfolio, rows: dict, leverage: Decimal):
        self.book, self.rows, self.leverage = book, rows, leverage
        self.t, self._positions, self._marked, self._balance = 0, None, False, None
        self._mark_rows: dict[str, int] = {}  # symbol -> the row its mark was last set from

    def at(self, t: int) -> None:
        """Candle t's evaluations begin: positions are marked at its closes when first read."""
        self.t, self._positions, self._marked, self._balance = t, None, False, None

    def mark(self, t: int, before: str | None = None, names=()) -> None:
        """Marks of the open positions' symbols: the close of t, or of t - 1 for the symbols after
        `before` in `names` (whose candle t the per-candle path has not handed over yet)."""
        self._positions = self._balance = None
        later = set(names[names.index(before) + 1:]) if before is not None else set()
        for p in self.book.positions.values():
            row = t - 1 if p.symbol in later and t > 0 else t
            if self._mark_rows.get(p.symbol) != row or self.book.marks.get(p.symbol) is None:
                self.book.marks[p.symbol] = to_decimal(self.rows[p.symbol][row, 4])
                self._mark_rows[p.symbol] = row

    def _ensure_marked(self) -> None:
        if not self._marked:
            self.mark(self.t)
            self._marked = True

    def positions(self):
        """As the evaluator gets them (unrealised PnL in % of margin); built once per candle."""
        from .strategy import _position

        self._ensure_marked()
        if self._positions is None:
            self._positions = [_position(p, self.book.marks[p.symbol], self.leverage)
                               for p in self.book.positions.values()]
        return self._positions

    def balance(self) -> float:
        """Available balance; one per candle (decisions only queue orders: it does not change)."""
        self._ensure_marked()
        if self._balance is None:
            self._balance = float(self.book.available())
        return self._balance


def compiled_backtest(program: dict, series: dict[str, np.ndarray], *, timeframe: str, timeframe_ms: int,
                      model: FillModel, initial_equity, first: int, window: int, chunk_done, chunks: int,
                      budget: int = DEFAULT_BUDGET):
    """`strategy.strategy_backtest`'s result by the fast path, or None for a program it does not take."""
    from .strategy import StrategyBacktest, _apply

    statements = program["on_candle_close"]
    if worst_steps(statements) > budget:
        return None
    from strategies.ir import walk

    for node in [*walk(statements), _ATR_NODE]:
        if node["op"] == "indicator" and not convergence(node["name"], _params(node), window) < CONVERGED:
            return None
    symbols, table = stack_series(series, timeframe_ms)
    names = list(symbols)
    rows = {s: table[i] for i, s in enumerate(names)}
    n = table.shape[1]
    opens = table[0, :, 0].astype(np.int64)
    arrays = {s: _Symbol(s, rows, timeframe, window) for s in names}
    visits = {s: _acts(statements, arrays[s]) for s in names}
    any_visit = np.zeros(n, dtype=bool)
    for mask in visits.values():
        any_visit |= mask
    any_visit[:first] = False
    visit_times = np.flatnonzero(any_visit)
    funding = np.array([is_funding_time(int(o)) for o in opens])
    funding_times = np.flatnonzero(funding)

    book = Portfolio(model, to_decimal(initial_equity))
    result = StrategyBacktest(book)
    state = _State(book, rows, model.leverage)
    variables: dict[str, dict] = {s: {} for s in names}
    cash_log: list[tuple[int, Decimal]] = []
    every = max(1, (n - first) // chunks)
    next_point = first + every - 1  # progress is reported after this candle (as the per-candle path does)
    hits: dict[tuple, int] = {}

    def hit_of(p) -> int:
        """The first candle after the entry's where the position's stop or target is reached (n: none)."""
        key = (p.symbol, p.direction, p.entry_time)
        if key not in hits:
            start = int(np.searchsorted(opens, p.entry_time)) + 1
            low, high = rows[p.symbol][start:, 3], rows[p.symbol][start:, 2]
            reached = np.zeros(len(low), dtype=bool)
            long = p.direction.sign > 0
            if p.stop is not None:
                reached |= (low <= float(p.stop)) if long else (high >= float(p.stop))
            if p.target is not None:
                reached |= (high >= float(p.target)) if long else (low <= float(p.target))
            found = np.flatnonzero(reached)
            hits[key] = start + int(found[0]) if len(found) else n
        return hits[key]

    order = {s: i for i, s in enumerate(names)}
    visitors = np.stack([visits[s] for s in names])  # (symbols, candles)
    t = first
    while t < n:
        busy = {s for s, waiting in book._entries.items() if waiting}  # noqa: SLF001
        busy.update(s for s, exits in book._exits.items() if exits)  # noqa: SLF001
        for p in book.positions.values():
            if (funding[t] or ((p.stop, p.target) != (None, None) and hit_of(p) == t)):
                busy.add(p.symbol)
        cash = book.cash
        for s in sorted(busy, key=order.__getitem__):  # the per-candle path's order of symbols
            if book._entries.get(s):  # noqa: SLF001 - a margin check: the other positions marked as it has them
                state.mark(t, s, names)
            book.on_candle(s, Candle.of(*rows[s][t, :5].tolist()))
        if book.cash != cash or not cash_log:
            cash_log.append((t, book.cash))
        if any_visit[t]:
            open_time = int(opens[t])
            state.at(t)
            for i in np.flatnonzero(visitors[:, t]).tolist():
                s = names[i]
                step = _Step(arrays[s], t, state, variables[s])
                step.block(statements)
                variables[s] = {k: v for k, v in step.variables.items() if math.isfinite(v)}
                if step.decisions:
                    result.decisions.append((open_time, s, tuple(step.decisions)))
                for d in step.decisions:
                    _apply(book, d)
        # The next candle where anything can happen.
        if any(book._entries.values()) or any(book._exits.values()):  # noqa: SLF001
            following = t + 1
        else:
            following = n
            later = np.searchsorted(visit_times, t, side="right")
            if later < len(visit_times):
                following = int(visit_times[later])
            if book.positions:
                due = np.searchsorted(funding_times, t, side="right")
                if due < len(funding_times):
                    following = min(following, int(funding_times[due]))
                for p in book.positions.values():
                    if (p.stop, p.target) != (None, None):
                        following = min(following, hit_of(p))
        while next_point < min(following, n):  # the progress points passed on the way
            chunk_done((next_point - first + 1) / (n - first))
            next_point += every
        t = following
    last = {s: Candle.of(*rows[s][n - 1, :5].tolist()) for s in names}
    book.close_all(last, int(opens[n - 1]) + timeframe_ms)
    book.equity_curve = _equity_curve(book, rows, opens, first, timeframe_ms, cash_log)
    return result


def _equity_curve(book: Portfolio, rows: dict, opens: np.ndarray, first: int, timeframe_ms: int,
                  cash_log: list[tuple[int, Decimal]]) -> list[EquityPoint]:
    """The per-candle path's curve: at each candle's close, cash + the open positions marked at the
    close; the last point after the end's closing. Unrealised PnL and notional in float64."""
    n = len(opens)
    unrealised, notional, count = np.zeros(n), np.zeros(n), np.zeros(n, dtype=int)
    for trade in book.trades:
        start = int(np.searchsorted(opens, trade.entry_time))
        end = int(np.searchsorted(opens, trade.exit_time))  # an exit at t's open is out at t's close
        closes = rows[trade.symbol][start:end, 4]
        qty, entry = float(trade.qty), float(trade.entry_price)
        unrealised[start:end] += trade.direction.sign * qty * (closes - entry)
        notional[start:end] += qty * closes
        count[start:end] += 1
    cash_at = [book.initial_equity] * n
    log = cash_log + [(n, book.cash)]
    for (t0, cash), (t1, _) in zip(log, log[1:]):
        cash_at[t0:t1] = [cash] * (t1 - t0)
    points = [EquityPoint(int(opens[t]) + timeframe_ms, cash_at[t] + to_decimal(float(unrealised[t])), cash_at[t],
                          int(count[t]), to_decimal(float(notional[t])))
              for t in range(first, n - 1)]
    points.append(EquityPoint(int(opens[n - 1]) + timeframe_ms, book.cash, book.cash, 0, Decimal(0)))
    return points
