"""Shared pieces of the trading HTTP edge: app keys, authentication, JSON answers, order counts.

Refusals are raised as `BinanceError`, which the sandbox middleware (sandbox/middleware.py)
renders as Binance's 4xx body, so handlers never build error responses themselves.
"""

from __future__ import annotations

import time
from collections import deque

import orjson
from aiohttp import web

from ..keys import KeyStore
from . import errors
from .countdown import Countdowns
from .engine import Engine
from .errors import BinanceError, json_response
from .params import Params
from .signing import SignedRequest, verify_key_only, verify_signed

ENGINE = web.AppKey("trading_engine", Engine)
KEYS = web.AppKey("trading_keys", KeyStore)
ORDER_COUNTS = web.AppKey("trading_order_counts", object)
COUNTDOWNS = web.AppKey("trading_countdowns", Countdowns)
SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000
# USD-M ORDERS limits (exchangeInfo rateLimits), counted per account.
ORDER_LIMITS = (("10S", 10_000, 300), ("1M", 60_000, 1200))


def answer(body, headers: dict | None = None) -> web.Response:
    return json_response(orjson.dumps(body), headers=headers)


async def _body(request: web.Request) -> str:
    """The raw form body (as signed); bytes that are not UTF-8 are refused, not a 500."""
    if request.method not in ("POST", "PUT", "DELETE") or not request.body_exists:
        return ""
    try:
        return (await request.read()).decode("utf-8")
    except UnicodeDecodeError:
        raise BinanceError(-1100, "Illegal characters found in a parameter.") from None


async def signed(request: web.Request) -> SignedRequest:
    """A SIGNED (TRADE / USER_DATA) request, checked against the replay clock and the wall clock."""
    engine = request.app[ENGINE]
    return verify_signed(
        request.app[KEYS], api_key=request.headers.get("X-MBX-APIKEY"),
        raw_query=request.rel_url.raw_query_string, raw_body=await _body(request),
        clocks=(engine.now(), time.time_ns() // 1_000_000),
    )


async def key_only(request: web.Request) -> SignedRequest:
    """A USER_STREAM request: the API key is enough."""
    return verify_key_only(request.app[KEYS], api_key=request.headers.get("X-MBX-APIKEY"),
                           raw_query=request.rel_url.raw_query_string, raw_body=await _body(request))


class OrderCounter:
    """Per-account order counts for the X-MBX-ORDER-COUNT-10S / -1M headers and the ORDERS limits.

    A batch counts 5 on the 10-second counter and 1 on the minute counter, as documented. Counted
    in wall-clock time like the IP weights: a paused replay clock must not turn a test's few
    hundred orders into "300 in 10 seconds".
    """

    def __init__(self):
        self._hits: dict[str, deque[tuple[int, dict[str, int]]]] = {}

    def hit(self, account_id: str, weights: dict[str, int] | None = None, now: int | None = None) -> dict[str, str]:
        weights = weights or {"10S": 1, "1M": 1}
        now = time.monotonic_ns() // 1_000_000 if now is None else now
        hits = self._hits.setdefault(account_id, deque())
        horizon = max(window for _, window, _ in ORDER_LIMITS)
        while hits and hits[0][0] <= now - horizon:
            hits.popleft()

        def used(label: str, window: int) -> int:
            return sum(w[label] for t, w in hits if t > now - window)

        for label, window, limit in ORDER_LIMITS:
            if used(label, window) + weights[label] > limit:
                unit = "10 SECOND" if label == "10S" else "MINUTE"
                raise BinanceError(-1015, f"Too many new orders; current limit is {limit} orders per {unit}.",
                                   status=429)
        hits.append((now, weights))
        return {f"X-MBX-ORDER-COUNT-{label}": str(used(label, window)) for label, window, _ in ORDER_LIMITS}


# -- shared parameter readers ---------------------------------------------------------------------

def order_lookup(p: Params) -> tuple[int | None, str | None]:
    order_id, client_id = p.long("orderId"), p.string("origClientOrderId")
    if order_id is None and client_id is None:
        raise errors.either_missing("origClientOrderId", "orderId")
    return order_id, client_id


def limit_param(p: Params, default: int = 500, maximum: int = 1000) -> int:
    limit = p.long("limit")
    if limit is None:
        return default
    if not 1 <= limit <= maximum:
        raise errors.invalid_value("limit")
    return limit


def time_range(p: Params, now: int) -> tuple[int, int]:
    """startTime/endTime: at most 7 days apart; neither sent = the last 7 days."""
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
