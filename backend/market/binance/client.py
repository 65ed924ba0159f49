"""The async REST client: every Binance request of the platform goes through `BinanceClient.request`
(`get` for reads).

    async with BinanceClient.from_settings() as client:
        info = await client.market_data.exchange_info()
        candles = await client.market_data.klines_fetch_batch(symbols, "5m", 200)
        order = await client.trading.new_order(credentials, symbol="BTCUSDT", side="BUY", ...)

One client per process and event loop: it owns one aiohttp session (keep-alive connections
reused by every request), one governor connection and one concurrency limit. Each request:

1. reserves its weight in the shared governor (waits while over budget, banned or backing off),
   and an order write also its count in the account's order budget (`order_budget.py`);
2. is sent with a timeout (`ClientTimeout(total=...)`): a silent server becomes a TemporaryError;
3. reports `X-MBX-USED-WEIGHT-1M` back to the governor (and `X-MBX-ORDER-COUNT-*` to the order
   budget), and 429/418 to every process;
4. maps failures onto `errors.py` and goes through the one retry policy (`retry.py`).

How often a request may be sent (`retry=`):
* "always" (reads, default for GET): the retry policy's temporary failures, 429s and short bans.
* "unsent" (default for POST/PUT/DELETE): retried only when it certainly did not execute
  (`NotSentError`, 429, 418); anything that may have executed raises `ExecutionUnknownError`.
* "never" (order placement): one try. Before the request leaves, every failure (budget, ban,
  Redis, connection refused) is `NotSentError`; after, no definitive answer is
  `ExecutionUnknownError`; a 4xx with a code is `OrderRejectedError`.

SIGNED requests carry every parameter in the query string (Binance accepts POST/PUT/DELETE
parameters there), signed as sent.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
from redis.exceptions import RedisError
from yarl import URL

from common import metrics
from market.binance.account import AccountApi
from market.binance.errors import (
    AUTHENTICATION_CODES, ORDER_NOT_FOUND_CODES, TEMPORARY_CODES, TOO_MANY_ORDERS_CODE, AuthenticationError,
    BannedError, BinanceError, ExecutionUnknownError, NotSentError, OrderNotFoundError, OrderRejectedError,
    PermanentError, RateLimitedError, TemporaryError,
)
from market.binance.governor import WeightGovernor, WeightPool
from market.binance.market_data import MarketDataApi
from market.binance.order_budget import OrderBudget
from market.binance.retry import RetryPolicy, call_with_retries
from market.binance.schemas import error_body_decode, server_time_decode
from market.binance.signing import (
    API_KEY_HEADER, DEFAULT_RECV_WINDOW_MS, Credentials, local_ms, server_clock, signed_query,
)
from market.binance.trading import TradingApi
from market.binance.venues import Venue, venue_for
from market.binance.weights import order_count, request_weight

logger = logging.getLogger(__name__)
RetryMode = Literal["always", "unsent", "never"]

USED_WEIGHT_HEADER = "X-MBX-USED-WEIGHT-1M"
ORDER_COUNT_HEADERS = ("X-MBX-ORDER-COUNT-10S", "X-MBX-ORDER-COUNT-1M")
DEFAULT_RETRY_AFTER_429_S = 10.0
DEFAULT_RETRY_AFTER_418_S = 120.0  # bans start at 2 minutes


@dataclass
class ClientStats:
    requests: int = 0  # sent, retries included
    weight: int = 0  # reserved for them
    retries: int = 0
    rate_limited: int = 0
    banned: int = 0
    orders: int = 0  # order writes sent (each counts on the account's order limits)


class BinanceClient:
    def __init__(self, venue: Venue, governor: WeightGovernor, *, timeout_s: float = 10.0,
                 max_concurrency: int = 50, retry: RetryPolicy | None = None,
                 trace_configs: list[aiohttp.TraceConfig] | None = None) -> None:
        self.venue = venue
        self.governor = governor
        self.timeout_s = timeout_s
        self.max_concurrency = max_concurrency
        self.retry = retry or RetryPolicy()
        self.stats = ClientStats()
        self._session: aiohttp.ClientSession | None = None
        self._trace_configs = trace_configs
        self._limit = asyncio.Semaphore(max_concurrency)
        # The exchange's clock for SIGNED requests, shared by the clients of this process.
        self.clock = server_clock(venue.governor_scope, environment=venue.environment)
        # Order counts per API key, in the governor's Redis (one budget per key and venue host).
        self.orders = OrderBudget(governor.redis, scope=venue.governor_scope)
        self.market_data = MarketDataApi(self)
        self.account = AccountApi(self)
        self.trading = TradingApi(self)

    @classmethod
    def from_settings(cls, *, market: str | None = None, redis_url: str | None = None, venue: Venue | None = None,
                      **overrides: Any) -> BinanceClient:
        """A client configured from `settings.BINANCE` (environment, URLs, limits); `venue` picks
        another exchange than the platform's own (a user's account on testnet or live)."""
        from django.conf import settings

        conf = settings.BINANCE
        if venue is None:
            venue = venue_for(conf.env, market or conf.market, sandbox_url=conf.sandbox_url,
                              sandbox_ws_url=conf.sandbox_ws_url)
        governor = WeightGovernor(
            redis_url or settings.REDIS_URL, scope=venue.governor_scope, share=conf.weight_share_percent / 100,
            default_limit=2400 if venue.market == "usdm" else 6000, ban_max_wait_s=conf.ban_max_wait_s,
        )
        options: dict[str, Any] = {
            "timeout_s": conf.request_timeout_ms / 1000,
            "max_concurrency": conf.max_concurrency,
            "retry": RetryPolicy(attempts=conf.retry_attempts, base_s=conf.retry_base_ms / 1000,
                                 cap_s=conf.retry_cap_ms / 1000),
        }
        options.update(overrides)
        return cls(venue, governor, **options)

    async def __aenter__(self) -> BinanceClient:
        connector = aiohttp.TCPConnector(limit=self.max_concurrency, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=self.timeout_s),
            headers={"Accept": "application/json", "User-Agent": "binance-scanner/0.1"},
            trace_configs=self._trace_configs,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        await self.governor.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("BinanceClient used outside `async with`")
        return self._session

    async def get(self, path: str, params: dict[str, Any] | None = None, *, pool: WeightPool | None = None,
                  credentials: Credentials | None = None, recv_window_ms: int = DEFAULT_RECV_WINDOW_MS) -> bytes:
        """GET `path` with the governor, a timeout and the retry policy; returns the raw body of a 200.

        `pool`: weight already reserved for a batch (used by the first try only; retries
        reserve afresh). `credentials`: a SIGNED request (signing.py), signed afresh for each try
        with the exchange's clock, so a retry never carries a stale timestamp.
        """
        return await self.request("GET", path, params, pool=pool, credentials=credentials,
                                  recv_window_ms=recv_window_ms)

    async def request(self, method: str, path: str, params: dict[str, Any] | None = None, *,
                      credentials: Credentials | None = None, retry: RetryMode | None = None,
                      signed: bool = True, pool: WeightPool | None = None,
                      recv_window_ms: int = DEFAULT_RECV_WINDOW_MS, timestamp_ms: int | None = None) -> bytes:
        """Send `METHOD path` and return the raw body of a 200 (see the module docstring for `retry`).

        `credentials` with `signed=False`: the API key header only (USER_STREAM endpoints).
        `timestamp_ms`: the caller's own timestamp (an order whose deadline it has persisted);
        otherwise each try is stamped with the signing clock. A -1021 (refused: outside recvWindow)
        re-measures the exchange's clock and tries once more, except for order writes and requests
        with the caller's `timestamp_ms`, which only re-measure it for the next request.
        """
        retry = retry or ("always" if method == "GET" else "unsent")
        write = retry != "always"
        weight = request_weight(path, params, method)
        counts = order_count(method, path) if credentials is not None else None
        sign = credentials is not None and signed

        async def attempt(try_number: int) -> bytes:
            if try_number:
                self.stats.retries += 1
            try:
                if pool is not None and try_number == 0:
                    await pool.take(weight)
                else:
                    await self.governor.acquire(weight)
                if counts is not None:
                    await self.orders.reserve(credentials, counts)
            except (TemporaryError, BannedError) as exc:
                if retry != "never" or isinstance(exc, NotSentError):
                    raise
                raise NotSentError(f"not sent: {exc}", path=path) from exc
            async with self._limit:
                try:  # a 429/418 may have arrived while this request waited for a slot
                    await self.governor.wait_for_clearance()
                except BannedError as exc:
                    if retry != "never":
                        raise
                    raise NotSentError(f"not sent: {exc}", path=path) from exc
                headers = {API_KEY_HEADER: credentials.api_key} if credentials is not None else None
                query = None
                if sign:
                    stamp = timestamp_ms if timestamp_ms is not None else self.clock.now_ms()
                    query = signed_query(params, secret=credentials.secret, timestamp_ms=stamp,
                                         recv_window_ms=recv_window_ms)
                return await self._send(method, path, None if sign else params, weight, query=query,
                                        headers=headers, write=write, credentials=credentials, counts=counts)

        what = f"{method} {path}"
        if retry == "never":
            if sign:
                try:
                    await self.clock_sync()
                except BinanceError as exc:  # no clock, no order: it never left
                    raise NotSentError(f"not sent: the exchange's clock could not be read ({exc})",
                                       path=path) from exc
            return await attempt(0)
        if sign:
            await self.clock_sync()
        try:
            return await call_with_retries(attempt, self.retry, what=what, idempotent=not write)
        except AuthenticationError as exc:
            if not sign or exc.code != -1021 or timestamp_ms is not None:
                raise
        # -1021: our idea of the exchange's clock was off (the request was refused, so even a write
        # can go again). Measure the clock again and try once more.
        await self.clock_sync()
        return await call_with_retries(attempt, self.retry, what=what, idempotent=not write)

    async def clock_sync(self) -> None:
        """Measure the exchange's clock (`GET time`, weight 1) unless a recent measure exists."""
        if not self.clock.stale():
            return
        sent = local_ms()
        server_ms = server_time_decode(await self.get(self.venue.path("time")))
        self.clock.observe(server_ms, sent_ms=sent, received_ms=local_ms())

    async def _send(self, method: str, path: str, params: dict[str, Any] | None, weight: int, *,
                    query: str | None = None, headers: dict[str, str] | None = None, write: bool = False,
                    credentials: Credentials | None = None, counts: tuple[int, int] | None = None) -> bytes:
        self.stats.requests += 1
        self.stats.weight += weight
        if counts is not None:
            self.stats.orders += 1
        # A signed query goes out exactly as signed: yarl must not re-encode it.
        url = URL(f"{self.venue.rest_url}{path}?{query}", encoded=True) if query else self.venue.rest_url + path
        try:
            async with self.session.request(method, url, params=params, headers=headers) as response:
                body = await response.read()
                status, headers = response.status, response.headers
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            # The connection was never made: nothing of this request left.
            cls = NotSentError if write else TemporaryError
            raise cls(f"could not connect: {exc!r}", path=path) from None
        except asyncio.TimeoutError:
            cls = ExecutionUnknownError if write else TemporaryError
            raise cls(f"no response within {self.timeout_s} s", path=path) from None
        except aiohttp.ClientError as exc:
            cls = ExecutionUnknownError if write else TemporaryError
            raise cls(f"connection failed: {exc!r}", path=path) from None
        used = headers.get(USED_WEIGHT_HEADER)
        metrics.binance_response(venue=self.venue, status=status, weight=weight, used_weight=used)
        if used is not None and used.isdigit():
            self.governor.observe(int(used))
        if counts is not None:
            await self._observe_order_counts(credentials, headers)
        if status == 200:
            return body
        raise await self._error(status, headers, body, path, write=write, order=counts is not None,
                                credentials=credentials)

    async def _observe_order_counts(self, credentials: Credentials, headers: Any) -> None:
        values = [headers.get(name) for name in ORDER_COUNT_HEADERS]
        c10, c1m = (int(v) if v is not None and v.isdigit() else None for v in values)
        try:
            await self.orders.observe(credentials, c10, c1m)
        except RedisError as exc:  # the answer matters more than the count: keep it, say so
            logger.warning("order budget: could not record the order counts (%s)", exc)

    async def _error(self, status: int, headers: Any, body: bytes, path: str, *, write: bool = False,
                     order: bool = False, credentials: Credentials | None = None) -> BinanceError:
        code, message = error_body_decode(body)
        if status == 429 and code == TOO_MANY_ORDERS_CODE and credentials is not None:
            # The account's order limit, not the IP's weight: only this key's orders wait.
            retry_after = _retry_after(headers, None)
            try:
                await self.orders.too_many(credentials, retry_after)
            except RedisError as exc:
                logger.warning("order budget: could not record a -1015 (%s)", exc)
            return RateLimitedError(message, retry_after=retry_after or 0.0, status=status, code=code, path=path)
        if status == 429:
            retry_after = _retry_after(headers, DEFAULT_RETRY_AFTER_429_S)
            self.stats.rate_limited += 1
            await self.governor.rate_limited(retry_after)
            return RateLimitedError(message, retry_after=retry_after, status=status, code=code, path=path)
        if status == 418:
            retry_after = _retry_after(headers, DEFAULT_RETRY_AFTER_418_S)
            self.stats.banned += 1
            until_ms = await self.governor.banned(retry_after)
            return BannedError(message, until_ms=until_ms, status=status, code=code, path=path)
        if status == 503 and "unknown error" in message.lower():
            return ExecutionUnknownError(message, status=status, code=code, path=path)
        if status >= 500 or status == 408 or code in TEMPORARY_CODES:
            cls = ExecutionUnknownError if write else TemporaryError
            return cls(message or "server error", status=status, code=code, path=path)
        if code == -1021:
            self.clock.invalidate()  # re-measured before the next signed request
        if code in ORDER_NOT_FOUND_CODES:
            return OrderNotFoundError(message, status=status, code=code, path=path)
        if order:
            return OrderRejectedError(message or f"HTTP {status}", status=status, code=code, path=path)
        if status == 401 or code in AUTHENTICATION_CODES:
            return AuthenticationError(message, status=status, code=code, path=path)
        return PermanentError(message or f"HTTP {status}", status=status, code=code, path=path)


def _retry_after(headers: Any, default: float | None) -> float | None:
    value = headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else default
    except ValueError:
        return default
