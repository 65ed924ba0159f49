"""HTTP edge of USD-M trading: authenticate, read parameters, call the engine, answer in Binance's shape.

Handlers stay thin; rules live in validation.py / engine.py / execution.py. Refusals are raised as
`BinanceError`, which the sandbox middleware (sandbox/middleware.py) renders as Binance's 4xx body.
"""

from __future__ import annotations

import time
from collections import deque

import orjson
from aiohttp import web

from ..keys import KeyStore
from . import account_payloads as views
from . import errors
from .brackets import as_json as bracket_json
from .engine import Engine
from .errors import BinanceError, err, json_response
from .params import Params
from .payloads import order_json, trade_json
from .signing import SignedRequest, verify_key_only, verify_signed
from .user_stream import UserStreams
from .validation import parse_new_order


ENGINE = web.AppKey("trading_engine", Engine)
KEYS = web.AppKey("trading_keys", KeyStore)
ORDER_COUNTS = web.AppKey("trading_order_counts", object)
SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000
# USD-M ORDERS limits (exchangeInfo rateLimits): per account.
ORDER_LIMITS = (("10S", 10_000, 300), ("1M", 60_000, 1200))


def _json(body, headers: dict | None = None) -> web.Response:
    return json_response(orjson.dumps(body), headers=headers)


async def _body(request: web.Request) -> str:
    if request.method in ("POST", "PUT", "DELETE") and request.can_read_body:
        return await request.text()
    return ""


