"""Order arithmetic in Decimal (pure): exchange filters, notional, sizing.

Quantities round DOWN to the step (never more than asked), prices to the nearest tick (a price the
user typed that is off the grid by a rounding error is what they meant; the tick is the unit).
Errors say which field and which filter, with the numbers, so the ticket can show them.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

ZERO = Decimal(0)


class OrderInvalid(ValueError):
    """The order breaks a rule of the exchange or of the platform: nothing was sent."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class Filters:
    tick_size: Decimal
    step_size: Decimal
    min_qty: Decimal
    max_qty: Decimal
    market_max_qty: Decimal
    min_notional: Decimal


def quantity_round(quantity: Decimal, step: Decimal) -> Decimal:
    return (quantity / step).to_integral_value(rounding=ROUND_DOWN) * step if step > 0 else quantity


def price_round(price: Decimal, tick: Decimal) -> Decimal:
    return (price / tick).to_integral_value(rounding=ROUND_HALF_UP) * tick if tick > 0 else price


def quantity_from_percent(*, percent: Decimal, available: Decimal, price: Decimal, leverage: int) -> Decimal:
    """The quantity whose initial margin is `percent` % of the available balance at `leverage`."""
    if not 0 < percent <= 100:
        raise OrderInvalid("percent_of_balance must be above 0 and at most 100", "percent_of_balance")
    if price <= 0:
        raise OrderInvalid("no price to size the order with", "price")
    return available * percent / Decimal(100) * Decimal(leverage) / price


def order_filtered(*, filters: Filters, type: str, quantity: Decimal | None, price: Decimal | None,
                   stop_price: Decimal | None, reference_price: Decimal, reduce_only: bool = False,
                   close_position: bool = False) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(quantity, price, stop_price) on the exchange's grids, or OrderInvalid naming the field.

    `reference_price`: what a MARKET order's notional is judged at (the mark price). The minimum
    notional is waived for reduce-only and closePosition orders, as on Binance."""
    if price is not None:
        if price <= 0:
            raise OrderInvalid("price must be above 0", "price")
        price = price_round(price, filters.tick_size)
        if price <= 0:
            raise OrderInvalid(f"price is below one tick ({filters.tick_size})", "price")
    if stop_price is not None:
        if stop_price <= 0:
            raise OrderInvalid("stop price must be above 0", "stop_price")
        stop_price = price_round(stop_price, filters.tick_size)
    if close_position:
        return None, price, stop_price
    if quantity is None or quantity <= 0:
        raise OrderInvalid("quantity must be above 0", "quantity")
    rounded = quantity_round(quantity, filters.step_size)
    if rounded < filters.min_qty or rounded <= 0:
        raise OrderInvalid(f"quantity {quantity} is below the minimum {filters.min_qty} "
                           f"(step {filters.step_size})", "quantity")
    ceiling = filters.market_max_qty if type == "MARKET" else filters.max_qty
    if ceiling and rounded > ceiling:
        raise OrderInvalid(f"quantity {rounded} is above the maximum {ceiling}", "quantity")
    notional = rounded * (price if price is not None and type != "MARKET" else stop_price or reference_price)
    if not reduce_only and filters.min_notional and notional < filters.min_notional:
        raise OrderInvalid(f"order value {notional.quantize(Decimal('0.01'))} USDT is below the minimum "
                           f"{filters.min_notional} USDT", "quantity")
    return rounded, price, stop_price
