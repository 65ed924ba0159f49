"""The order model, the symbol's trading rules, and the price rules that decide fills.

Pure: no clock, no I/O. The engine owns the orders and applies `lifecycle` transitions to them;
this module answers questions such as "does this price trigger that stop?" and "what does a market
BUY fill at when the replayed price is P and slippage is S bps?".

Price rules (docs/usdm_futures/endpoints/public_post_fapi_v1_order.md):
* STOP / STOP_MARKET trigger when BUY: price >= stopPrice, SELL: price <= stopPrice.
* TAKE_PROFIT / TAKE_PROFIT_MARKET trigger when BUY: price <= stopPrice, SELL: price >= stopPrice.
* TRAILING_STOP_MARKET: BUY once the lowest price since placement is <= activationPrice and the
  price has risen to lowest * (1 + callbackRate%); SELL mirrored with the highest price.
* A LIMIT order is marketable when BUY: price <= limit, SELL: price >= limit. A marketable order
  takes (taker fee, at the price plus slippage but never beyond its limit); a resting one fills at
  its own limit price when the replayed price reaches it (maker fee).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from . import lifecycle

ZERO = Decimal(0)

SIDES = ("BUY", "SELL")
POSITION_SIDES = ("BOTH", "LONG", "SHORT")
ORDER_TYPES = ("LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET",
               "TRAILING_STOP_MARKET")
TIME_IN_FORCE = ("GTC", "IOC", "FOK", "GTX", "GTD")
WORKING_TYPES = ("MARK_PRICE", "CONTRACT_PRICE")
RESPONSE_TYPES = ("ACK", "RESULT")
STP_MODES = ("NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH")

STOP_TYPES = ("STOP", "STOP_MARKET")
TAKE_PROFIT_TYPES = ("TAKE_PROFIT", "TAKE_PROFIT_MARKET")
CONDITIONAL_TYPES = STOP_TYPES + TAKE_PROFIT_TYPES + ("TRAILING_STOP_MARKET",)
# What a conditional order becomes once triggered.
TRIGGERED_TYPE = {
    "STOP": "LIMIT", "TAKE_PROFIT": "LIMIT",
    "STOP_MARKET": "MARKET", "TAKE_PROFIT_MARKET": "MARKET", "TRAILING_STOP_MARKET": "MARKET",
}


def _dec(value, default: str = "0") -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(default)


@dataclass(frozen=True)
class SymbolRules:
    """A symbol's filters as the market reports them (exchangeInfo PRICE_FILTER, LOT_SIZE, ...)."""

    symbol: str
    tick_size: Decimal
    step_size: Decimal
    min_qty: Decimal
    max_qty: Decimal
    market_max_qty: Decimal
    min_notional: Decimal
    price_precision: int
    quantity_precision: int
    min_price: Decimal = ZERO
    max_price: Decimal = ZERO
    multiplier_up: Decimal = ZERO
    multiplier_down: Decimal = ZERO

    @classmethod
    def from_filters(cls, symbol: str, f: dict) -> "SymbolRules":
        return cls(
            symbol=symbol,
            tick_size=_dec(f.get("tickSize")),
            step_size=_dec(f.get("stepSize")),
            min_qty=_dec(f.get("minQty")),
            max_qty=_dec(f.get("maxQty")),
            market_max_qty=_dec(f.get("marketMaxQty", f.get("maxQty"))),
            min_notional=_dec(f.get("minNotional", f.get("notional"))),
            price_precision=int(f.get("pricePrecision", 2)),
            quantity_precision=int(f.get("quantityPrecision", 3)),
            min_price=_dec(f.get("minPrice")),
            max_price=_dec(f.get("maxPrice")),
            multiplier_up=_dec(f.get("multiplierUp")),
            multiplier_down=_dec(f.get("multiplierDown")),
        )

    def round_to_tick(self, price: Decimal, *, up: bool) -> Decimal:
        if not self.tick_size:
            return price
        units = (price / self.tick_size).to_integral_value(rounding=ROUND_CEILING if up else ROUND_FLOOR)
        return (units * self.tick_size).quantize(self.tick_size)


@dataclass
class Order:
    account_id: str
    order_id: int
    client_order_id: str
    symbol: str
    side: str
    position_side: str
    type: str
    orig_type: str
    time_in_force: str
    orig_qty: Decimal
    price: Decimal
    stop_price: Decimal
    reduce_only: bool
    close_position: bool
    working_type: str
    price_protect: bool
    self_trade_prevention: str
    good_till_date: int
    time: int
    update_time: int
    activation_price: Decimal | None = None
    callback_rate: Decimal | None = None
    status: str = lifecycle.NEW
    executed_qty: Decimal = ZERO
    cum_quote: Decimal = ZERO
    triggered: bool = False
    trail_extreme: Decimal | None = None
    expire_reason: int = 0

    @property
    def is_open(self) -> bool:
        return lifecycle.is_open(self.status)

    @property
    def awaiting_trigger(self) -> bool:
        return self.orig_type in CONDITIONAL_TYPES and not self.triggered

    @property
    def remaining(self) -> Decimal:
        return self.orig_qty - self.executed_qty

    @property
    def avg_price(self) -> Decimal:
        return self.cum_quote / self.executed_qty if self.executed_qty else ZERO

    @property
    def closes_only(self) -> bool:
        """Reduce-only in effect: reduceOnly, closePosition, or a Hedge Mode closing side."""
        return (self.reduce_only or self.close_position
                or (self.position_side == "LONG" and self.side == "SELL")
                or (self.position_side == "SHORT" and self.side == "BUY"))

    def transition(self, trigger: str, now_ms: int) -> str:
        self.status = lifecycle.next_status(self.status, trigger)
        self.update_time = now_ms
        return self.status


# -- price rules ---------------------------------------------------------------------------------

def stop_hit(order_type: str, side: str, stop_price: Decimal, price: Decimal) -> bool:
    if order_type in STOP_TYPES:
        return price >= stop_price if side == "BUY" else price <= stop_price
    if order_type in TAKE_PROFIT_TYPES:
        return price <= stop_price if side == "BUY" else price >= stop_price
    return False


def trailing_hit(order: Order, price: Decimal) -> bool:
    """Track the extreme price since placement; True once the callback from it is reached."""
    if order.side == "BUY":
        order.trail_extreme = price if order.trail_extreme is None else min(order.trail_extreme, price)
        activated = order.activation_price is None or order.trail_extreme <= order.activation_price
        return activated and price >= order.trail_extreme * (1 + order.callback_rate / 100)
    order.trail_extreme = price if order.trail_extreme is None else max(order.trail_extreme, price)
    activated = order.activation_price is None or order.trail_extreme >= order.activation_price
    return activated and price <= order.trail_extreme * (1 - order.callback_rate / 100)


def marketable(side: str, limit: Decimal, price: Decimal) -> bool:
    return price <= limit if side == "BUY" else price >= limit


def slipped_price(rules: SymbolRules, side: str, price: Decimal, slippage_bps: Decimal) -> Decimal:
    """Market fill price: `price` moved against the taker by `slippage_bps`, on the tick grid."""
    factor = slippage_bps / Decimal(10_000)
    if side == "BUY":
        return rules.round_to_tick(price * (1 + factor), up=True)
    return max(rules.tick_size or ZERO, rules.round_to_tick(price * (1 - factor), up=False))


def taker_limit_price(rules: SymbolRules, side: str, limit: Decimal, price: Decimal,
                      slippage_bps: Decimal) -> Decimal:
    slipped = slipped_price(rules, side, price, slippage_bps)
    return min(limit, slipped) if side == "BUY" else max(limit, slipped)
