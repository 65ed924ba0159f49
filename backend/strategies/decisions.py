"""The decisions `runtime.evaluate` returns, and how an "open" statement becomes one.

Plain frozen dataclasses of floats (the runtime is a numeric core); the engine turns them into
Decimal orders through the trading placement service, which applies the exchange's filters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

@dataclass(frozen=True)
class OpenPosition:
    symbol: str
    direction: str
    order_type: str  # MARKET / LIMIT
    quantity: float
    price: float  # the limit price, or the last close for a market order
    leverage: int
    stop_loss: float | None
    take_profit: float | None
    block: str


@dataclass(frozen=True)
class ClosePosition:
    symbol: str
    direction: str  # LONG / SHORT / ANY
    block: str


@dataclass(frozen=True)
class CancelOrders:
    symbol: str
    block: str


@dataclass(frozen=True)
class Notify:
    message: str
    value: float | None
    block: str


@dataclass(frozen=True)
class Log:
    message: str
    value: float | None
    block: str


def open_decision(node: dict, symbol: str, *, size: float, price: float, atr: float,
                  balance: float) -> OpenPosition | Log:
    """The `OpenPosition` for an "open" IR node, or a `Log` saying why none is sent.

    ``price``: the limit price, or the last close for a market order.  Levels: ``atr`` mode puts the
    stop ``value x atr`` from the price (below it for LONG), ``percent`` mode ``value %`` of the price;
    the take-profit is on the other side.  Quantity: see `runtime`'s docstring.  Every input may be
    NaN (no value): then, or when a result is not a positive finite number, the order is skipped.
    """
    sign = 1.0 if node["direction"] == "LONG" else -1.0

    def skipped(reason: str) -> Log:
        return Log(f"open {node['direction']} skipped: {reason}", None, node["block"])

    if not (math.isfinite(price) and price > 0):
        return skipped("no price")
    levels = {}
    for name, side in (("stop_loss", -sign), ("take_profit", sign)):
        level = node[name]
        if level is None:
            levels[name] = None
            continue
        distance = level["value"] * (atr if level["mode"] == "atr" else price / 100.0)
        value = price + side * distance
        if not (math.isfinite(value) and value > 0 and distance > 0):
            return skipped(f"no valid {name.replace('_', '-')} (ATR not available yet or level at or below 0)")
        levels[name] = value
    mode = node["size_mode"]
    if mode != "quantity" and not (0 < size <= 100):
        return skipped(f"size must be a percentage above 0 and at most 100, got {size}")
    if mode == "quantity":
        quantity = size
    elif mode == "percent_balance":
        quantity = balance * size / 100.0 * node["leverage"] / price
    else:
        quantity = balance * size / 100.0 / abs(price - levels["stop_loss"])
    if not (math.isfinite(quantity) and quantity > 0):
        return skipped("the quantity is not a positive number")
    return OpenPosition(symbol, node["direction"], node["order_type"], quantity, price, node["leverage"],
                        levels["stop_loss"], levels["take_profit"], node["block"])
