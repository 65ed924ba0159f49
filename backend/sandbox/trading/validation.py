"""New-order requests: parameters, type rules, Hedge Mode rules and the symbol's filters.

Everything here depends only on the request, the symbol's rules and the account's position mode;
checks that need the account's state (duplicate client ids, margin, reduce-only against the
position, would-trigger-now) are made by the engine.

Rules and codes (public_post_fapi_v1_order.md, error_codes.md, LIMITS.md "Hedge mode"):
* mandatory parameters by type: LIMIT timeInForce+quantity+price; MARKET quantity; STOP and
  TAKE_PROFIT quantity+price+stopPrice; STOP_MARKET and TAKE_PROFIT_MARKET stopPrice (+quantity
  unless closePosition=true); TRAILING_STOP_MARKET callbackRate+quantity -> -1102 when missing.
* positionSide: BOTH (or absent) in One-way Mode, LONG/SHORT and mandatory in Hedge Mode -> -4061.
* reduceOnly cannot be sent in Hedge Mode nor with closePosition=true -> -1106.
* closePosition=true: STOP_MARKET/TAKE_PROFIT_MARKET only (-1106 otherwise), no quantity (-4137),
  in Hedge Mode not BUY on LONG nor SELL on SHORT (-2022).
* price/stopPrice: more decimals than pricePrecision -1111, not a tick multiple -4014, bounds
  -4001/-4002/-4013; quantity: precision -1111, <= 0 -4003, < minQty -4004, > maxQty -4005,
  not a step multiple -4023; PERCENT_PRICE band -4016/-4024; notional below MIN_NOTIONAL -4164
  (waived for orders that can only reduce).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from . import errors
from .errors import err
from .orders import (ORDER_TYPES, POSITION_SIDES, RESPONSE_TYPES, SIDES, STP_MODES, TIME_IN_FORCE,
                     WORKING_TYPES, SymbolRules)
from .params import Params

CLIENT_ID = re.compile(r"^[\.A-Z\:/a-z0-9_-]{1,36}$")
GTD_MIN_AHEAD_MS = 600_000
GTD_MAX = 253402300799000
CLOSE_POSITION_TYPES = ("STOP_MARKET", "TAKE_PROFIT_MARKET")


@dataclass(frozen=True)
class NewOrder:
    symbol: str
    side: str
    position_side: str
    type: str
    time_in_force: str
    quantity: Decimal
    price: Decimal
    stop_price: Decimal
    reduce_only: bool
    close_position: bool
    working_type: str
    price_protect: bool
    client_order_id: str | None
    response_type: str
    self_trade_prevention: str
    good_till_date: int
    activation_price: Decimal | None
    callback_rate: Decimal | None

    @property
    def hedge_closing(self) -> bool:
        return (self.position_side, self.side) in (("LONG", "SELL"), ("SHORT", "BUY"))


def _decimals(value: Decimal) -> int:
    return max(0, -value.normalize().as_tuple().exponent)


def check_price(rules: SymbolRules, value: Decimal, *, stop: bool = False) -> None:
    if _decimals(value) > rules.price_precision:
        raise errors.bad_precision()
    if value <= 0:
        raise err(errors.STOP_PRICE_LE_ZERO if stop else errors.PRICE_LE_ZERO)
    if rules.min_price and value < rules.min_price:
        raise err(errors.STOP_PRICE_LE_ZERO if stop else errors.PRICE_LT_MIN)
    if rules.max_price and value > rules.max_price:
        raise err(errors.STOP_PRICE_GT_MAX if stop else errors.PRICE_GT_MAX)
    if rules.tick_size and (value - rules.min_price) % rules.tick_size:
        raise err(errors.PRICE_TICK)


def check_quantity(rules: SymbolRules, value: Decimal, *, market: bool = False) -> None:
    """LOT_SIZE (MARKET_LOT_SIZE's maxQty for market orders)."""
    if _decimals(value) > rules.quantity_precision:
        raise errors.bad_precision()
    if value <= 0:
        raise err(errors.QTY_LE_ZERO)
    if rules.min_qty and value < rules.min_qty:
        raise err(errors.QTY_LT_MIN)
    max_qty = rules.market_max_qty if market else rules.max_qty
    if max_qty and value > max_qty:
        raise err(errors.QTY_GT_MAX)
    if rules.step_size and (value - rules.min_qty) % rules.step_size:
        raise err(errors.QTY_STEP)


def _position_side(p: Params, dual_side: bool) -> str:
    value = p.enum("positionSide", POSITION_SIDES, err(errors.INVALID_POSITION_SIDE))
    if dual_side:
        if value not in ("LONG", "SHORT"):
            raise err(errors.POSITION_SIDE_MISMATCH)
        if p.has("reduceOnly"):
            raise errors.not_required("reduceOnly")
        return value
    if value not in (None, "BOTH"):
        raise err(errors.POSITION_SIDE_MISMATCH)
    return "BOTH"


def parse_new_order(p: Params, rules: SymbolRules, *, dual_side: bool, now_ms: int) -> NewOrder:
    """Read and check a POST /fapi/v1/order request (the symbol is already known to exist)."""
    side = p.enum("side", SIDES, err(errors.INVALID_SIDE), required=True)
    order_type = p.enum("type", ORDER_TYPES, err(errors.INVALID_ORDER_TYPE), required=True)
    position_side = _position_side(p, dual_side)
    close_position = p.boolean("closePosition")
    reduce_only = p.boolean("reduceOnly")
    if p.has("closePosition") and close_position and order_type not in CLOSE_POSITION_TYPES:
        raise errors.not_required("closePosition")
    if close_position and p.has("reduceOnly"):
        raise errors.not_required("reduceOnly")
    if close_position and p.has("quantity"):
        raise err(errors.QTY_WITH_CLOSE_POSITION)
    if close_position and (position_side, side) in (("LONG", "BUY"), ("SHORT", "SELL")):
        raise err(errors.REDUCE_ONLY_REJECT)
    if p.has("priceMatch") and p.raw("priceMatch") != "NONE":
        raise err(errors.UNSUPPORTED_COMBO)

    needs_quantity = not close_position
    needs_price = order_type in ("LIMIT", "STOP", "TAKE_PROFIT")
    needs_stop = order_type in ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET")
    tif_default = None if order_type == "LIMIT" else "GTC"
    time_in_force = p.enum("timeInForce", TIME_IN_FORCE, err(errors.INVALID_TIF), default=tif_default)
    if time_in_force is None:
        raise errors.mandatory_missing("timeInForce")
    quantity = p.decimal("quantity", required=needs_quantity) or Decimal(0)
    price = p.decimal("price", required=needs_price)
    if price is not None and not needs_price:
        raise errors.not_required("price")
    stop_price = p.decimal("stopPrice", required=needs_stop) or Decimal(0)
    callback_rate = activation_price = None
    if order_type == "TRAILING_STOP_MARKET":
        callback_rate = p.decimal("callbackRate", required=True)
        if not Decimal("0.1") <= callback_rate <= Decimal(10):
            raise errors.invalid_value("callbackRate")
        activation_price = p.decimal("activationPrice")

    working_type = p.enum("workingType", WORKING_TYPES, err(errors.INVALID_WORKING_TYPE),
                          default="CONTRACT_PRICE")
    response_type = p.enum("newOrderRespType", RESPONSE_TYPES, err(errors.INVALID_RESP_TYPE), default="ACK")
    stp = p.enum("selfTradePreventionMode", STP_MODES,
                 errors.BinanceError(-5039, "Invalid self trade prevention mode"), default="NONE")
    client_id = p.string("newClientOrderId")
    if client_id is not None and not CLIENT_ID.match(client_id):
        raise err(errors.CLIENT_ID_INVALID)
    good_till = 0
    if time_in_force == "GTD":
        good_till = p.long("goodTillDate", required=True) // 1000 * 1000
        if not now_ms + GTD_MIN_AHEAD_MS < good_till < GTD_MAX:
            raise err(errors.GTD_TIME_INVALID)

    if needs_quantity:
        check_quantity(rules, quantity, market=order_type in ("MARKET", "STOP_MARKET", "TAKE_PROFIT_MARKET"))
    if price is not None:
        check_price(rules, price)
    if needs_stop:
        check_price(rules, stop_price, stop=True)
    if activation_price is not None:
        check_price(rules, activation_price, stop=True)

    return NewOrder(
        symbol=rules.symbol, side=side, position_side=position_side, type=order_type,
        time_in_force=time_in_force, quantity=quantity, price=price or Decimal(0), stop_price=stop_price,
        reduce_only=reduce_only, close_position=close_position, working_type=working_type,
        price_protect=p.boolean("priceProtect"), client_order_id=client_id, response_type=response_type,
        self_trade_prevention=stp, good_till_date=good_till, activation_price=activation_price,
        callback_rate=callback_rate,
    )


def check_price_band(rules: SymbolRules, order: NewOrder, mark: Decimal) -> None:
    """PERCENT_PRICE: a LIMIT price must stay within the mark-price band (when the market gives one)."""
    if order.type != "LIMIT" or not rules.multiplier_up:
        return
    if order.side == "BUY" and order.price > mark * rules.multiplier_up:
        raise err(errors.PRICE_ABOVE_CAP)
    if order.side == "SELL" and order.price < mark * rules.multiplier_down:
        raise err(errors.PRICE_BELOW_FLOOR)


def check_min_notional(rules: SymbolRules, order: NewOrder, mark: Decimal) -> None:
    """MIN_NOTIONAL on price * qty (mark price for MARKET, stop price for stop-market orders)."""
    if order.reduce_only or order.close_position or order.hedge_closing or not rules.min_notional:
        return
    reference = order.price or (order.stop_price if order.type != "MARKET" else mark) or mark
    if reference * order.quantity < rules.min_notional:
        raise errors.min_notional(format(rules.min_notional.normalize(), "f"))
