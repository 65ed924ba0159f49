"""A strategy program over whole arrays: the fast path of `strategy.strategy_backtest`. Pure.

The per-candle path calls the live evaluator (`strategies.runtime.evaluate`) on every closed candle
with the engine's window, so every indicator is computed again on every candle. Here the same
program is taken apart once:

1. Pure expressions become one array per expression over all symbols and the whole history
   (`compiled_arrays.Arrays`: the evaluator's NaN rules, each indicator computed once). A
   recursive indicator (EMA, Wilder's RSI / ATR / ADX, MACD, Heikin-Ashi) computed on a window
   starts from a seed at the window's start; its distance to the whole-history value shrinks by a
   fixed factor per candle (`convergence`). A program takes this path only if every indicator it
   reads has shrunk that distance below 1e-12 within the window (EMA 21 in a 500-candle window:
   1e-20; RSI 14: 2e-16; EMA 200: 0.05, so a program reading EMA 200 runs per candle). Values then
   agree to ~1e-15 relative: a logged value or an ATR-based stop may differ in its last digit; a
   comparison could only turn on an exact tie (the tests compare both paths' decisions and trades
   on the shipped history).
2. Each top-level statement gets a mask of the (symbol, candle) pairs where it may act: an `if`
   only where its condition can be true (exactly, when the condition is pure) and its branch acts.
   Elsewhere the evaluator would decide nothing and change no variable with that statement, so it
   is skipped; a candle where no statement may act is not visited at all.
3. Where a statement may act it runs as the evaluator runs it (`compiled_step`: the statements
   turned into closures once; same decisions, `decisions.open_decision` for orders), reading pure
   values from the arrays and the stateful ones (variables, positions, balance) from the portfolio.

The portfolio (`compiled_ledger.Ledger`, the Decimal ledger of `portfolio.Portfolio`) sees a
symbol's candle only when it can change something: a waiting entry or exit, the first candle that
reaches an open position's stop-loss or take-profit (found over the arrays; the ledger then decides
the fill), or a funding time with a position open. An entry's margin check is decided in float64
when the rounding cannot matter, in Decimal otherwise. The trades are the per-candle path's. The
equity curve is then computed from the ledger's cash and the trades' intervals over the closes in
float64 (the per-candle path sums Decimals on every candle; the two agree to ~1e-12).

`compiled_backtest` returns None for a program it does not take: one reading an indicator that has
not converged within the window (above), or whose worst-case step count exceeds the evaluator's
budget (the per-candle path raises `BudgetExceeded` as live does).
"""
from __future__ import annotations

import math
from bisect import bisect_left
from decimal import Decimal
from heapq import heapify, heappop, heappush

import numpy as np

from strategies.ir import walk
from strategies.runtime import DEFAULT_BUDGET

from .compiled_arrays import (
    ATR_NODE, CONVERGED, LONG_HELD, SHORT_HELD, Arrays, acts, convergence, params_of, worst_steps,
)
from .compiled_ledger import Ledger, ProgramState, first_reach
from .compiled_step import Step, compile_statement
from .fills import Candle, FillModel, is_funding_time, to_decimal
from .portfolio import Direction, EquityPoint, Portfolio
from .scanner import no_gc_pauses, stack_series

__all__ = ["compiled_backtest", "convergence"]

#: With more top-level statements than this, a candle where any may act runs them all.
_MAX_STATEMENT_BITS = 62


def compiled_backtest(program: dict, series: dict[str, np.ndarray], *, timeframe: str, timeframe_ms: int,
                      model: FillModel, initial_equity, first: int, window: int, chunk_done, chunks: int,
                      budget: int = DEFAULT_BUDGET):
    """`strategy.strategy_backtest`'s result by the fast path, or None for a program it does not take."""
    statements = program["on_candle_close"]
    if worst_steps(statements) > budget:
        return None
    for node in [*walk(statements), ATR_NODE]:
        if node["op"] == "indicator" and not convergence(node["name"], params_of(node), window) < CONVERGED:
            return None
    with no_gc_pauses():  # the replay allocates ~10^5 small records that form no cycles
        return _replay(statements, series, timeframe=timeframe, timeframe_ms=timeframe_ms, model=model,
                       initial_equity=initial_equity, first=first, window=window, chunk_done=chunk_done,
                       chunks=chunks)


