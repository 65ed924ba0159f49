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
from decimal import Decimal, InvalidOperation
from typing import Any

from market.binance.errors import DecodeError, OrderRejectedError
from market.binance.schemas import _loads  # the one JSON reader of Binance bodies

ZERO = Decimal(0)


def _dec(row: dict[str, Any], name: str, what: str, default: Decimal | None = None) -> Decimal:
    value = row.get(name)
    if value is None or value == "":
        if default is not None:
            return default
        raise DecodeError(f"{what}: missing {name!r}", path=what)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise DecodeError(f"{what}: {name!r} is not a number ({value!r})", path=what) from None


def _int(row: dict[str, Any], name: str, what: str, default: int | None = None) -> int:
    value = row.get(name)
    if value is None or value == "":
        if default is not None:
            return default
        raise DecodeError(f"{what}: missing {name!r}", path=what)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DecodeError(f"{what}: {name!r} is not an integer ({value!r})", path=what) from None


def _str(row: dict[str, Any], name: str, what: str, default: str | None = None) -> str:
    value = row.get(name)
    if not isinstance(value, str):
        if default is not None:
            return default
        raise DecodeError(f"{what}: missing {name!r}", path=what)
    return value


def _bool(row: dict[str, Any], name: str) -> bool:
    value = row.get(name)
    return value is True or value == "true"


def _object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise DecodeError(f"{what}: not a JSON object", path=what)
    return body


def _list(body: Any, what: str) -> list[Any]:
    if not isinstance(body, list):
        raise DecodeError(f"{what}: not a JSON list", path=what)
    return body


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
    row = _object(row, what)
    return ExchangeOrder(
        symbol=_str(row, "symbol", what), order_id=_int(row, "orderId", what),
        client_order_id=_str(row, "clientOrderId", what), side=_str(row, "side", what),
        position_side=_str(row, "positionSide", what, "BOTH"), type=_str(row, "type", what),
        orig_type=_str(row, "origType", what, _str(row, "type", what)), status=_str(row, "status", what),
        time_in_force=_str(row, "timeInForce", what, ""), price=_dec(row, "price", what, ZERO),
        orig_qty=_dec(row, "origQty", what, ZERO), executed_qty=_dec(row, "executedQty", what, ZERO),
        avg_price=_dec(row, "avgPrice", what, ZERO), cum_quote=_dec(row, "cumQuote", what, ZERO),
        stop_price=_dec(row, "stopPrice", what, ZERO), reduce_only=_bool(row, "reduceOnly"),
        close_position=_bool(row, "closePosition"), update_time_ms=_int(row, "updateTime", what, 0),
        working_type=_str(row, "workingType", what, "CONTRACT_PRICE"),
        time_ms=_int(row, "time", what) if "time" in row else None,
        good_till_date=_int(row, "goodTillDate", what, 0),
    )


def order_decode(raw: bytes, what: str = "order") -> ExchangeOrder:
    return order_from_json(_loads(raw, what), what)


def orders_decode(raw: bytes, what: str) -> list[ExchangeOrder]:
    return [order_from_json(row, what) for row in _list(_loads(raw, what), what)]


