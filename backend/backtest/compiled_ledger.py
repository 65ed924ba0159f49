"""The portfolio as `compiled.py` drives it: only at the candles where it can change. Pure.

- `Ledger`: `portfolio.Portfolio` whose margin check at an entry is first done in float64 with a
  bound of its rounding error; the Decimal check (and the marks it needs) runs only when the
  float difference is within that bound, or the entry is refused (its reason quotes the exact
  figures). Where the float check decides, the Decimal one would have decided the same.
- `ProgramState`: the positions and the available balance as the program reads them at a
  candle's close (marked at the closes; the balance exact, from the Decimal ledger).
- `first_reach`: the first candle from which an open position's stop-loss or take-profit is
  reached, found over the arrays (the ledger then decides the fill).
"""
from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np

from .fills import LEDGER_CONTEXT, Candle, to_decimal
from .portfolio import Portfolio, Position

#: Per position (and for cash), how many float64 roundings the margin check's estimate may be off
#: by, in units of the unit roundoff 2^-53 times the magnitudes involved; ~4 are possible (two
#: conversions, a subtraction, a product), the rest is margin.
_ROUNDINGS_PER_TERM = 16
_UNIT_ROUNDOFF = 2.0**-53
#: Candles after an entry scanned one by one for its bracket before the arrays are searched.
_SCAN = 16


class Ledger(Portfolio):
    """See the module docstring. `on_candles_at` is `on_candle` told the candle's index, so that
    a margin check can read the marks the per-candle path's check has (from `view`)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.view: ProgramState | None = None
        self._at: tuple[int, str] | None = None
        self._floats: dict[tuple, tuple] = {}  # (symbol, direction) -> (position, its figures in float64)

    def on_candles_at(self, t: int, symbols: list[str]) -> list[str]:
        """`on_candle` for each of `symbols`, in order, with candle t (in one ledger context);
        returns the symbols whose positions changed (one was opened, or closed: a trade)."""
        changed = []
        try:
            with localcontext(LEDGER_CONTEXT):
                for symbol in symbols:
                    before = len(self.trades), len(self.positions)
                    self._at = (t, symbol)
                    self._on_candle(symbol, self.view.candle(t, symbol))
                    if (len(self.trades), len(self.positions)) != before:
                        changed.append(symbol)
        finally:
            self._at = None
        return changed

    def _margin_refusal(self, margin: Decimal) -> str | None:
        t, symbol = self._at
        if self._float_fits(float(margin), t, symbol):
            return None
        own = self.marks[symbol]  # the open of this candle, which the check reads for the symbol itself
        self.view.mark(t, symbol)
        self.marks[symbol] = own
        return super()._margin_refusal(margin)

    def _float_fits(self, margin: float, t: int, current: str) -> bool:
        """True when available equity - margin is certainly positive: its float64 estimate is
        above the bound of its rounding error. Marks: `current`'s open at t, the close of t for the
        symbols before it, of t - 1 for those after it (`ProgramState.mark`)."""
        view = self.view
        after, own_open = view.order[current], float(view.rows[current][t, 1])
        previous = t - 1 if t > 0 else t
        cash = float(self.cash)
        available, scale = cash, abs(cash) + margin
        for key, p in self.positions.items():
            cached = self._floats.get(key)
            if cached is None or cached[0] is not p:
                qty, entry = float(p.qty), float(p.entry_price)
                cached = self._floats[key] = (p, float(p.direction.sign), qty, entry,
                                              qty * entry / float(self.model.leverage), 2 * qty * abs(entry),
                                              view.order[p.symbol], view.closes(p.symbol))
            _, sign, qty, entry, margin_used, entry_scale, rank, closes = cached
            mark = own_open if rank == after else closes[previous if rank > after else t]
            available += sign * (mark - entry) * qty - margin_used
            scale += qty * abs(mark) + entry_scale
        bound = (len(self.positions) + 2) * _ROUNDINGS_PER_TERM * _UNIT_ROUNDOFF * scale
        return available - margin > bound


class ProgramState:
    """The portfolio as the program sees it at candle t: positions marked at the closes of t."""

    def __init__(self, book: Ledger, rows: dict, names: list[str], columns: dict[str, np.ndarray],
                 open_times: list[int]):
        self.book, self.rows, self.leverage = book, rows, book.model.leverage
        self.order = {s: i for i, s in enumerate(names)}
        self._columns = {c: [memoryview(row) for row in columns[c]] for c in ("open", "high", "low", "close")}
        self._open_times = open_times
        book.view = self
        self.t, self._positions, self._marked, self._balance = 0, None, False, None
        self._mark_rows: dict[str, int] = {}  # symbol -> the row its mark was last set from

    def at(self, t: int) -> None:
        """Candle t's evaluations begin: positions are marked at its closes when first read."""
        self.t, self._positions, self._marked, self._balance = t, None, False, None

    def mark(self, t: int, before: str | None = None) -> None:
        """Marks of the open positions' symbols: the close of t, or of t - 1 for the symbols after
        `before` (whose candle t the per-candle path has not handed over yet)."""
        self._positions = self._balance = None
        after = self.order[before] if before is not None else len(self.order)
        marks, order, mark_rows = self.book.marks, self.order, self._mark_rows
        for p in self.book.positions.values():
            symbol = p.symbol
            row = t - 1 if order[symbol] > after and t > 0 else t
            if mark_rows.get(symbol) != row or marks.get(symbol) is None:
                marks[symbol] = to_decimal(self.closes(symbol)[row])
                mark_rows[symbol] = row

    # Columns as memoryviews of the contiguous arrays: an item is a Python float (float64 arithmetic
    # without numpy scalars), and unlike lists of floats they give the garbage collector nothing to
    # walk through.
    def closes(self, symbol: str) -> memoryview:
        return self._columns["close"][self.order[symbol]]

    def candle(self, t: int, symbol: str) -> Candle:
        i, columns = self.order[symbol], self._columns
        return Candle.of(self._open_times[t], columns["open"][i][t], columns["high"][i][t], columns["low"][i][t],
                         columns["close"][i][t])

    def lows_highs(self, symbol: str) -> tuple[memoryview, memoryview]:
        i = self.order[symbol]
        return self._columns["low"][i], self._columns["high"][i]

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


def first_reach(rows: np.ndarray, start: int, position: Position, lows, highs) -> int:
    """The first row from `start` whose candle reaches the position's stop or target (len(rows):
    none). `lows` / `highs`: its lows and highs, items Python floats. Most brackets are reached within a few
    candles: those are scanned one by one, the rest in growing chunks of the arrays."""
    n = len(rows)
    long = position.direction.sign > 0
    stop = math.nan if position.stop is None else float(position.stop)  # NaN: never reached
    target = math.nan if position.target is None else float(position.target)
    first, second = (lows, highs) if long else (highs, lows)  # the stop's side, the target's side
    for t in range(start, min(n, start + _SCAN)):
        if (first[t] <= stop if long else first[t] >= stop) or (second[t] >= target if long else second[t] <= target):
            return t
    start, size = start + _SCAN, 4 * _SCAN
    while start < n:
        end = min(n, start + size)
        low, high = rows[start:end, 3], rows[start:end, 2]
        with np.errstate(invalid="ignore"):
            reached = ((low <= stop) | (high >= target)) if long else ((high >= stop) | (low <= target))
        found = np.flatnonzero(reached)
        if len(found):
            return start + int(found[0])
        start, size = end, size * 4
    return n
