"""`Portfolio`: positions, orders, trades and equity of one backtest, candle by candle. Pure.

Hedge-style, as USD-M in hedge mode: at most one position per (symbol, direction), so a LONG and a
SHORT of the same symbol can be open together. Decimal ledger (see `fills.py` for the fill rules):

- ``cash`` starts at the initial equity; an entry pays its fee, an exit adds the gross PnL
  ``sign x (exit - entry) x qty`` less its fee, funding is paid (or received) from it;
- ``equity = cash + sum of unrealised PnL`` at the last close of each symbol;
- a trade's ``pnl`` is net: gross - entry fee - exit fee - funding, so the final cash is the
  initial equity plus the sum of the trades' pnl.

One candle of one symbol (`on_candle`), in this order:

1. funding, if the candle opens at 00/08/16 UTC, on every position open before it;
2. exits asked for before the candle (`submit_exit`): market, at the open;
3. entries asked for before the candle (`submit_entry`): market at the open, or a resting limit
   / stop order that the candle reaches. The margin check happens at the fill: an entry whose
   initial margin exceeds the available equity (equity - margin of the open positions) is
   refused and reported in `refusals`, as is an entry in a direction already open;
4. the bracket (stop-loss / take-profit) of every open position, including one entered at this
   candle's open; one entered inside the candle (limit / stop entry) is bracketed from the next
   candle, since the candle does not say whether its extremes came before or after the fill;
5. the close becomes the symbol's mark (the open was, during steps 1-4).

`record_equity(time_ms)` appends one point of the equity curve; call it once all symbols of a
time step have had their candle. No liquidation is modelled: the margin check only gates entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from signals.lifecycle import Direction

from .fills import (
    LEDGER_CONTEXT,
    Candle,
    Fill,
    FillModel,
    OrderKind,
    Side,
    bracket_fill,
    funding_payment,
    is_funding_time,
    limit_fill,
    margin_required,
    market_fill,
    stop_fill,
    to_decimal,
)


def entry_side(direction: Direction) -> Side:
    return Side.BUY if direction is Direction.LONG else Side.SELL


def exit_side(direction: Direction) -> Side:
    return Side.SELL if direction is Direction.LONG else Side.BUY


@dataclass(frozen=True)
class EntryOrder:
    """Open a position. `price` is the limit or stop price (None for market); `stop` / `target`
    the bracket placed with it (either may be None); `tag` is carried to the trade (a signal id)."""

    symbol: str
    direction: Direction
    qty: Decimal
    kind: OrderKind = OrderKind.MARKET
    price: Decimal | None = None
    stop: Decimal | None = None
    target: Decimal | None = None
    tag: str = ""

    def __post_init__(self) -> None:
        # Converted only when not already of the type (a backtest creates one order per entry).
        if type(self.direction) is not Direction:
            object.__setattr__(self, "direction", Direction(self.direction))
        if type(self.kind) is not OrderKind:
            object.__setattr__(self, "kind", OrderKind(self.kind))
        for name in ("qty", "price", "stop", "target"):
            value = getattr(self, name)
            if value is not None and type(value) is not Decimal:
                object.__setattr__(self, name, to_decimal(value))
        if not self.qty > 0:
            raise ValueError(f"quantity must be positive, got {self.qty}")
        if (self.price is None) != (self.kind is OrderKind.MARKET):
            raise ValueError(f"a {self.kind.value} order {'needs' if self.price is None else 'takes no'} price")


@dataclass
class Position:
    symbol: str
    direction: Direction
    qty: Decimal
    entry_price: Decimal
    entry_time: int
    entry_fee: Decimal
    stop: Decimal | None
    target: Decimal | None
    tag: str = ""
    funding: Decimal = Decimal(0)
    bracket_from: int = 0  # open time of the first candle the bracket applies to

    def unrealised(self, mark: Decimal) -> Decimal:
        return self.direction.sign * (mark - self.entry_price) * self.qty


@dataclass(frozen=True)
class Trade:
    """A closed position. Fees = entry + exit fee; `pnl` net of fees and funding."""

    symbol: str
    direction: Direction
    entry_time: int
    exit_time: int
    entry_price: Decimal
    exit_price: Decimal
    qty: Decimal
    fees: Decimal
    funding: Decimal
    gross_pnl: Decimal
    pnl: Decimal
    reason: str  # "stop", "target", or the reason given to submit_exit / close_all
    tag: str = ""


@dataclass(frozen=True)
class Refusal:
    time_ms: int
    symbol: str
    direction: Direction
    reason: str
    tag: str = ""


@dataclass(frozen=True)
class EquityPoint:
    time_ms: int
    equity: Decimal
    cash: Decimal
    open_positions: int
    gross_notional: Decimal  # sum of qty x mark of the open positions


@dataclass
class Portfolio:
    model: FillModel
    initial_equity: Decimal = Decimal(10_000)
    cash: Decimal = field(init=False)
    positions: dict[tuple[str, Direction], Position] = field(default_factory=dict, init=False)
    trades: list[Trade] = field(default_factory=list, init=False)
    refusals: list[Refusal] = field(default_factory=list, init=False)
    equity_curve: list[EquityPoint] = field(default_factory=list, init=False)
    marks: dict[str, Decimal] = field(default_factory=dict, init=False)
    _entries: dict[str, list[EntryOrder]] = field(default_factory=dict, init=False)
    _exits: dict[str, list[tuple[Direction, str, str | None]]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.initial_equity = to_decimal(self.initial_equity)
        self.cash = self.initial_equity

    # -- orders ---------------------------------------------------------------------------

    def submit_entry(self, order: EntryOrder) -> None:
        """Queue an entry for the symbol's next candle (a limit / stop waits until reached or cancelled)."""
        self._entries.setdefault(order.symbol, []).append(order)

    def cancel_entries(self, symbol: str, direction: Direction) -> None:
        self._entries[symbol] = [o for o in self._entries.get(symbol, []) if o.direction is not direction]

    def submit_exit(self, symbol: str, direction: Direction, reason: str, tag: str | None = None) -> None:
        """Close the position at the symbol's next open (ignored if none is open by then, or,
        with `tag`, if the open one was entered by another order)."""
        self._exits.setdefault(symbol, []).append((Direction(direction), reason, tag))

    # -- time -----------------------------------------------------------------------------

    def on_candle(self, symbol: str, candle: Candle) -> None:
        """Steps 1-5 of the module docstring for one candle of `symbol`."""
        with localcontext(LEDGER_CONTEXT):
            self._on_candle(symbol, candle)

    def _on_candle(self, symbol: str, candle: Candle) -> None:
        self.marks[symbol] = candle.open  # what margin checks at the open see
        if is_funding_time(candle.open_time):
            for position in self._open(symbol):
                paid = funding_payment(self.model, position.direction.sign, position.qty, candle.open)
                position.funding += paid
                self.cash -= paid
        for direction, reason, tag in self._exits.pop(symbol, []):
            position = self.positions.get((symbol, direction))
            if position is not None and tag in (None, position.tag):
                self._close(position, market_fill(self.model, exit_side(direction), position.qty, candle), reason)
        waiting = []
        for order in self._entries.pop(symbol, []):
            fill = self._entry_fill(order, candle)
            if fill is None:
                waiting.append(order)
            else:
                at_open = order.kind is OrderKind.MARKET
                self._open_position(order, fill, candle.open_time if at_open else candle.open_time + 1)
        if waiting:
            self._entries[symbol] = waiting
        for position in self._open(symbol):
            if position.bracket_from <= candle.open_time and (position.stop, position.target) != (None, None):
                self._check_bracket(position, candle)
        self.marks[symbol] = candle.close

    def record_equity(self, time_ms: int) -> EquityPoint:
        with localcontext(LEDGER_CONTEXT):
            return self._record_equity(time_ms)

    def _record_equity(self, time_ms: int) -> EquityPoint:
        point = EquityPoint(
            time_ms, self.equity(), self.cash, len(self.positions),
            sum((p.qty * self.marks[p.symbol] for p in self.positions.values()), Decimal(0)),
        )  # fmt: skip
        self.equity_curve.append(point)
        return point

    def close_all(self, candles: dict[str, Candle], time_ms: int, reason: str = "end") -> None:
        """Close every open position at the close of `candles[symbol]` (its last candle), as a
        taker (slippage and fee) at `time_ms` (that candle's close time), e.g. when the data
        ends; pending entries and exits are dropped."""
        with localcontext(LEDGER_CONTEXT):
            self._close_all(candles, time_ms, reason)

    def _close_all(self, candles: dict[str, Candle], time_ms: int, reason: str) -> None:
        for position in list(self.positions.values()):
            c = candles[position.symbol].close
            at_close = Candle(time_ms, c, c, c, c)
            self._close(position, market_fill(self.model, exit_side(position.direction), position.qty, at_close),
                        reason)  # fmt: skip
        self._entries.clear()
        self._exits.clear()

    # -- figures --------------------------------------------------------------------------

    def equity(self) -> Decimal:
        return self.cash + sum((p.unrealised(self.marks[p.symbol]) for p in self.positions.values()), Decimal(0))

    def margin_in_use(self) -> Decimal:
        return sum((margin_required(self.model, p.qty * p.entry_price) for p in self.positions.values()), Decimal(0))

    def available(self) -> Decimal:
        return self.equity() - self.margin_in_use()

    # -- internals ------------------------------------------------------------------------

    def _open(self, symbol: str) -> list[Position]:
        """The symbol's open positions, in the order they were opened."""
        long, short = self.positions.get((symbol, Direction.LONG)), self.positions.get((symbol, Direction.SHORT))
        if long is None or short is None:  # at most one: no order to keep (the common case, without a scan)
            return [p for p in (long, short) if p is not None]
        return [p for (s, _), p in self.positions.items() if s == symbol]

    def _entry_fill(self, order: EntryOrder, candle: Candle) -> Fill | None:
        side = entry_side(order.direction)
        if order.kind is OrderKind.MARKET:
            return market_fill(self.model, side, order.qty, candle)
        if order.kind is OrderKind.LIMIT:
            return limit_fill(self.model, side, order.qty, order.price, candle)
        return stop_fill(self.model, side, order.qty, order.price, candle)

    def _open_position(self, order: EntryOrder, fill: Fill, bracket_from: int) -> None:
        key = (order.symbol, order.direction)
        reason = None
        if key in self.positions:
            reason = f"a {order.direction.value} position is already open"
        else:
            reason = self._margin_refusal(margin_required(self.model, fill.notional))
        if reason is not None:
            self.refusals.append(Refusal(fill.time_ms, order.symbol, order.direction, reason, order.tag))
            return
        self.cash -= fill.fee
        self.positions[key] = Position(
            order.symbol, order.direction, order.qty, fill.price, fill.time_ms, fill.fee, order.stop,
            order.target, order.tag, bracket_from=bracket_from,
        )  # fmt: skip

    def _margin_refusal(self, margin: Decimal) -> str | None:
        """Why an entry needing `margin` of initial margin is refused, or None: it fits."""
        available = self.available()
        return f"initial margin {margin} exceeds available equity {available}" if margin > available else None

    def _check_bracket(self, position: Position, candle: Candle) -> None:
        side = exit_side(position.direction)
        # A missing level is one the candle can never reach.
        far = Decimal("Infinity") * position.direction.sign
        stop = position.stop if position.stop is not None else -far
        target = position.target if position.target is not None else far
        hit = bracket_fill(self.model, side, position.qty, stop, target, candle)
        if hit is not None:
            self._close(position, *hit)

    def _close(self, position: Position, fill: Fill, reason: str) -> None:
        gross = position.unrealised(fill.price)
        self.cash += gross - fill.fee
        fees = position.entry_fee + fill.fee
        del self.positions[(position.symbol, position.direction)]
        self.trades.append(Trade(
            position.symbol, position.direction, position.entry_time, fill.time_ms, position.entry_price,
            fill.price, position.qty, fees, position.funding, gross, gross - fees - position.funding,
            reason, position.tag,
        ))  # fmt: skip
