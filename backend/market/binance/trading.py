"""USD-M trading endpoints (SIGNED: TRADE, USER_DATA and USER_STREAM), reached as `client.trading`.

    async with BinanceClient.from_settings(venue=venue) as client:
        stamp = await client.trading.now_ms()              # the signing clock (persist it first)
        order = await client.trading.new_order(credentials, symbol="BTCUSDT", side="BUY", type="MARKET",
                                               quantity=Decimal("0.010"), client_order_id=cid,
                                               timestamp_ms=stamp)

One client serves any number of keys: `Credentials` are passed per call and never stored.
Every method returns frozen dataclasses of `trading_schemas.py` (Decimal money) and raises the
types of `errors.py`. How often each request may leave (see client.py):

* order writes (`new_order`, `batch_orders`, `new_algo_order`) are sent ONCE, never retried:
  `NotSentError` (certainly not sent: connection refused, order budget or governor refusal),
  `OrderRejectedError` (refused, with Binance's code and message), `RateLimitedError` (-1015),
  `ExecutionUnknownError` (may have executed: timeout, 5xx, 503 "Unknown error", connection
  lost after sending): look the order up by its client order id, never resend it.
* other writes (cancel, leverage, position mode, margin type) are retried only when they
  certainly did not execute;
* reads, the countdown heartbeat and listen keys are retried like any read.

Unknown orders: `OrderNotFoundError` (-2013 on a query, -2011 on a cancel).

Numbers are sent as the shortest exact decimal string of a `Decimal` (or int); floats are
refused, so money never passes through binary floating point. The deadline of an order sent
with `timestamp_ms=t` and `recv_window_ms=w` is `t + w + 1000` on the signing clock
(`now_ms()`): after it the exchange can no longer accept that request (see signing.py).
"""
from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson

from market.binance.errors import OrderRejectedError, PermanentError
from market.binance.signing import DEFAULT_RECV_WINDOW_MS, Credentials
from market.binance.trading_schemas import (
    Account, AlgoOrder, Balance, ExchangeOrder, IncomeRow, PositionRisk, SymbolFilters, UserTrade, account_decode,
    algo_decode, algos_decode, balances_decode, batch_decode, income_decode, order_decode, orders_decode,
    position_risk_decode, symbol_filters_decode, user_trades_decode,
)
from market.binance.schemas import _loads

if TYPE_CHECKING:
    from market.binance.client import BinanceClient

MAX_BATCH_ORDERS = 5
MARGIN_TYPES = {"cross": "CROSSED", "crossed": "CROSSED", "isolated": "ISOLATED"}


