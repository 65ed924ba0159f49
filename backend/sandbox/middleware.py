"""The gate every Binance route passes: forced bans, weight budget (429/418), injected faults,
Binance error bodies and the ``X-MBX-USED-WEIGHT-1M`` header. ``/sandbox/*`` control routes skip it.

Order per request: forced-ban fault -> weight charge (may answer 418/429) -> latency -> hang ->
injected 429 -> injected 5xx -> handler -> "after" faults (latency, then 5xx in place of the
handler's answer, then hang): the request was executed, its answer is late, replaced or lost. Routes under /api or /fapi that nobody registered a
weight for count 1 (and are logged once), so a forgotten registration cannot hide traffic.
"""
from __future__ import annotations

import asyncio
import logging
import math
import time

from aiohttp import web

from . import errors
from .errors import BinanceError
from .weights import market_of, weight_of

log = logging.getLogger(__name__)
WEIGHT_HEADER = "X-MBX-USED-WEIGHT-1M"
_warned: set[str] = set()


def _unmatched(request: web.Request) -> web.Response | None:
    """Binance answers unknown paths with a bare 404 (and wrong methods with 405)."""
    exc = request.match_info.http_exception
    if exc is None:
        return None
    return web.Response(status=exc.status)


async def _guarded(request: web.Request, handler, market: str) -> tuple[web.StreamResponse, str]:
    app = request.app
    faults, limiter = app["faults"], app["limiters"][market]
    ip = request.remote or "unknown"
    plan = faults.plan(request.path)
    try:
        if plan.ban_seconds:
            until = int((time.time() + plan.ban_seconds) * 1000)
            raise errors.banned(market, until, math.ceil(plan.ban_seconds))
        weight = weight_of(request)
        if weight is None:
            if request.path not in _warned:
                _warned.add(request.path)
                log.warning("no weight registered for %s %s; counting 1", request.method, request.path)
            weight = 1
        limiter.charge(ip, weight)
        if plan.delay:
            await asyncio.sleep(plan.delay)
        if plan.hang:
            await faults.hang()
        if plan.rate_limit is not None and plan.order_rate_limit:
            raise errors.too_many_orders(plan.rate_limit)
        if plan.rate_limit is not None:
            raise errors.too_many_requests(market, limiter.budget, plan.rate_limit)
        if plan.error_status is not None:
            raise errors.server_error(plan.error_status)
        response = await handler(request)
    except BinanceError as exc:
        response = exc.response()
    if plan.acts_after:
        response = await _after(faults, plan, response)
    return response, ip


async def _after(faults, plan, response: web.StreamResponse) -> web.StreamResponse:
    """Faults that act once the request has been executed: its answer is late, replaced or lost."""
    if plan.after_delay:
        await asyncio.sleep(plan.after_delay)
    if plan.after_error_status is not None:
        response = errors.server_error(plan.after_error_status, executed=True).response()
    if plan.after_hang:
        await faults.hang()
    return response


@web.middleware
async def binance_gate(request: web.Request, handler):
    path = request.path
    if path.startswith("/sandbox/"):
        return await handler(request)
    unmatched = _unmatched(request)
    if unmatched is not None:
        return unmatched
    market = market_of(path)
    if market is None:  # WebSocket endpoints: their limits live in sandbox.streams
        return await handler(request)
    response, ip = await _guarded(request, handler, market)
    if not response.prepared:
        response.headers[WEIGHT_HEADER] = str(request.app["limiters"][market].used(ip))
    return response
