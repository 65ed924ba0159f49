"""Algo order endpoints (conditional orders through Binance's Algo Order service); see algo.py."""

from __future__ import annotations

from aiohttp import web

from . import errors
from .algo import algo_json, algo_query_json, parse_algo
from .edge import ENGINE, ORDER_COUNTS, answer, limit_param, signed, time_range
from .params import Params


def _lookup(p: Params) -> tuple[int | None, str | None]:
    algo_id, client_id = p.long("algoId"), p.string("clientAlgoId")
    if algo_id is None and client_id is None:
        raise errors.either_missing("algoId", "clientAlgoId")
    return algo_id, client_id


async def new_algo_order(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine, account = request.app[ENGINE], auth.key.api_key
    rules = engine.rules(auth.params.string("symbol", required=True))
    req = parse_algo(auth.params, rules, dual_side=engine.account(account).dual_side, now_ms=engine.now())
    counts = request.app[ORDER_COUNTS].hit(account)
    return answer(algo_json(engine.algos.place(account, req), rules), headers=counts)


async def cancel_algo_order(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    algo = engine.algos.cancel(auth.key.api_key, *_lookup(auth.params))
    return answer({"algoId": algo.algo_id, "clientAlgoId": algo.client_algo_id, "code": "200", "msg": "success"})


async def query_algo_order(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    algo = engine.algos.find(auth.key.api_key, *_lookup(auth.params))
    return answer(algo_query_json(engine, algo))


async def open_algo_orders(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    symbol = auth.params.string("symbol")
    if symbol is not None:
        engine.rules(symbol)
    return answer([algo_query_json(engine, a) for a in engine.algos.open(auth.key.api_key, symbol)])


async def all_algo_orders(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine, p = request.app[ENGINE], auth.params
    rules = engine.rules(p.string("symbol", required=True))
    algos = [a for a in engine.algos.algos.get(auth.key.api_key, {}).values() if a.req.symbol == rules.symbol]
    from_id, limit = p.long("algoId"), limit_param(p, default=100, maximum=1000)
    if from_id is not None:
        algos = [a for a in algos if a.algo_id >= from_id][:limit]
    else:
        if p.has("startTime") or p.has("endTime"):
            start, end = time_range(p, engine.now())
            algos = [a for a in algos if start <= a.create_time <= end]
        algos = algos[-limit:]
    return answer([algo_query_json(engine, a) for a in algos])


async def cancel_all_algo_orders(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    rules = engine.rules(auth.params.string("symbol", required=True))
    engine.algos.cancel_all(auth.key.api_key, rules.symbol)
    return answer({"code": 200, "msg": "The operation of cancel all open order is done."})
