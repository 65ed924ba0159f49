"""One sandbox account's money: wallet, positions, margins. Pure Decimal math, no I/O.

Conventions (Binance USD-M, USDT-margined, single-asset mode):

* A position is keyed by (symbol, positionSide). One-way Mode uses `BOTH` with a signed amount;
  Hedge Mode uses `LONG` (amount >= 0) and `SHORT` (amount <= 0).
* Increasing a position moves the entry price to the quantity-weighted average of the fills.
* Reducing realizes `(fill price - entry) * closed qty * sign(amount)`; in One-way Mode a fill larger
  than the position closes it and opens the rest on the other side at the fill price.
* Every fill changes the wallet by exactly `realized - commission`. Both are rounded to 8 decimals
  (Binance's precision for USDT amounts) *before* they touch the wallet or the trade record, so
  `wallet == start + sum(realized) - sum(commission)` holds exactly for any sequence of fills.
* Unrealized PnL is `amount * (mark - entry)`; initial margin `|amount| * mark / leverage`;
  maintenance margin from the leverage brackets.
* Isolated margin is modelled as a label plus an isolated wallet of `|amount| * entry / leverage`
  taken out of the cross wallet; there is no liquidation engine (see TRADING.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable

from . import brackets

ZERO = Decimal(0)
Q8 = Decimal("0.00000001")
DEFAULT_LEVERAGE = 20


def q8(value: Decimal) -> Decimal:
    return value.quantize(Q8, rounding=ROUND_HALF_UP)


def _sign(value: Decimal) -> int:
    return (value > 0) - (value < 0)


@dataclass
class SymbolSettings:
    leverage: int = DEFAULT_LEVERAGE
    margin_type: str = "CROSSED"  # or "ISOLATED"

    @property
    def isolated(self) -> bool:
        return self.margin_type == "ISOLATED"


@dataclass
class Position:
    symbol: str
    side: str  # BOTH | LONG | SHORT
    amount: Decimal = ZERO
    entry_price: Decimal = ZERO
    open_fees: Decimal = ZERO  # commission paid to open what is still open (for the break-even price)
    realized: Decimal = ZERO   # accumulated pre-fee realized PnL ("cr" in ACCOUNT_UPDATE)
    update_time: int = 0

    def unrealized(self, mark: Decimal) -> Decimal:
        return q8(self.amount * (mark - self.entry_price)) if self.amount else ZERO

    def break_even(self) -> Decimal:
        """Entry price moved by the opening commission per unit: where closing at mark breaks even."""
        if not self.amount:
            return ZERO
        return self.entry_price + self.open_fees / self.amount


@dataclass(frozen=True)
class AccountSummary:
    wallet: Decimal
    unrealized: Decimal
    cross_wallet: Decimal
    cross_unrealized: Decimal
    position_initial_margin: Decimal
    open_order_initial_margin: Decimal
    maint_margin: Decimal
    available: Decimal

    @property
    def margin_balance(self) -> Decimal:
        return self.wallet + self.unrealized

    @property
    def initial_margin(self) -> Decimal:
        return self.position_initial_margin + self.open_order_initial_margin

    @property
    def max_withdraw(self) -> Decimal:
        return max(ZERO, min(self.available, self.cross_wallet))


@dataclass
class Ledger:
    account_id: str
    wallet: Decimal
    dual_side: bool = False
    settings: dict[str, SymbolSettings] = field(default_factory=dict)
    positions: dict[tuple[str, str], Position] = field(default_factory=dict)
    update_time: int = 0

    # -- lookups -------------------------------------------------------------------------------

    def settings_for(self, symbol: str) -> SymbolSettings:
        return self.settings.setdefault(symbol, SymbolSettings())

    def position(self, symbol: str, side: str) -> Position:
        key = (symbol, side)
        if key not in self.positions:
            self.positions[key] = Position(symbol=symbol, side=side)
        return self.positions[key]

    def open_positions(self) -> list[Position]:
        return [p for p in self.positions.values() if p.amount]

    def has_position(self, symbol: str | None = None) -> bool:
        return any(p.amount and (symbol is None or p.symbol == symbol) for p in self.positions.values())

    def closable(self, symbol: str, position_side: str, side: str) -> Decimal:
        """How much of an order on `side` would reduce the position rather than open one."""
        amount = self.position(symbol, position_side).amount
        if side == "BUY":
            return -amount if amount < 0 else ZERO
        return amount if amount > 0 else ZERO

    # -- fills ---------------------------------------------------------------------------------

    def apply_fill(self, *, symbol: str, position_side: str, side: str, qty: Decimal, price: Decimal,
                   commission: Decimal, now_ms: int) -> Decimal:
        """Book one fill; returns the realized PnL (already rounded). `commission` must be rounded."""
        pos = self.position(symbol, position_side)
        direction = 1 if side == "BUY" else -1
        realized = ZERO
        opening_qty = qty
        if pos.amount and _sign(pos.amount) != direction:
            held = abs(pos.amount)
            closing = min(qty, held)
            realized = q8((price - pos.entry_price) * closing * _sign(pos.amount))
            remaining = held - closing
            pos.open_fees = q8(pos.open_fees * remaining / held) if remaining else ZERO
            pos.amount += direction * closing
            if not pos.amount:
                pos.entry_price = ZERO
            pos.realized += realized
            opening_qty = qty - closing
        if opening_qty:
            held = abs(pos.amount)
            pos.entry_price = (held * pos.entry_price + opening_qty * price) / (held + opening_qty)
            pos.amount += direction * opening_qty
            pos.open_fees += q8(commission * opening_qty / qty)
        pos.update_time = now_ms
        self.wallet += realized - commission
        self.update_time = now_ms
        return realized

    # -- margins -------------------------------------------------------------------------------

    def isolated_wallet(self, pos: Position) -> Decimal:
        settings = self.settings_for(pos.symbol)
        if not settings.isolated or not pos.amount:
            return ZERO
        return q8(abs(pos.amount) * pos.entry_price / settings.leverage)

    def position_initial_margin(self, pos: Position, mark: Decimal) -> Decimal:
        return q8(abs(pos.amount) * mark / self.settings_for(pos.symbol).leverage)

    @staticmethod
    def maint_margin(pos: Position, mark: Decimal) -> Decimal:
        return q8(brackets.maint_margin(abs(pos.amount) * mark))

    def summary(self, mark: Callable[[str], Decimal], open_order_margin: Decimal) -> AccountSummary:
        unrealized = cross_unrealized = position_im = maint = isolated = ZERO
        for pos in self.open_positions():
            m = mark(pos.symbol)
            upnl = pos.unrealized(m)
            unrealized += upnl
            maint += self.maint_margin(pos, m)
            if self.settings_for(pos.symbol).isolated:
                isolated += self.isolated_wallet(pos)
            else:
                cross_unrealized += upnl
                position_im += self.position_initial_margin(pos, m)
        cross_wallet = self.wallet - isolated
        return AccountSummary(
            wallet=self.wallet,
            unrealized=unrealized,
            cross_wallet=cross_wallet,
            cross_unrealized=cross_unrealized,
            position_initial_margin=position_im,
            open_order_initial_margin=q8(open_order_margin),
            maint_margin=maint,
            available=cross_wallet + cross_unrealized - position_im - q8(open_order_margin),
        )