def decimal_text(value: Decimal | int | str) -> str:
    """The shortest exact decimal string: Decimal("0.0100") -> "0.01", Decimal("1E+2") -> "100"."""
    if isinstance(value, float | bool):
        raise TypeError(f"prices and quantities are Decimal, int or str, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite() or number < 0:
        raise ValueError(f"not a positive decimal: {value!r}")
    text = format(number.normalize(), "f")
    return text if number else "0"


def order_params(*, symbol: str, side: str, type: str, quantity=None, price=None, stop_price=None,
                 position_side: str | None = None, time_in_force: str | None = None, reduce_only: bool | None = None,
                 close_position: bool | None = None, client_order_id: str, resp_type: str | None = "RESULT",
                 working_type: str | None = None, price_protect: bool | None = None,
                 good_till_date: int | None = None) -> dict[str, Any]:
    """Binance's new-order parameters, in the documented order, leaving out what was not given."""
    params: dict[str, Any] = {"symbol": symbol, "side": side}
    if position_side is not None:
        params["positionSide"] = position_side
    params["type"] = type
    if time_in_force is not None:
        params["timeInForce"] = time_in_force
    if quantity is not None:
        params["quantity"] = decimal_text(quantity)
    if reduce_only is not None:
        params["reduceOnly"] = reduce_only
    if price is not None:
        params["price"] = decimal_text(price)
    params["newClientOrderId"] = client_order_id
    if stop_price is not None:
        params["stopPrice"] = decimal_text(stop_price)
    if close_position is not None:
        params["closePosition"] = close_position
    if working_type is not None:
        params["workingType"] = working_type
    if price_protect is not None:
        params["priceProtect"] = price_protect
    if good_till_date is not None:
        params["goodTillDate"] = good_till_date
    if resp_type is not None:
        params["newOrderRespType"] = resp_type
    return params


def _lookup(client_order_id: str | None, order_id: int | None) -> dict[str, Any]:
    if order_id is not None:
        return {"orderId": order_id}
    if client_order_id is not None:
        return {"origClientOrderId": client_order_id}
    raise ValueError("give client_order_id or order_id")


def _optional(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class TradingApi:
    def __init__(self, client: BinanceClient) -> None:
        self._client = client
        self._filters: dict[str, SymbolFilters] | None = None
        self._filters_lock = asyncio.Lock()

    def _path(self, version: str, name: str) -> str:
        if self._client.venue.market != "usdm":
            raise ValueError("trading needs a USD-M client")
        return f"/fapi/{version}/{name}"

    async def _call(self, method: str, path: str, params: dict[str, Any] | None, credentials: Credentials,
                    **options: Any) -> Any:
        return _loads(await self._client.request(method, path, params, credentials=credentials, **options), path)

    async def now_ms(self) -> int:
        """The signing clock now (measured first if stale): stamp orders and judge deadlines with it."""
        await self._client.clock_sync()
        return self._client.clock.now_ms()

    # --- orders ------------------------------------------------------------------

    async def new_order(self, credentials: Credentials, *, symbol: str, side: str, type: str, quantity=None,
                        price=None, stop_price=None, position_side: str | None = None,
                        time_in_force: str | None = None, reduce_only: bool | None = None,
                        close_position: bool | None = None, client_order_id: str, resp_type: str = "RESULT",
                        recv_window_ms: int = DEFAULT_RECV_WINDOW_MS, timestamp_ms: int | None = None,
                        working_type: str | None = None, price_protect: bool | None = None,
                        good_till_date: int | None = None) -> ExchangeOrder:
        """POST /fapi/v1/order, sent once (module docstring). RESULT answers carry the fill of a
        MARKET order; ACK answers only the accepted order."""
        params = order_params(
            symbol=symbol, side=side, type=type, quantity=quantity, price=price, stop_price=stop_price,
            position_side=position_side, time_in_force=time_in_force, reduce_only=reduce_only,
            close_position=close_position, client_order_id=client_order_id, resp_type=resp_type,
            working_type=working_type, price_protect=price_protect, good_till_date=good_till_date)
        path = self._path("v1", "order")
        raw = await self._client.request("POST", path, params, credentials=credentials, retry="never",
                                         recv_window_ms=recv_window_ms, timestamp_ms=timestamp_ms)
        return order_decode(raw, path)

    async def batch_orders(self, credentials: Credentials, orders: list[dict[str, Any]], *,
                           recv_window_ms: int = DEFAULT_RECV_WINDOW_MS,
                           timestamp_ms: int | None = None) -> list[ExchangeOrder | OrderRejectedError]:
        """POST /fapi/v1/batchOrders (at most 5), sent once. Each item takes `new_order`'s keyword
        names; the answer keeps the list order, a refused item as its `OrderRejectedError`."""
        if not 1 <= len(orders) <= MAX_BATCH_ORDERS:
            raise ValueError(f"a batch holds 1..{MAX_BATCH_ORDERS} orders, got {len(orders)}")
        items = [{k: (("true" if v else "false") if isinstance(v, bool) else str(v))
                  for k, v in order_params(**{"resp_type": None, **o}).items()} for o in orders]
        path = self._path("v1", "batchOrders")
        raw = await self._client.request("POST", path, {"batchOrders": orjson.dumps(items).decode()},
                                         credentials=credentials, retry="never", recv_window_ms=recv_window_ms,
                                         timestamp_ms=timestamp_ms)
        return batch_decode(raw, path)

    async def query_order(self, credentials: Credentials, *, symbol: str, client_order_id: str | None = None,
                          order_id: int | None = None) -> ExchangeOrder:
        path = self._path("v1", "order")
        params = {"symbol": symbol, **_lookup(client_order_id, order_id)}
        return order_decode(await self._client.request("GET", path, params, credentials=credentials), path)

    async def cancel_order(self, credentials: Credentials, *, symbol: str, client_order_id: str | None = None,
                           order_id: int | None = None) -> ExchangeOrder:
        path = self._path("v1", "order")
        params = {"symbol": symbol, **_lookup(client_order_id, order_id)}
        return order_decode(await self._client.request("DELETE", path, params, credentials=credentials), path)

    async def open_orders(self, credentials: Credentials, symbol: str | None = None) -> list[ExchangeOrder]:
        path = self._path("v1", "openOrders")
        raw = await self._client.request("GET", path, _optional(symbol=symbol), credentials=credentials)
        return orders_decode(raw, path)

    async def all_orders(self, credentials: Credentials, *, symbol: str, order_id: int | None = None,
                         start_ms: int | None = None, end_ms: int | None = None, limit: int = 1000) -> list[ExchangeOrder]:
        """Orders of `symbol` from `order_id` on (inclusive), or within [start_ms, end_ms] (<= 7 days)."""
        path = self._path("v1", "allOrders")
        params = {"symbol": symbol, **_optional(orderId=order_id, startTime=start_ms, endTime=end_ms), "limit": limit}
        return orders_decode(await self._client.request("GET", path, params, credentials=credentials), path)

    async def cancel_all(self, credentials: Credentials, *, symbol: str) -> None:
        await self._call("DELETE", self._path("v1", "allOpenOrders"), {"symbol": symbol}, credentials)

    async def countdown_cancel_all(self, credentials: Credentials, *, symbol: str, countdown_ms: int) -> int:
        """The dead-man switch: cancel every open order of `symbol` unless called again within
        `countdown_ms` (0 stops it). Returns the countdown the exchange set."""
        body = await self._call("POST", self._path("v1", "countdownCancelAll"),
                                {"symbol": symbol, "countdownTime": int(countdown_ms)}, credentials, retry="always")
        return int(body.get("countdownTime", countdown_ms)) if isinstance(body, dict) else int(countdown_ms)

    # --- algo (conditional) orders ------------------------------------------------------

    async def new_algo_order(self, credentials: Credentials, *, symbol: str, side: str, type: str,
                             trigger_price=None, quantity=None, price=None, position_side: str | None = None,
                             time_in_force: str | None = None, working_type: str | None = None,
                             reduce_only: bool | None = None, close_position: bool | None = None,
                             price_protect: bool | None = None, client_algo_id: str,
                             recv_window_ms: int = DEFAULT_RECV_WINDOW_MS, timestamp_ms: int | None = None) -> AlgoOrder:
        """POST /fapi/v1/algoOrder (algoType CONDITIONAL), sent once like `new_order`."""
        params: dict[str, Any] = {"algoType": "CONDITIONAL", "symbol": symbol, "side": side}
        params.update(_optional(positionSide=position_side))
        params["type"] = type
        params.update(_optional(
            timeInForce=time_in_force, quantity=None if quantity is None else decimal_text(quantity),
            price=None if price is None else decimal_text(price),
            triggerPrice=None if trigger_price is None else decimal_text(trigger_price), workingType=working_type,
            reduceOnly=reduce_only, closePosition=close_position, priceProtect=price_protect))
        params["clientAlgoId"] = client_algo_id
        path = self._path("v1", "algoOrder")
        raw = await self._client.request("POST", path, params, credentials=credentials, retry="never",
                                         recv_window_ms=recv_window_ms, timestamp_ms=timestamp_ms)
        return algo_decode(raw, path)

    async def query_algo_order(self, credentials: Credentials, *, algo_id: int | None = None,
                               client_algo_id: str | None = None) -> AlgoOrder:
        path = self._path("v1", "algoOrder")
        params = _optional(algoId=algo_id, clientAlgoId=client_algo_id if algo_id is None else None)
        return algo_decode(await self._client.request("GET", path, params, credentials=credentials), path)

    async def cancel_algo_order(self, credentials: Credentials, *, algo_id: int | None = None,
                                client_algo_id: str | None = None) -> int:
        """DELETE /fapi/v1/algoOrder; returns the algo id. Unknown or no longer open: OrderNotFoundError."""
        if algo_id is None and client_algo_id is None:
            raise ValueError("give algo_id or client_algo_id")
        params = _optional(algoId=algo_id, clientAlgoId=client_algo_id if algo_id is None else None)
        body = await self._call("DELETE", self._path("v1", "algoOrder"), params, credentials)
        return int(body["algoId"])

    async def open_algo_orders(self, credentials: Credentials, symbol: str | None = None) -> list[AlgoOrder]:
        path = self._path("v1", "openAlgoOrders")
        raw = await self._client.request("GET", path, _optional(symbol=symbol), credentials=credentials)
        return algos_decode(raw, path)

    async def cancel_all_algo_orders(self, credentials: Credentials, *, symbol: str) -> None:
        await self._call("DELETE", self._path("v1", "algoOpenOrders"), {"symbol": symbol}, credentials)

    # --- account configuration ------------------------------------------------------------

    async def position_mode(self, credentials: Credentials) -> bool:
        """True in Hedge Mode (dualSidePosition), False in One-way Mode."""
        body = await self._call("GET", self._path("v1", "positionSide/dual"), None, credentials)
        return body.get("dualSidePosition") is True

    async def position_mode_set(self, credentials: Credentials, *, hedge: bool) -> None:
        """-4059 no change needed, -4067 open orders, -4068 open position: PermanentError with that code."""
        await self._call("POST", self._path("v1", "positionSide/dual"), {"dualSidePosition": hedge}, credentials)

    async def leverage_set(self, credentials: Credentials, *, symbol: str, leverage: int) -> int:
        body = await self._call("POST", self._path("v1", "leverage"), {"symbol": symbol, "leverage": int(leverage)},
                                credentials)
        return int(body["leverage"])

    async def margin_type_set(self, credentials: Credentials, *, symbol: str, margin_type: str) -> None:
        """`margin_type`: "cross"/"CROSSED" or "isolated"/"ISOLATED" (-4046: already that type)."""
        value = MARGIN_TYPES.get(margin_type.lower(), margin_type.upper())
        await self._call("POST", self._path("v1", "marginType"), {"symbol": symbol, "marginType": value}, credentials)

    # --- account state ---------------------------------------------------------------

    async def position_risk(self, credentials: Credentials, symbol: str | None = None) -> list[PositionRisk]:
        """GET /fapi/v2/positionRisk (v2 carries leverage and margin type): every symbol, one BOTH
        row in One-way Mode, BOTH + LONG + SHORT rows in Hedge Mode; zero rows included."""
        path = self._path("v2", "positionRisk")
        raw = await self._client.request("GET", path, _optional(symbol=symbol), credentials=credentials)
        return position_risk_decode(raw, path)

    async def account(self, credentials: Credentials) -> Account:
        path = self._path("v2", "account")
        return account_decode(await self._client.request("GET", path, None, credentials=credentials), path)

    async def balances(self, credentials: Credentials) -> list[Balance]:
        path = self._path("v2", "balance")
        return balances_decode(await self._client.request("GET", path, None, credentials=credentials), path)

    async def user_trades(self, credentials: Credentials, *, symbol: str, from_id: int | None = None,
                          start_ms: int | None = None, end_ms: int | None = None, limit: int = 1000,
                          order_id: int | None = None) -> list[UserTrade]:
        """Trades of `symbol` from trade id `from_id` on (inclusive; not with times), or within
        [start_ms, end_ms] (<= 7 days; neither: the last 7 days), oldest first, at most `limit`."""
        path = self._path("v1", "userTrades")
        params = {"symbol": symbol, **_optional(orderId=order_id, fromId=from_id, startTime=start_ms, endTime=end_ms),
                  "limit": limit}
        return user_trades_decode(await self._client.request("GET", path, params, credentials=credentials), path)

    async def income(self, credentials: Credentials, *, symbol: str | None = None, income_type: str | None = None,
                     start_ms: int | None = None, end_ms: int | None = None, limit: int = 1000) -> list[IncomeRow]:
        path = self._path("v1", "income")
        params = {**_optional(symbol=symbol, incomeType=income_type, startTime=start_ms, endTime=end_ms), "limit": limit}
        return income_decode(await self._client.request("GET", path, params, credentials=credentials), path)

    # --- user data stream keys (USER_STREAM: the API key only, no signature) --------------------

    async def listen_key_create(self, credentials: Credentials) -> str:
        """The account's live listen key (extended 60 min), or a new one."""
        body = await self._call("POST", self._path("v1", "listenKey"), None, credentials, signed=False, retry="always")
        return str(body["listenKey"])

    async def listen_key_keepalive(self, credentials: Credentials) -> None:
        """Extend the live key 60 minutes; none alive: PermanentError -1125 (create a new one)."""
        await self._call("PUT", self._path("v1", "listenKey"), None, credentials, signed=False, retry="always")

    async def listen_key_close(self, credentials: Credentials) -> None:
        await self._call("DELETE", self._path("v1", "listenKey"), None, credentials, signed=False, retry="always")

    # --- exchange filters ----------------------------------------------------------------

    async def exchange_filters(self, symbol: str, *, refresh: bool = False) -> SymbolFilters:
        """Filters of `symbol` from exchangeInfo, read once per client (again when `refresh`, or
        once more when the symbol is unknown: it may have been listed since). Unknown: -1121."""
        async with self._filters_lock:
            if self._filters is None or refresh or symbol not in self._filters:
                path = self._path("v1", "exchangeInfo")
                self._filters = symbol_filters_decode(await self._client.get(path), path)
        try:
            return self._filters[symbol]
        except KeyError:
            raise PermanentError("Invalid symbol.", code=-1121, path="exchangeInfo") from None
