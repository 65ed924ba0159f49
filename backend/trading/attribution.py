"""Attribution of fills to what sent them: per (symbol, position side, tag) quantity, own entry
price and realised PnL. Pure Decimal math, no Django, no I/O.

Binance keeps one position per (symbol, positionSide): `BOTH` (signed amount) in One-way Mode,
`LONG` and `SHORT` in Hedge Mode. Two strategies long on one symbol share one LONG position there;
the tag in each client order id (trading/client_ids.py) says which fill is whose, and this module
splits every leg into sub-positions, one per tag, with the exchange's own rules applied to each:

* A fill that goes the leg's way (or opens a flat leg) is the sender's: it adds to the tag's
  quantity and moves the tag's entry to the quantity-weighted average (the exchange's formula).
* A fill against the leg closes the sender's own sub-position first; what is left of it closes the
  other tags' sub-positions, oldest first (a kill switch "k" or a manual close of a strategy's
  position closes that strategy's quantity). In One-way Mode the rest of a fill larger than the
  whole leg opens the other way for the sender, at the fill price (a flip).
* `own_realized_pnl`: each closed piece at the owner's own entry, `(price - entry) * qty * sign`,
  rounded to 8 decimals like the exchange.
* `realized_pnl`: the exchange's realizedPnl of each closing fill, given to the tags whose
  quantity it closed, split by quantity (8 decimals, the last piece takes the remainder). The sum
  over a leg's tags is therefore exactly the sum of `realizedPnl` in userTrades, at every moment.
  It differs from `own_realized_pnl` only while tags with different entries share a leg and part of
  it is closed (the exchange closes at the leg's average entry); once the leg is flat both totals
  agree again, up to the 8-decimal rounding of each piece.
* `commission`: the sender's, whole (the order that paid it).

Invariant (tested): the tags' quantities of a leg add up to the exchange's position amount.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, localcontext

ZERO = Decimal(0)
Q8 = Decimal("0.00000001")


def q8(value: Decimal) -> Decimal:
    return value.quantize(Q8, rounding=ROUND_HALF_UP)


def _sign(value: Decimal) -> int:
    return (value > 0) - (value < 0)


@dataclass(frozen=True)
class FillIn:
    """What attribution needs of one fill (a trading.models.Fill fits: same attribute names)."""

    symbol: str
    position_side: str  # BOTH | LONG | SHORT
    side: str  # BUY | SELL
    quantity: Decimal
    price: Decimal
    realized_pnl: Decimal  # the exchange's, for this fill
    commission: Decimal
    tag: str
    time_ms: int = 0
    trade_id: int = 0


@dataclass(frozen=True)
class TagPosition:
    symbol: str
    position_side: str
    tag: str
    quantity: Decimal = ZERO  # signed: > 0 long, < 0 short
    entry_price: Decimal = ZERO  # own quantity-weighted average; 0 when flat
    realized_pnl: Decimal = ZERO  # the exchange's realised PnL of what this tag's quantity closed
    own_realized_pnl: Decimal = ZERO  # the same closes against this tag's own entry
    commission: Decimal = ZERO
    fills: int = 0
    opened_seq: int = 0  # order of (re)opening: the oldest is closed first by other tags' fills

    def unrealized_pnl(self, mark: Decimal) -> Decimal:
        """`quantity * (mark - own entry)`, 8 decimals (the exchange's formula on the tag's share)."""
        return q8(self.quantity * (mark - self.entry_price)) if self.quantity else ZERO


Key = tuple[str, str, str]  # (symbol, position_side, tag)


class Attribution:
    """The running ledger: `apply(fill)` in the exchange's order (time, trade id)."""

    def __init__(self) -> None:
        self.tags: dict[Key, TagPosition] = {}
        self._seq = 0

    def leg(self, symbol: str, position_side: str) -> list[TagPosition]:
        return [p for (s, ps, _), p in self.tags.items() if s == symbol and ps == position_side]

    def leg_quantity(self, symbol: str, position_side: str) -> Decimal:
        return sum((p.quantity for p in self.leg(symbol, position_side)), ZERO)

    def apply(self, fill: FillIn) -> None:
        key = (fill.symbol, fill.position_side, fill.tag)
        own = self.tags.get(key) or TagPosition(fill.symbol, fill.position_side, fill.tag)
        own = replace(own, commission=own.commission + fill.commission, fills=own.fills + 1)
        self.tags[key] = own
        direction = 1 if fill.side == "BUY" else -1
        total = self.leg_quantity(fill.symbol, fill.position_side)
        rest = fill.quantity
        if total and _sign(total) != direction:
            closing = min(rest, abs(total))
            self._close(fill, closing)
            rest -= closing
        if rest:
            self._open(key, fill.price, direction * rest)

    def _open(self, key: Key, price: Decimal, delta: Decimal) -> None:
        pos = self.tags[key]
        held = abs(pos.quantity)
        with localcontext() as ctx:
            ctx.prec = 50
            entry = (held * pos.entry_price + abs(delta) * price) / (held + abs(delta))
        if not held:
            self._seq += 1
        self.tags[key] = replace(pos, quantity=pos.quantity + delta, entry_price=entry,
                                 opened_seq=pos.opened_seq if held else self._seq)

    def _close(self, fill: FillIn, closing: Decimal) -> None:
        """Close `closing` of the leg: the sender's own quantity first, then the oldest tags'."""
        holders = sorted((p for p in self.leg(fill.symbol, fill.position_side) if p.quantity),
                         key=lambda p: (p.tag != fill.tag, p.opened_seq))
        pieces: list[tuple[TagPosition, Decimal]] = []
        left = closing
        for pos in holders:
            if not left:
                break
            take = min(left, abs(pos.quantity))
            pieces.append((pos, take))
            left -= take
        given = ZERO
        for index, (pos, take) in enumerate(pieces):
            if index == len(pieces) - 1:
                share = fill.realized_pnl - given
            else:
                share = q8(fill.realized_pnl * take / closing)
            given += share
            own = q8((fill.price - pos.entry_price) * take * _sign(pos.quantity))
            quantity = pos.quantity - _sign(pos.quantity) * take
            self.tags[(pos.symbol, pos.position_side, pos.tag)] = replace(
                pos, quantity=quantity, entry_price=pos.entry_price if quantity else ZERO,
                realized_pnl=pos.realized_pnl + share, own_realized_pnl=pos.own_realized_pnl + own)


def attribute(fills: Iterable[FillIn]) -> dict[Key, TagPosition]:
    """Every (symbol, position_side, tag) that ever had a fill, from fills in any order (sorted
    here by exchange time then trade id, the order the exchange booked them)."""
    ledger = Attribution()
    for fill in sorted(fills, key=lambda f: (f.time_ms, f.trade_id)):
        ledger.apply(fill)
    return ledger.tags
