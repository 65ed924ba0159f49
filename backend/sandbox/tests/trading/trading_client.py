"""A minimal signed USD-M client for the HTTP tests (signs exactly as Binance documents)."""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal
from urllib.parse import urlencode

import aiohttp
from yarl import URL

from sandbox.control import step
from sandbox.trading import key_store, trading_engine


class Signed:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, app, label: str = "test"):
        self.session, self.base_url, self.app = session, base_url, app
        self.key = key_store(app).create(label=label)

    @property
    def market(self):
        return self.app["market"]

    @property
    def engine(self):
        return trading_engine(self.app)

    async def call(self, method: str, path: str, *, body: bool = False, timestamp: int | None = None,
                   secret: str | None = None, api_key: str | None = None, **params):
        """Signed request; params go to the query string (or the form body with body=True)."""
        params = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in params.items()}
        params["timestamp"] = str(self.market.now_ms() if timestamp is None else timestamp)
        total = urlencode(params)
        signature = hmac.new((secret or self.key.secret).encode(), total.encode(), hashlib.sha256).hexdigest()
        signed = f"{total}&signature={signature}"
        headers = {"X-MBX-APIKEY": self.key.api_key if api_key is None else api_key}
        url = f"{self.base_url}{path}"
        kwargs = {"headers": headers}
        if body:
            kwargs["data"] = signed
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            url += "?" + signed
        # encoded=True: send the query exactly as signed (no re-quoting by the client library)
        async with self.session.request(method, URL(url, encoded=True), **kwargs) as response:
            return response.status, response.headers, await response.json(content_type=None)

    async def ok(self, method: str, path: str, **params):
        status, _headers, payload = await self.call(method, path, **params)
        assert status == 200, payload
        return payload

    async def error(self, method: str, path: str, **params) -> int:
        status, _headers, payload = await self.call(method, path, **params)
        assert status >= 400 and set(payload) == {"code", "msg"}, (status, payload)
        return payload["code"]

    async def stream_key(self, method: str = "POST", api_key: str | None = None):
        headers = {"X-MBX-APIKEY": self.key.api_key if api_key is None else api_key}
        async with self.session.request(method, f"{self.base_url}/fapi/v1/listenKey", headers=headers) as r:
            return r.status, await r.json(content_type=None)

    # -- the replay -------------------------------------------------------------------------------

    def price(self, symbol: str = "BTCUSDT") -> Decimal:
        return Decimal(str(self.market.last_price(symbol)))

    def step(self, ms: int) -> None:
        step(self.app, ms)

    def future_move(self, symbol: str, *, up: bool, ticks: int = 3, horizon_ms: int = 6 * 3600_000,
                    every_ms: int = 5_000) -> tuple[int, Decimal]:
        """(ms ahead, price then) of the first replayed price at least `ticks` ticks above/below now."""
        tick = Decimal(str(self.market.symbol_filters(symbol)["tickSize"]))
        now = self.market.now_ms()
        start = self.price(symbol)
        for ahead in range(every_ms, horizon_ms, every_ms):
            spec = self.market.spec(symbol)
            value = Decimal(self.market.price_int(symbol, now + ahead)) / 10 ** spec.price_decimals
            if (value - start >= ticks * tick) if up else (start - value >= ticks * tick):
                return ahead, value
        raise AssertionError(f"{symbol} does not move {'up' if up else 'down'} within the horizon")