def _replay(statements, series: dict[str, np.ndarray], *, timeframe: str, timeframe_ms: int, model: FillModel,
            initial_equity, first: int, window: int, chunk_done, chunks: int):
    from .strategy import StrategyBacktest, _apply

    symbols, table = stack_series(series, timeframe_ms)
    names = list(symbols)
    rows = {s: table[i] for i, s in enumerate(names)}
    n = table.shape[1]
    opens = table[0, :, 0].astype(np.int64)
    arrays = Arrays(names, table, timeframe, window)
    visits = _Visits(statements, arrays, first)
    funding = np.array([is_funding_time(o) for o in opens.tolist()], dtype=bool)
    funding_times = np.flatnonzero(funding)

    book = Ledger(model, to_decimal(initial_equity))
    result = StrategyBacktest(book)
    state = ProgramState(book, rows, names, arrays.columns, opens.tolist())
    step = Step(state)
    variables: dict[str, dict] = {s: {} for s in names}
    sets_variables = any(node["op"] == "set" for node in walk(statements))
    cash_log: list[tuple[int, Decimal]] = []
    every = max(1, (n - first) // chunks)
    next_point = first + every - 1  # progress is reported after this candle (as the per-candle path does)
    brackets: dict[tuple, tuple] = {}  # (symbol, direction) -> (open position, the candle its bracket is reached)
    order = {s: i for i, s in enumerate(names)}
    held = [visits.held(book.positions, s) for s in names]
    upcoming = _Upcoming([visits.next(i, held[i], first) for i in range(len(names))], n)
    t = first
    while t < n:
        busy = {s for s, waiting in book._entries.items() if waiting}  # noqa: SLF001
        busy.update(s for s, exits in book._exits.items() if exits)  # noqa: SLF001
        if funding[t]:
            busy.update(s for s, _ in book.positions)
        busy.update(key[0] for key, (_, hit) in brackets.items() if hit == t)
        cash = book.cash
        for s in book.on_candles_at(t, sorted(busy, key=order.__getitem__)):  # the per-candle path's order
            for key in ((s, Direction.LONG), (s, Direction.SHORT)):
                _track_bracket(brackets, key, book.positions.get(key), rows[s], t + 1, state)
            i = order[s]
            if (now := visits.held(book.positions, s)) != held[i]:
                held[i] = now
                upcoming.set(i, visits.next(i, now, t))
        if book.cash != cash or not cash_log:
            cash_log.append((t, book.cash))
        evaluated = upcoming.due(t)
        if evaluated:
            open_time = int(opens[t])
            state.at(t)
            for i in evaluated:
                s = names[i]
                step.i, step.t, step.symbol, step.decisions = i, t, s, []
                step.variables = dict(variables[s]) if sets_variables else variables[s]  # else never written
                for run in visits.runs(i, held[i], t):
                    run(step)
                if sets_variables:
                    variables[s] = {k: v for k, v in step.variables.items() if math.isfinite(v)}
                if step.decisions:
                    result.decisions.append((open_time, s, tuple(step.decisions)))
                    for d in step.decisions:
                        _apply(book, d)
                upcoming.set(i, visits.next(i, held[i], t + 1))
        # The next candle where anything can happen.
        if any(book._entries.values()) or any(book._exits.values()):  # noqa: SLF001
            following = t + 1
        else:
            following = upcoming.first()
            if book.positions:
                due = np.searchsorted(funding_times, t, side="right")
                if due < len(funding_times):
                    following = min(following, int(funding_times[due]))
                following = min(following, min((hit for _, hit in brackets.values()), default=n))
        while next_point < min(following, n):  # the progress points passed on the way
            chunk_done((next_point - first + 1) / (n - first))
            next_point += every
        t = following
    last = {s: Candle.of(*rows[s][n - 1, :5].tolist()) for s in names}
    book.close_all(last, int(opens[n - 1]) + timeframe_ms)
    book.equity_curve = _equity_curve(book, table, order, first, timeframe_ms, cash_log)
    book.view = None  # the ledger and its view referred to each other: no cycle left for the collector
    return result


class _Visits:
    """Where each symbol's statements may act. A statement that cannot act at a candle decides
    nothing and sets no variable there: it is skipped, and a symbol none of whose statements may
    act is not evaluated. When the program reads `position_has`, that is known per what the
    symbol holds (`held`: positions only change at fills, before a candle's evaluations)."""

    def __init__(self, statements, arrays: Arrays, first: int):
        self.n = arrays.n
        reads_positions = any(node["op"] == "position_has" for node in walk(statements))
        helds = (0, LONG_HELD, SHORT_HELD, LONG_HELD | SHORT_HELD) if reads_positions else (None,)
        # Bit j of a code: the j-th top-level statement may act (with too many, bit 0: all of them).
        parts = [[node] for node in statements] if len(statements) <= _MAX_STATEMENT_BITS else [statements]
        self.codes: dict[int | None, np.ndarray] = {}
        self.times: dict[int | None, list[list[int]]] = {}  # per symbol, the candles where any may act
        for held in helds:
            code = np.zeros(arrays.shape, dtype=np.int64)
            for j, part in enumerate(parts):
                code |= acts(part, arrays, held).astype(np.int64) << j
            code[:, :first] = 0
            self.codes[held], self.times[held] = code, [np.flatnonzero(row).tolist() for row in code]
        self._parts = [[compile_statement(node, arrays) for node in part] for part in parts]
        self._runs: dict[int, list] = {}

    def held(self, positions: dict, symbol: str) -> int | None:
        if None in self.codes:
            return None
        return ((LONG_HELD if (symbol, Direction.LONG) in positions else 0)
                | (SHORT_HELD if (symbol, Direction.SHORT) in positions else 0))

    def next(self, i: int, held: int | None, t: int) -> int:
        """The first candle from t where symbol i's statements may act (n: none)."""
        times = self.times[held][i]
        k = bisect_left(times, t)
        return times[k] if k < len(times) else self.n

    def runs(self, i: int, held: int | None, t: int) -> list:
        """The statements to run for symbol i at candle t, in order."""
        code = int(self.codes[held][i, t])
        if code not in self._runs:
            self._runs[code] = [run for j, part in enumerate(self._parts) if code >> j & 1 for run in part]
        return self._runs[code]


class _Upcoming:
    """Per symbol, the next candle it is evaluated at (n: none), and the earliest of them: a heap
    of (candle, symbol index) whose entries a later `set` made stale are dropped when they surface."""

    def __init__(self, candles: list[int], n: int):
        self.n, self.candles = n, candles
        self.heap = [(c, i) for i, c in enumerate(candles) if c < n]
        heapify(self.heap)

    def set(self, i: int, candle: int) -> None:
        self.candles[i] = candle
        if candle < self.n:
            heappush(self.heap, (candle, i))

    def first(self) -> int:
        heap = self.heap
        while heap and self.candles[heap[0][1]] != heap[0][0]:
            heappop(heap)
        return heap[0][0] if heap else self.n

    def due(self, t: int) -> list[int]:
        """The symbols evaluated at candle t, in order (each then needs a `set`)."""
        out = []
        while self.first() == t:
            _, i = heappop(self.heap)
            if not out or out[-1] != i:
                out.append(i)
        return out


def _track_bracket(brackets: dict, key: tuple, position, rows: np.ndarray, start: int, state: ProgramState) -> None:
    """Keep `brackets[key]` for the symbol's open position in `key`'s direction (a new one is
    entered at this candle: its bracket is searched from the next)."""
    if position is None:
        brackets.pop(key, None)
    elif key not in brackets or brackets[key][0] is not position:
        has_levels = (position.stop, position.target) != (None, None)
        reach = first_reach(rows, start, position, *state.lows_highs(position.symbol)) if has_levels else len(rows)
        brackets[key] = (position, reach)


def _equity_curve(book: Portfolio, table: np.ndarray, index: dict[str, int], first: int, timeframe_ms: int,
                  cash_log: list[tuple[int, Decimal]]) -> list[EquityPoint]:
    """The per-candle path's curve: at each candle's close, cash + the open positions marked at the
    close; the last point after the end's closing. Unrealised PnL and notional in float64."""
    opens = table[0, :, 0].astype(np.int64)
    n = len(opens)
    unrealised, notional, count = _open_trade_sums(book.trades, table, index, opens)
    cash_at = [book.initial_equity] * n
    log = cash_log + [(n, book.cash)]
    for (t0, cash), (t1, _) in zip(log, log[1:]):
        cash_at[t0:t1] = [cash] * (t1 - t0)
    times = (opens + timeframe_ms).tolist()
    # to_decimal of a float is the Decimal of its repr: called directly on the lists' floats.
    points = [EquityPoint(time_ms, cash + Decimal(repr(u)), cash, c, Decimal(repr(v)))
              for time_ms, cash, u, c, v in zip(times[first:n - 1], cash_at[first:n - 1],
                                                unrealised[first:n - 1].tolist(), count[first:n - 1].tolist(),
                                                notional[first:n - 1].tolist())]
    points.append(EquityPoint(int(opens[n - 1]) + timeframe_ms, book.cash, book.cash, 0, Decimal(0)))
    return points


def _open_trade_sums(trades, table: np.ndarray, index: dict[str, int], opens: np.ndarray):
    """Per candle t, over the trades open at t's close (entered at or before t's open, exited
    after it), in the order of `trades`: the sum of sign x qty x (close - entry), of qty x close,
    and their count. Each candle's sums are added left to right from 0.0 in that order (one pass
    per "layer": the k-th trade open at a candle), so every bit is that of adding trade by trade."""
    n = len(opens)
    unrealised, notional, count = np.zeros(n), np.zeros(n), np.zeros(n, dtype=int)
    if not trades:
        return unrealised, notional, count
    entered, exited, sign, qty, entry, row = (np.array(column) for column in zip(*(
        (trade.entry_time, trade.exit_time, trade.direction.sign, float(trade.qty), float(trade.entry_price),
         index[trade.symbol]) for trade in trades)))
    starts = np.searchsorted(opens, entered)
    ends = np.searchsorted(opens, exited)  # an exit at t's open is out at t's close
    lengths = ends - starts
    signed = sign * qty  # +-qty exactly
    # One element per (trade, candle it is open at), trade by trade.
    which = np.repeat(np.arange(len(trades)), lengths)
    offset = np.arange(len(which)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    at = starts[which] + offset
    closes = table[row[which], at, 4]
    gained, held = signed[which] * (closes - entry[which]), qty[which] * closes
    # Its layer: how many earlier trades are open at the same candle (a stable sort keeps trade order).
    by_candle = np.argsort(at, kind="stable")
    first_of = np.searchsorted(at[by_candle], at[by_candle])
    layer = np.empty(len(at), dtype=np.int64)
    layer[by_candle] = np.arange(len(at)) - first_of
    by_layer = np.argsort(layer, kind="stable")
    bounds = np.searchsorted(layer[by_layer], np.arange(layer.max() + 2))
    for k in range(len(bounds) - 1):
        picked = by_layer[bounds[k]:bounds[k + 1]]  # at most one element per candle
        where = at[picked]
        unrealised[where] += gained[picked]
        notional[where] += held[picked]
        count[where] += 1
    return unrealised, notional, count
