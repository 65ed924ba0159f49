"""Typed decoders of USD-M trading answers (REST): orders, trades, positions, balances, income,
algo orders and the symbol filters orders must respect.

Every decoder takes Binance's JSON (as parsed by `_loads`) and returns frozen dataclasses with
`Decimal` money, exactly the decimal strings Binance sent (never a float on the way). Shapes are
those of docs/usdm_futures/endpoints/*.md and the recorded answers in /work/shared/binance; a
body of another shape raises `DecodeError` naming the endpoint. Fields the platform does not use
are left out; optional fields Binance adds in some answers only get a default.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from market.binance.account_schemas import (  # noqa: F401  (the contract names them here)
    Account, AccountPosition, Balance, IncomeRow, PositionRisk, account_decode, balances_decode, income_decode,
    position_risk_decode,
)
from market.binance.decoding import ZERO, dec, flag, integer, json_list, json_object, text
from market.binance.errors import OrderRejectedError
from market.binance.schemas import _loads  # the one JSON reader of Binance bodies


# --- orders -------------------------------------------------------------------

@dataclass(frozen=True)
class ExchangeOrder:
    """An order as the exchange has it (new/query/cancel answers, open orders, allOrders)."""

    symbol: str
    order_id: int
    client_order_id: str
    side: str  # BUY / SELL
    position_side: str  # BOTH / LONG / SHORT
    type: str  # current type (a triggered STOP_MARKET reads MARKET)
    orig_type: str
    status: str  # NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, EXPIRED_IN_MATCH
    time_in_force: str
    price: Decimal
    orig_qty: Decimal
    executed_qty: Decimal
    avg_price: Decimal
    cum_quote: Decimal
    stop_price: Decimal
    reduce_only: bool
    close_position: bool
    update_time_ms: int
    working_type: str = "CONTRACT_PRICE"
    time_ms: int | None = None  # creation time: query answers only
    good_till_date: int = 0

    @property
    def is_open(self) -> bool:
        return self.status in ("NEW", "PARTIALLY_FILLED")


def order_from_json(row: Any, what: str = "order") -> ExchangeOrder:
    row = json_object(row, what)
    return ExchangeOrder(
        symbol=text(row, "symbol", what), order_id=integer(row, "orderId", what),
        client_order_id=text(row, "clientOrderId", what), side=text(row, "side", what),
        position_side=text(row, "positionSide", what, "BOTH"), type=text(row, "type", what),
        orig_type=text(row, "origType", what, text(row, "type", what)), status=text(row, "status", what),
        time_in_force=text(row, "timeInForce", what, ""), price=dec(row, "price", what, ZERO),
        orig_qty=dec(row, "origQty", what, ZERO), executed_qty=dec(row, "executedQty", what, ZERO),
        avg_price=dec(row, "avgPrice", what, ZERO), cum_quote=dec(row, "cumQuote", what, ZERO),
        stop_price=dec(row, "stopPrice", what, ZERO), reduce_only=flag(row, "reduceOnly"),
        close_position=flag(row, "closePosition"), update_time_ms=integer(row, "updateTime", what, 0),
        working_type=text(row, "workingType", what, "CONTRACT_PRICE"),
        time_ms=integer(row, "time", what) if "time" in row else None,
        good_till_date=integer(row, "goodTillDate", what, 0),
    )


def order_decode(raw: bytes, what: str = "order") -> ExchangeOrder:
    return order_from_json(_loads(raw, what), what)


def orders_decode(raw: bytes, what: str) -> list[ExchangeOrder]:
    return [order_from_json(row, what) for row in json_list(_loads(raw, what), what)]


def batch_decode(raw: bytes, what: str) -> list[ExchangeOrder | OrderRejectedError]:
    """A batch answer: one item per order, in order; a refusal is `{"code": .., "msg": ..}`."""
    out: list[ExchangeOrder | OrderRejectedError] = []
    for item in json_list(_loads(raw, what), what):
        if isinstance(item, dict) and "orderId" not in item and "code" in item:
            out.append(OrderRejectedError(str(item.get("msg", "")), status=400, code=integer(item, "code", what),
                                          path=what))
        else:
            out.append(order_from_json(item, what))
    return out


# --- trades, positions, balances, income --------------------------------------------

@dataclass(frozen=True)
class UserTrade:
    id: int
    order_id: int
    symbol: str
    side: str
    position_side: str
    price: Decimal
    qty: Decimal
    quote_qty: Decimal
    commission: Decimal
    commission_asset: str
    realized_pnl: Decimal
    maker: bool
    time_ms: int


def user_trades_decode(raw: bytes, what: str = "/fapi/v1/userTrades") -> list[UserTrade]:
    out = []
    for row in json_list(_loads(raw, what), what):
        row = json_object(row, what)
        out.append(UserTrade(
            id=integer(row, "id", what), order_id=integer(row, "orderId", what), symbol=text(row, "symbol", what),
            side=text(row, "side", what), position_side=text(row, "positionSide", what, "BOTH"),
            price=dec(row, "price", what), qty=dec(row, "qty", what), quote_qty=dec(row, "quoteQty", what),
            commission=dec(row, "commission", what), commission_asset=text(row, "commissionAsset", what),
            realized_pnl=dec(row, "realizedPnl", what, ZERO), maker=flag(row, "maker"), time_ms=integer(row, "time", what),
        ))
    return out


# --- algo (conditional) orders ---------------------------------------------------

@dataclass(frozen=True)
class AlgoOrder:
    """A conditional order of the Algo Order service (POST/GET/DELETE /fapi/v1/algoOrder)."""

    algo_id: int
    client_algo_id: str
    algo_type: str  # CONDITIONAL
    order_type: str  # STOP_MARKET, TAKE_PROFIT_MARKET, STOP, TAKE_PROFIT, TRAILING_STOP_MARKET
    symbol: str
    side: str
    position_side: str
    time_in_force: str
    quantity: Decimal
    status: str  # NEW, TRIGGERING, TRIGGERED, FINISHED, CANCELED, REJECTED, EXPIRED
    trigger_price: Decimal
    price: Decimal
    working_type: str
    reduce_only: bool
    close_position: bool
    create_time_ms: int
    update_time_ms: int
    trigger_time_ms: int = 0
    actual_order_id: int | None = None  # "actualOrderId": the order placed on trigger


def algo_from_json(row: Any, what: str = "/fapi/v1/algoOrder") -> AlgoOrder:
    row = json_object(row, what)
    return AlgoOrder(
        algo_id=integer(row, "algoId", what), client_algo_id=text(row, "clientAlgoId", what),
        algo_type=text(row, "algoType", what, "CONDITIONAL"),
        order_type=text(row, "orderType", what, text(row, "type", what, "")), symbol=text(row, "symbol", what),
        side=text(row, "side", what), position_side=text(row, "positionSide", what, "BOTH"),
        time_in_force=text(row, "timeInForce", what, ""), quantity=dec(row, "quantity", what, ZERO),
        status=text(row, "algoStatus", what), trigger_price=dec(row, "triggerPrice", what, ZERO),
        price=dec(row, "price", what, ZERO), working_type=text(row, "workingType", what, "CONTRACT_PRICE"),
        reduce_only=flag(row, "reduceOnly"), close_position=flag(row, "closePosition"),
        create_time_ms=integer(row, "createTime", what, 0), update_time_ms=integer(row, "updateTime", what, 0),
        trigger_time_ms=integer(row, "triggerTime", what, 0),
        actual_order_id=integer(row, "actualOrderId", what, 0) or None,
    )


def algo_decode(raw: bytes, what: str = "/fapi/v1/algoOrder") -> AlgoOrder:
    return algo_from_json(_loads(raw, what), what)


def algos_decode(raw: bytes, what: str) -> list[AlgoOrder]:
    return [algo_from_json(row, what) for row in json_list(_loads(raw, what), what)]


# --- exchangeInfo filters ---------------------------------------------------------

@dataclass(frozen=True)
class SymbolFilters:
    """What an order of `symbol` must respect (exchangeInfo's PRICE_FILTER, LOT_SIZE,
    MARKET_LOT_SIZE, MIN_NOTIONAL and precisions). Limits that are absent read as 0 (no limit)."""

    symbol: str
    status: str
    tick_size: Decimal
    min_price: Decimal
    max_price: Decimal
    step_size: Decimal
    min_qty: Decimal
    max_qty: Decimal
    market_step_size: Decimal
    market_min_qty: Decimal
    market_max_qty: Decimal
    min_notional: Decimal
    price_precision: int
    quantity_precision: int


def symbol_filters_decode(raw: bytes, what: str = "exchangeInfo") -> dict[str, SymbolFilters]:
    body = json_object(_loads(raw, what), what)
    out = {}
    for s in json_list(body.get("symbols"), what):
        s = json_object(s, what)
        f = {x.get("filterType"): x for x in s.get("filters", ()) if isinstance(x, dict)}
        price, lot = f.get("PRICE_FILTER", {}), f.get("LOT_SIZE", {})
        market = f.get("MARKET_LOT_SIZE", lot)
        notional = f.get("MIN_NOTIONAL") or f.get("NOTIONAL") or {}
        symbol = text(s, "symbol", what)
        out[symbol] = SymbolFilters(
            symbol=symbol, status=text(s, "status", what, ""),
            tick_size=dec(price, "tickSize", what, ZERO), min_price=dec(price, "minPrice", what, ZERO),
            max_price=dec(price, "maxPrice", what, ZERO),
            step_size=dec(lot, "stepSize", what, ZERO), min_qty=dec(lot, "minQty", what, ZERO),
            max_qty=dec(lot, "maxQty", what, ZERO),
            market_step_size=dec(market, "stepSize", what, ZERO), market_min_qty=dec(market, "minQty", what, ZERO),
            market_max_qty=dec(market, "maxQty", what, ZERO),
            min_notional=dec(notional, "notional", what, dec(notional, "minNotional", what, ZERO)),
            price_precision=integer(s, "pricePrecision", what, 8), quantity_precision=integer(s, "quantityPrecision", what, 8),
        )
    return out
