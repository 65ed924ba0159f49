"""Order endpoints: new / query / cancel (single and batch), open orders, history, trades."""

from __future__ import annotations

import orjson
from aiohttp import web

from . import errors
from .edge import (COUNTDOWNS, ENGINE, ORDER_COUNTS, answer, limit_param, order_lookup, signed, time_range)
from .engine import Engine
from .errors import BinanceError, err
from .params import Params
from .payloads import order_json, trade_json
from .validation import parse_new_order

MAX_BATCH_PLACE = 5
MAX_BATCH_CANCEL = 10


def _place(engine: Engine, account: str, p: Params) -> dict:
    rules = engine.rules(p.string("symbol", required=True))
    req = parse_new_order(p, rules, dual_side=engine.account(account).dual_side, now_ms=engine.now())
    accepted, final = engine.place(account, req)
    return order_json(final if req.response_type == "RESULT" else accepted, rules, "new")


async def new_order(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine, account = request.app[ENGINE], auth.key.api_key
    engine.rules(auth.params.string("symbol", required=True))
    counts = request.app[ORDER_COUNTS].hit(account)
    return answer(_place(engine, account, auth.params), headers=counts)


def _json_list(p: Params, name: str, maximum: int) -> list | None:
    raw = p.string(name) or p.string(name.lower())  # ccxt sends the list names in lower case
    if raw is None:
        return None
    try:
        items = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise errors.invalid_value(name) from None
    if not isinstance(items, list) or not items:
        raise errors.invalid_value(name)
    if len(items) > maximum:
        raise BinanceError(-4082, f"Invalid number of batch place orders: {len(items)}")
    return items


def _as_params(item) -> Params:
    if not isinstance(item, dict):
        raise errors.invalid_value("batchOrders")
    return Params({k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in item.items()})


async def place_batch(request: web.Request) -> web.Response:
    """POST /fapi/v1/batchOrders: each order answered in list order, refusals as {"code", "msg"}."""
    auth = await signed(request)
    engine, account = request.app[ENGINE], auth.key.api_key
    items = _json_list(auth.params, "batchOrders", MAX_BATCH_PLACE)
    if items is None:
        raise errors.mandatory_missing("batchOrders")
    batch = [_as_params(item) for item in items]
    counts = request.app[ORDER_COUNTS].hit(account, {"10S": 5, "1M": 1})
    out = []
    for p in batch:
        try:
            out.append(_place(engine, account, p))
        except BinanceError as exc:
            out.append({"code": exc.code, "msg": exc.msg})
    return answer(out, headers=counts)


async def cancel_batch(request: web.Request) -> web.Response:
    """DELETE /fapi/v1/batchOrders: orderIdList or origClientOrderIdList (JSON lists, at most 10)."""
    auth = await signed(request)
    engine, p = request.app[ENGINE], auth.params
    rules = engine.rules(p.string("symbol", required=True))
    ids = _json_list(p, "orderIdList", MAX_BATCH_CANCEL)
    client_ids = _json_list(p, "origClientOrderIdList", MAX_BATCH_CANCEL)
    if ids is None and client_ids is None:
        raise errors.either_missing("orderIdList", "origClientOrderIdList")
    targets = [(i, None) for i in ids] if ids is not None else [(None, str(c)) for c in client_ids]
    out = []
    for order_id, client_id in targets:
        try:
            if order_id is not None and not isinstance(order_id, int):
                raise errors.invalid_value("orderIdList")
            order = engine.cancel(auth.key.api_key, rules.symbol, order_id, client_id)
            out.append(order_json(order, rules, "cancel"))
        except BinanceError as exc:
            out.append({"code": exc.code, "msg": exc.msg})
    return answer(out)


async def query_order(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    rules = engine.rules(auth.params.string("symbol", required=True))
    order = engine.find(auth.key.api_key, rules.symbol, *order_lookup(auth.params))
    return answer(order_json(order, rules, "query"))


async def query_open_order(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    rules = engine.rules(auth.params.string("symbol", required=True))
    order = engine.find(auth.key.api_key, rules.symbol, *order_lookup(auth.params))
    if not order.is_open:
        raise err(errors.NO_SUCH_ORDER)
    return answer(order_json(order, rules, "query"))


async def cancel_order(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    rules = engine.rules(auth.params.string("symbol", required=True))
    order = engine.cancel(auth.key.api_key, rules.symbol, *order_lookup(auth.params))
    return answer(order_json(order, rules, "cancel"))


async def cancel_all(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    rules = engine.rules(auth.params.string("symbol", required=True))
    engine.cancel_all(auth.key.api_key, rules.symbol)
    return answer({"code": 200, "msg": "The operation of cancel all open order is done."})


async def countdown_cancel_all(request: web.Request) -> web.Response:
    """POST /fapi/v1/countdownCancelAll: (re)start the symbol's auto-cancel timer; 0 stops it."""
    auth = await signed(request)
    engine = request.app[ENGINE]
    rules = engine.rules(auth.params.string("symbol", required=True))
    countdown = auth.params.long("countdownTime", required=True)
    engine.account(auth.key.api_key)
    request.app[COUNTDOWNS].set(auth.key.api_key, rules.symbol, countdown)
    return answer({"symbol": rules.symbol, "countdownTime": str(countdown)})


async def open_orders(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    symbol = auth.params.string("symbol")
    if symbol is not None:
        engine.rules(symbol)
    return answer([order_json(o, engine.rules(o.symbol), "query")
                   for o in engine.open_orders(auth.key.api_key, symbol)])


async def all_orders(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine, p = request.app[ENGINE], auth.params
    rules = engine.rules(p.string("symbol", required=True))
    engine.account(auth.key.api_key)
    orders = [o for o in engine.orders[auth.key.api_key].values() if o.symbol == rules.symbol]
    from_id, limit = p.long("orderId"), limit_param(p)
    if from_id is not None:
        orders = [o for o in orders if o.order_id >= from_id][:limit]
    else:
        if p.has("startTime") or p.has("endTime"):
            start, end = time_range(p, engine.now())
            orders = [o for o in orders if start <= o.time <= end]
        orders = orders[-limit:]
    return answer([order_json(o, rules, "query") for o in orders])


async def user_trades(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine, p = request.app[ENGINE], auth.params
    rules = engine.rules(p.string("symbol", required=True))
    engine.account(auth.key.api_key)
    trades = [t for t in engine.trades[auth.key.api_key] if t.symbol == rules.symbol]
    order_id, from_id, limit = p.long("orderId"), p.long("fromId"), limit_param(p)
    if order_id is not None:
        trades = [t for t in trades if t.order_id == order_id]
    if from_id is not None:
        if p.has("startTime") or p.has("endTime"):
            raise BinanceError(-1128, "Combination of optional parameters invalid.")
        trades = [t for t in trades if t.id >= from_id][:limit]
    else:
        start, end = time_range(p, engine.now())
        trades = [t for t in trades if start <= t.time <= end][-limit:]
    return answer([trade_json(t) for t in trades])
