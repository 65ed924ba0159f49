"""The gate every Binance route passes: forced bans, weight budget (429/418), injected faults,
Binance error bodies and the ``X-MBX-USED-WEIGHT-1M`` header. ``/sandbox/*`` control routes skip it.

Order per request: forced-ban fault -> weight charge (may answer 418/429) -> latency -> hang ->
injected 429 -> injected 5xx -> handler -> "after" faults (latency, then 5xx in place of the
handler's answer, then hang): the request was executed, its answer is late, replaced or lost.
A request held by a (before) latency fault is on its way to the exchange: it is executed even when
the client gives up meanwhile (shielded from aiohttp's handler cancellation), as a request that
left cannot be called back; a (before) hang never reaches the handler. Routes under /api or /fapi that nobody registered a
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
_in_flight: set[asyncio.Task] = set()  # delayed requests still to execute after their client left


def _unmatched(request: web.Request) -> web.Response | None:
    """Binance answers unknown paths with a bare 404 (and wrong methods with 405)."""
    exc = request.match_info.http_exception
    if exc is None:
        return None
    return web.Response(status=exc.status)


async def _guarded(request: web.Request, handler, market: str, plan) -> tuple[web.StreamResponse, str]:
    app = request.app
    faults, limiter = app["faults"], app["limiters"][market]
    ip = request.remote or "unknown"
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
            if request.body_exists:
                await request.read()  # the whole request left the client before the delay
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


async def _executed_anyway(coro):
    """Run a delayed request to its end even if the client disconnects (the caller is cancelled)."""
    task = asyncio.ensure_future(coro)
    _in_flight.add(task)
    task.add_done_callback(_in_flight.discard)
    return await asyncio.shield(task)


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
    plan = request.app["faults"].plan(request.path)
    if plan.delay:
        response, ip = await _executed_anyway(_guarded(request, handler, market, plan))
    else:
        response, ip = await _guarded(request, handler, market, plan)
    if not response.prepared:
        response.headers[WEIGHT_HEADER] = str(request.app["limiters"][market].used(ip))
    return response
