"""A strategy version over history: `strategies.runtime.evaluate` (the live engine's evaluator)
on every closed candle, its orders filled by `portfolio.Portfolio`. Pure (no Django, no network).

Per candle time t, in order: the candle's fills for every symbol (entries queued at the previous
close fill at this open; brackets, funding: `fills.py`), the equity point, then for each symbol
(sorted) the program evaluated on the close of t with, as live (`strategies/engine/handling.py`):
a window of the last `window` candles (500, the engine's) of every symbol the run and the IR name,
the open positions (unrealised PnL in % of the position's margin), the available balance
(equity minus margin in use) and that symbol's variables from its previous candle. Decisions:
`OpenPosition` -> an entry (market at the next open, or limit at its price) with its stop-loss /
take-profit, quantity rounded down to 10^-8; `ClosePosition` -> an exit at the next open (ANY: both
directions); `CancelOrders` -> the symbol's waiting entries dropped. `Notify` / `Log` are recorded
only. One timeframe: the run's (a program reading another timeframe sees no candle there, NaN).
Open positions are closed at the last close.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

import numpy as np

from strategies.runtime import CancelOrders, Candles, ClosePosition, Context, OpenPosition, Position, evaluate

from .fills import Candle, FillModel, OrderKind, to_decimal
from .portfolio import Direction, EntryOrder, Portfolio
from .scanner import stack_series

LOT = Decimal("1e-8")
WINDOW = 500


@dataclass
class StrategyBacktest:
    book: Portfolio
    decisions: list[tuple[int, str, tuple]] = field(default_factory=list)  # (open time, symbol, decisions)


def _position(p, mark: Decimal, leverage: Decimal) -> Position:
    margin = p.qty * p.entry_price / leverage
    sign = 1 if p.direction is Direction.LONG else -1
    return Position(p.symbol, p.direction.value, float(p.qty), float(p.entry_price),
                    float(sign * (mark - p.entry_price) * p.qty / margin * 100))


def strategy_backtest(program: dict, series: dict[str, np.ndarray], *, timeframe: str, timeframe_ms: int,
                      model: FillModel, initial_equity=Decimal(10_000), first: int = 0, window: int = WINDOW,
                      chunk_done=lambda fraction: None, chunks: int = 10, fast: bool = True) -> StrategyBacktest:
    """Evaluate `program` from candle index `first` on (the ones before are history only);
    `chunk_done(fraction)` is called `chunks` times along the way (it may raise to stop).
    `fast`: through `compiled.compiled_backtest` (whole arrays, the same decisions and trades) when
    it takes the program; else, or with `fast=False`, the evaluator on every candle."""
    if fast:
        from .compiled import compiled_backtest

        done = compiled_backtest(program, series, timeframe=timeframe, timeframe_ms=timeframe_ms, model=model,
                                 initial_equity=initial_equity, first=first, window=window, chunk_done=chunk_done,
                                 chunks=chunks)
        if done is not None:
            return done
    symbols, table = stack_series(series, timeframe_ms)
    names = list(symbols)
    rows = {s: table[i] for i, s in enumerate(names)}
    book = Portfolio(model, to_decimal(initial_equity))
    result = StrategyBacktest(book)
    variables: dict[str, dict] = {s: {} for s in names}
    n = table.shape[1]
    every = max(1, (n - first) // chunks)
    for t in range(first, n):
        open_time = int(table[0, t, 0])
        for s in names:
            book.on_candle(s, Candle.of(*rows[s][t, :5].tolist()))
        book.record_equity(open_time + timeframe_ms)
        lo = max(0, t + 1 - window)
        candles = {(s, timeframe): Candles(*(rows[s][lo:t + 1, k] for k in range(1, 6))) for s in names}
        marks = {s: to_decimal(rows[s][t, 4]) for s in names}
        for s in names:
            positions = [_position(p, marks[p.symbol], model.leverage) for p in book.positions.values()]
            evaluation = evaluate(program, Context(s, timeframe, candles, positions, float(book.available()),
                                                   variables=variables[s]))  # fmt: skip
            variables[s] = evaluation.variables
            if evaluation.decisions:
                result.decisions.append((open_time, s, evaluation.decisions))
            for d in evaluation.decisions:
                _apply(book, d)
        if (t - first + 1) % every == 0:
            chunk_done((t - first + 1) / (n - first))
    last = {s: Candle.of(*rows[s][n - 1, :5].tolist()) for s in names}
    book.close_all(last, int(table[0, n - 1, 0]) + timeframe_ms)
    book.equity_curve.pop()
    book.record_equity(int(table[0, n - 1, 0]) + timeframe_ms)
    return result


def _apply(book: Portfolio, decision) -> None:
    if isinstance(decision, OpenPosition):
        qty = to_decimal(decision.quantity).quantize(LOT, ROUND_DOWN)
        if qty <= 0:
            return
        limit = decision.order_type == "LIMIT"
        book.submit_entry(EntryOrder(
            decision.symbol, decision.direction, qty, OrderKind.LIMIT if limit else OrderKind.MARKET,
            price=to_decimal(decision.price) if limit else None,
            stop=None if decision.stop_loss is None else to_decimal(decision.stop_loss),
            target=None if decision.take_profit is None else to_decimal(decision.take_profit), tag=decision.block,
        ))  # fmt: skip
    elif isinstance(decision, ClosePosition):
        directions = (Direction.LONG, Direction.SHORT) if decision.direction == "ANY" else (decision.direction,)
        for direction in directions:
            book.submit_exit(decision.symbol, direction, "strategy close")
    elif isinstance(decision, CancelOrders):
        for direction in (Direction.LONG, Direction.SHORT):
            book.cancel_entries(decision.symbol, direction)