def batch_decode(raw: bytes, what: str) -> list[ExchangeOrder | OrderRejectedError]:
    """A batch answer: one item per order, in order; a refusal is `{"code": .., "msg": ..}`."""
    out: list[ExchangeOrder | OrderRejectedError] = []
    for item in _list(_loads(raw, what), what):
        if isinstance(item, dict) and "orderId" not in item and "code" in item:
            out.append(OrderRejectedError(str(item.get("msg", "")), status=400, code=_int(item, "code", what),
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
    for row in _list(_loads(raw, what), what):
        row = _object(row, what)
        out.append(UserTrade(
            id=_int(row, "id", what), order_id=_int(row, "orderId", what), symbol=_str(row, "symbol", what),
            side=_str(row, "side", what), position_side=_str(row, "positionSide", what, "BOTH"),
            price=_dec(row, "price", what), qty=_dec(row, "qty", what), quote_qty=_dec(row, "quoteQty", what),
            commission=_dec(row, "commission", what), commission_asset=_str(row, "commissionAsset", what),
            realized_pnl=_dec(row, "realizedPnl", what, ZERO), maker=_bool(row, "maker"), time_ms=_int(row, "time", what),
        ))
    return out


@dataclass(frozen=True)
class PositionRisk:
    symbol: str
    position_side: str
    amount: Decimal  # signed: negative is short (One-way), SHORT rows are negative too
    entry_price: Decimal
    break_even_price: Decimal
    mark_price: Decimal
    unrealized_pnl: Decimal
    leverage: int
    margin_type: str  # "cross" / "isolated"
    liquidation_price: Decimal
    update_time_ms: int
    notional: Decimal = ZERO
    isolated_wallet: Decimal = ZERO


def position_risk_decode(raw: bytes, what: str = "/fapi/v2/positionRisk") -> list[PositionRisk]:
    out = []
    for row in _list(_loads(raw, what), what):
        row = _object(row, what)
        out.append(PositionRisk(
            symbol=_str(row, "symbol", what), position_side=_str(row, "positionSide", what, "BOTH"),
            amount=_dec(row, "positionAmt", what), entry_price=_dec(row, "entryPrice", what, ZERO),
            break_even_price=_dec(row, "breakEvenPrice", what, ZERO), mark_price=_dec(row, "markPrice", what, ZERO),
            unrealized_pnl=_dec(row, "unRealizedProfit", what, ZERO), leverage=_int(row, "leverage", what),
            margin_type=_str(row, "marginType", what).lower(),
            liquidation_price=_dec(row, "liquidationPrice", what, ZERO),
            update_time_ms=_int(row, "updateTime", what, 0), notional=_dec(row, "notional", what, ZERO),
            isolated_wallet=_dec(row, "isolatedWallet", what, ZERO),
        ))
    return out


@dataclass(frozen=True)
class Balance:
    asset: str
    wallet_balance: Decimal
    cross_wallet_balance: Decimal
    available_balance: Decimal
    unrealized_pnl: Decimal
    update_time_ms: int


def balances_decode(raw: bytes, what: str = "/fapi/v2/balance") -> list[Balance]:
    out = []
    for row in _list(_loads(raw, what), what):
        row = _object(row, what)
        out.append(Balance(
            asset=_str(row, "asset", what), wallet_balance=_dec(row, "balance", what),
            cross_wallet_balance=_dec(row, "crossWalletBalance", what, ZERO),
            available_balance=_dec(row, "availableBalance", what, ZERO),
            unrealized_pnl=_dec(row, "crossUnPnl", what, ZERO), update_time_ms=_int(row, "updateTime", what, 0),
        ))
    return out


@dataclass(frozen=True)
class AccountPosition:
    symbol: str
    position_side: str
    amount: Decimal
    entry_price: Decimal
    unrealized_pnl: Decimal
    leverage: int | None
    isolated: bool
    update_time_ms: int


@dataclass(frozen=True)
class Account:
    """GET /fapi/v2/account: the totals, a Balance per asset, and the positions rows."""

    can_trade: bool
    total_wallet_balance: Decimal
    total_unrealized_pnl: Decimal
    total_margin_balance: Decimal
    total_initial_margin: Decimal
    total_maint_margin: Decimal
    available_balance: Decimal
    max_withdraw_amount: Decimal
    balances: tuple[Balance, ...]
    positions: tuple[AccountPosition, ...]


def account_decode(raw: bytes, what: str = "/fapi/v2/account") -> Account:
    body = _object(_loads(raw, what), what)
    balances = tuple(
        Balance(asset=_str(a, "asset", what), wallet_balance=_dec(a, "walletBalance", what),
                cross_wallet_balance=_dec(a, "crossWalletBalance", what, ZERO),
                available_balance=_dec(a, "availableBalance", what, ZERO),
                unrealized_pnl=_dec(a, "unrealizedProfit", what, ZERO), update_time_ms=_int(a, "updateTime", what, 0))
        for a in map(lambda a: _object(a, what), _list(body.get("assets"), what))
    )
    positions = tuple(
        AccountPosition(symbol=_str(p, "symbol", what), position_side=_str(p, "positionSide", what, "BOTH"),
                        amount=_dec(p, "positionAmt", what), entry_price=_dec(p, "entryPrice", what, ZERO),
                        unrealized_pnl=_dec(p, "unrealizedProfit", what, ZERO),
                        leverage=_int(p, "leverage", what) if "leverage" in p else None,
                        isolated=_bool(p, "isolated"), update_time_ms=_int(p, "updateTime", what, 0))
        for p in map(lambda p: _object(p, what), _list(body.get("positions", []), what))
    )
    return Account(
        can_trade=body.get("canTrade", True) is True,
        total_wallet_balance=_dec(body, "totalWalletBalance", what),
        total_unrealized_pnl=_dec(body, "totalUnrealizedProfit", what, ZERO),
        total_margin_balance=_dec(body, "totalMarginBalance", what, ZERO),
        total_initial_margin=_dec(body, "totalInitialMargin", what, ZERO),
        total_maint_margin=_dec(body, "totalMaintMargin", what, ZERO),
        available_balance=_dec(body, "availableBalance", what, ZERO),
        max_withdraw_amount=_dec(body, "maxWithdrawAmount", what, ZERO),
        balances=balances, positions=positions,
    )


@dataclass(frozen=True)
class IncomeRow:
    symbol: str  # "" when the flow belongs to no symbol (transfers)
    income_type: str  # REALIZED_PNL, COMMISSION, FUNDING_FEE, TRANSFER, ...
    income: Decimal
    asset: str
    info: str
    time_ms: int
    tran_id: int
    trade_id: str  # "" when none


def income_decode(raw: bytes, what: str = "/fapi/v1/income") -> list[IncomeRow]:
    out = []
    for row in _list(_loads(raw, what), what):
        row = _object(row, what)
        out.append(IncomeRow(
            symbol=_str(row, "symbol", what, ""), income_type=_str(row, "incomeType", what),
            income=_dec(row, "income", what), asset=_str(row, "asset", what), info=_str(row, "info", what, ""),
            time_ms=_int(row, "time", what), tran_id=_int(row, "tranId", what), trade_id=str(row.get("tradeId", "")),
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


def algo_from_json(row: Any, what: str = "/fapi/v1/algoOrder") -> AlgoOrder:
    row = _object(row, what)
    return AlgoOrder(
        algo_id=_int(row, "algoId", what), client_algo_id=_str(row, "clientAlgoId", what),
        algo_type=_str(row, "algoType", what, "CONDITIONAL"),
        order_type=_str(row, "orderType", what, _str(row, "type", what, "")), symbol=_str(row, "symbol", what),
        side=_str(row, "side", what), position_side=_str(row, "positionSide", what, "BOTH"),
        time_in_force=_str(row, "timeInForce", what, ""), quantity=_dec(row, "quantity", what, ZERO),
        status=_str(row, "algoStatus", what), trigger_price=_dec(row, "triggerPrice", what, ZERO),
        price=_dec(row, "price", what, ZERO), working_type=_str(row, "workingType", what, "CONTRACT_PRICE"),
        reduce_only=_bool(row, "reduceOnly"), close_position=_bool(row, "closePosition"),
        create_time_ms=_int(row, "createTime", what, 0), update_time_ms=_int(row, "updateTime", what, 0),
        trigger_time_ms=_int(row, "triggerTime", what, 0),
    )


def algo_decode(raw: bytes, what: str = "/fapi/v1/algoOrder") -> AlgoOrder:
    return algo_from_json(_loads(raw, what), what)


def algos_decode(raw: bytes, what: str) -> list[AlgoOrder]:
    return [algo_from_json(row, what) for row in _list(_loads(raw, what), what)]


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
    body = _object(_loads(raw, what), what)
    out = {}
    for s in _list(body.get("symbols"), what):
        s = _object(s, what)
        f = {x.get("filterType"): x for x in s.get("filters", ()) if isinstance(x, dict)}
        price, lot = f.get("PRICE_FILTER", {}), f.get("LOT_SIZE", {})
        market = f.get("MARKET_LOT_SIZE", lot)
        notional = f.get("MIN_NOTIONAL") or f.get("NOTIONAL") or {}
        symbol = _str(s, "symbol", what)
        out[symbol] = SymbolFilters(
            symbol=symbol, status=_str(s, "status", what, ""),
            tick_size=_dec(price, "tickSize", what, ZERO), min_price=_dec(price, "minPrice", what, ZERO),
            max_price=_dec(price, "maxPrice", what, ZERO),
            step_size=_dec(lot, "stepSize", what, ZERO), min_qty=_dec(lot, "minQty", what, ZERO),
            max_qty=_dec(lot, "maxQty", what, ZERO),
            market_step_size=_dec(market, "stepSize", what, ZERO), market_min_qty=_dec(market, "minQty", what, ZERO),
            market_max_qty=_dec(market, "maxQty", what, ZERO),
            min_notional=_dec(notional, "notional", what, _dec(notional, "minNotional", what, ZERO)),
            price_precision=_int(s, "pricePrecision", what, 8), quantity_precision=_int(s, "quantityPrecision", what, 8),
        )
    return out