async def signed(request: web.Request) -> SignedRequest:
    engine = request.app[ENGINE]
    return verify_signed(
        request.app[KEYS], api_key=request.headers.get("X-MBX-APIKEY"),
        raw_query=request.rel_url.raw_query_string, raw_body=await _body(request),
        clocks=(engine.now(), time.time_ns() // 1_000_000),
    )


class OrderCounter:
    """Per-account order counts for the X-MBX-ORDER-COUNT-10S / -1M headers and the ORDERS limits."""

    def __init__(self):
        self._times: dict[str, deque[int]] = {}

    def hit(self, account_id: str, now: int) -> dict[str, str]:
        times = self._times.setdefault(account_id, deque())
        horizon = max(window for _, window, _ in ORDER_LIMITS)
        while times and times[0] <= now - horizon:
            times.popleft()
        for label, window, limit in ORDER_LIMITS:
            if sum(1 for t in times if t > now - window) >= limit:
                raise BinanceError(-1015, f"Too many new orders; current limit is {limit} orders per "
                                          f"{'10 SECOND' if label == '10S' else 'MINUTE'}.", status=429)
        times.append(now)
        return {f"X-MBX-ORDER-COUNT-{label}": str(sum(1 for t in times if t > now - window))
                for label, window, _ in ORDER_LIMITS}


# -- orders ----------------------------------------------------------------------------------------

def _lookup(p: Params) -> tuple[int | None, str | None]:
    order_id, client_id = p.long("orderId"), p.string("origClientOrderId")
    if order_id is None and client_id is None:
        raise errors.either_missing("origClientOrderId", "orderId")
    return order_id, client_id


async def new_order(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine, account = request.app[ENGINE], auth.key.api_key
    rules = engine.rules(auth.params.string("symbol", required=True))
    req = parse_new_order(auth.params, rules, dual_side=engine.account(account).dual_side, now_ms=engine.now())
    counts = request.app[ORDER_COUNTS].hit(account, engine.now())
    accepted, final = engine.place(account, req)
    shown = final if req.response_type == "RESULT" else accepted
    return _json(order_json(shown, rules, "new"), headers=counts)


async def query_order(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    rules = engine.rules(auth.params.string("symbol", required=True))
    order = engine.find(auth.key.api_key, rules.symbol, *_lookup(auth.params))
    return _json(order_json(order, rules, "query"))


async def query_open_order(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    rules = engine.rules(auth.params.string("symbol", required=True))
    order = engine.find(auth.key.api_key, rules.symbol, *_lookup(auth.params))
    if not order.is_open:
        raise err(errors.NO_SUCH_ORDER)
    return _json(order_json(order, rules, "query"))


async def cancel_order(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    rules = engine.rules(auth.params.string("symbol", required=True))
    order = engine.cancel(auth.key.api_key, rules.symbol, *_lookup(auth.params))
    return _json(order_json(order, rules, "cancel"))


async def cancel_all(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    rules = engine.rules(auth.params.string("symbol", required=True))
    engine.cancel_all(auth.key.api_key, rules.symbol)
    return _json({"code": 200, "msg": "The operation of cancel all open order is done."})


async def open_orders(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    symbol = auth.params.string("symbol")
    if symbol is not None:
        engine.rules(symbol)
    return _json([order_json(o, engine.rules(o.symbol), "query")
                  for o in engine.open_orders(auth.key.api_key, symbol)])


def _limit(p: Params) -> int:
    limit = p.long("limit")
    if limit is None:
        return 500
    if not 1 <= limit <= 1000:
        raise errors.invalid_value("limit")
    return limit


def _time_range(p: Params, now: int) -> tuple[int, int]:
    start, end = p.long("startTime"), p.long("endTime")
    if start is not None and end is not None and start > end:
        raise BinanceError(-1023, "Start time is greater than end time.")
    if start is None and end is None:
        return now - SEVEN_DAYS_MS, now
    start = end - SEVEN_DAYS_MS if start is None else start
    end = start + SEVEN_DAYS_MS if end is None else end
    if end - start > SEVEN_DAYS_MS:
        raise BinanceError(-1127, "More than 168 hours between startTime and endTime.")
    return start, end


async def all_orders(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    p = auth.params
    rules = engine.rules(p.string("symbol", required=True))
    engine.account(auth.key.api_key)
    orders = [o for o in engine.orders[auth.key.api_key].values() if o.symbol == rules.symbol]
    from_id, limit = p.long("orderId"), _limit(p)
    if from_id is not None:
        orders = [o for o in orders if o.order_id >= from_id][:limit]
    else:
        if p.has("startTime") or p.has("endTime"):
            start, end = _time_range(p, engine.now())
            orders = [o for o in orders if start <= o.time <= end]
        orders = orders[-limit:]
    return _json([order_json(o, rules, "query") for o in orders])


async def user_trades(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    p = auth.params
    rules = engine.rules(p.string("symbol", required=True))
    engine.account(auth.key.api_key)
    trades = [t for t in engine.trades[auth.key.api_key] if t.symbol == rules.symbol]
    order_id, from_id, limit = p.long("orderId"), p.long("fromId"), _limit(p)
    if order_id is not None:
        trades = [t for t in trades if t.order_id == order_id]
    if from_id is not None:
        if p.has("startTime") or p.has("endTime"):
            raise BinanceError(-1128, "Combination of optional parameters invalid.")
        trades = [t for t in trades if t.id >= from_id][:limit]
    else:
        start, end = _time_range(p, engine.now())
        trades = [t for t in trades if start <= t.time <= end][-limit:]
    return _json([trade_json(t) for t in trades])


# -- account configuration -------------------------------------------------------------------

async def get_position_mode(request: web.Request) -> web.Response:
    auth = await signed(request)
    return _json({"dualSidePosition": request.app[ENGINE].account(auth.key.api_key).dual_side})


async def set_position_mode(request: web.Request) -> web.Response:
    auth = await signed(request)
    if not auth.params.has("dualSidePosition"):
        raise errors.mandatory_missing("dualSidePosition")
    request.app[ENGINE].set_dual_side(auth.key.api_key, auth.params.boolean("dualSidePosition"))
    return _json({"code": 200, "msg": "success"})


async def set_leverage(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    rules = engine.rules(auth.params.string("symbol", required=True))
    engine.set_leverage(auth.key.api_key, rules.symbol, auth.params.long("leverage", required=True))
    return _json(views.leverage_answer(engine, auth.key.api_key, rules.symbol))


async def set_margin_type(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    rules = engine.rules(auth.params.string("symbol", required=True))
    margin_type = auth.params.string("marginType", required=True).upper()
    if margin_type not in ("ISOLATED", "CROSSED"):
        raise errors.invalid_value("marginType")
    engine.set_margin_type(auth.key.api_key, rules.symbol, margin_type)
    return _json({"code": 200, "msg": "success"})


async def leverage_brackets(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    symbol = auth.params.string("symbol")
    if symbol is not None:
        return _json(bracket_json(engine.rules(symbol).symbol))
    return _json([bracket_json(s) for s in sorted(engine.market.symbols())])


# -- account, balance, positions ---------------------------------------------------------------

def _account_view(render, *, with_symbol: bool):
    async def handler(request: web.Request) -> web.Response:
        auth = await signed(request)
        engine = request.app[ENGINE]
        if with_symbol:
            return _json(render(engine, auth.key.api_key, auth.params.string("symbol")))
        return _json(render(engine, auth.key.api_key))

    handler.__name__ = render.__name__
    return handler


# -- user data stream keys ------------------------------------------------------------------

def _streams(request: web.Request) -> UserStreams:
    return request.app["user_streams"]


async def _stream_account(request: web.Request) -> str:
    auth = verify_key_only(request.app[KEYS], api_key=request.headers.get("X-MBX-APIKEY"),
                           raw_query=request.rel_url.raw_query_string, raw_body=await _body(request))
    request.app[ENGINE].account(auth.key.api_key)
    return auth.key.api_key


async def listen_key_start(request: web.Request) -> web.Response:
    return _json({"listenKey": _streams(request).start(await _stream_account(request))})


async def listen_key_keepalive(request: web.Request) -> web.Response:
    return _json({"listenKey": _streams(request).keepalive(await _stream_account(request))})


async def listen_key_close(request: web.Request) -> web.Response:
    await _streams(request).close(await _stream_account(request))
    return _json({})


ROUTES = [
    # (method, path, handler, IP weight per the docs; a callable gets the request)
    ("POST", "/fapi/v1/order", new_order, 0),
    ("GET", "/fapi/v1/order", query_order, 1),
    ("DELETE", "/fapi/v1/order", cancel_order, 1),
    ("GET", "/fapi/v1/openOrder", query_open_order, 1),
    ("GET", "/fapi/v1/openOrders", open_orders, lambda request: 1 if request.query.get("symbol") else 40),
    ("DELETE", "/fapi/v1/allOpenOrders", cancel_all, 1),
    ("GET", "/fapi/v1/allOrders", all_orders, 5),
    ("GET", "/fapi/v1/userTrades", user_trades, 5),
    ("GET", "/fapi/v1/positionSide/dual", get_position_mode, 30),
    ("POST", "/fapi/v1/positionSide/dual", set_position_mode, 1),
    ("POST", "/fapi/v1/leverage", set_leverage, 1),
    ("POST", "/fapi/v1/marginType", set_margin_type, 1),
    ("GET", "/fapi/v1/leverageBracket", leverage_brackets, 1),
    ("GET", "/fapi/v2/positionRisk", _account_view(views.position_risk_v2, with_symbol=True), 5),
    ("GET", "/fapi/v3/positionRisk", _account_view(views.position_risk_v3, with_symbol=True), 5),
    ("GET", "/fapi/v2/account", _account_view(views.account_v2, with_symbol=False), 5),
    ("GET", "/fapi/v3/account", _account_view(views.account_v3, with_symbol=False), 5),
    ("GET", "/fapi/v2/balance", _account_view(views.balance_v2, with_symbol=False), 5),
    ("GET", "/fapi/v3/balance", _account_view(views.balance_v2, with_symbol=False), 5),
    ("POST", "/fapi/v1/listenKey", listen_key_start, 1),
    ("PUT", "/fapi/v1/listenKey", listen_key_keepalive, 1),
    ("DELETE", "/fapi/v1/listenKey", listen_key_close, 1),
]
