"""`/ws/market/?symbol=BTCUSDT&interval=5m`: the forming candle of one chart, live.

Frames: `{"type": "kline", "data": {"t", "o", "h", "l", "c", "v", "closed"}}`; a bad query gets
`{"type": "error", "message": ...}` and the socket is closed with code 4400.
"""
from __future__ import annotations

import asyncio
import re
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from market.api import CHART_INTERVALS

SYMBOL = re.compile(r"^[A-Z0-9]{2,30}$")
_relay = None


def kline_relay():
    """The process's relay, created on first use with the configured venue's stream URL."""
    global _relay
    if _relay is None:
        from market.binance.kline_relay import KlineRelay
        from market.binance.venues import venue_for

        conf = settings.BINANCE
        venue = venue_for(conf.env, conf.market, sandbox_url=conf.sandbox_url, sandbox_ws_url=conf.sandbox_ws_url)
        _relay = KlineRelay(venue.ws_url)
    return _relay


class MarketConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.symbol = (query.get("symbol") or [""])[0].upper()
        self.interval = (query.get("interval") or ["5m"])[0]
        await self.accept()
        if not SYMBOL.match(self.symbol) or self.interval not in CHART_INTERVALS:
            await self.send_json({"type": "error", "message": f"symbol must look like BTCUSDT and interval be one of "
                                                               f"{', '.join(CHART_INTERVALS)}"})
            await self.close(code=4400)
            return
        self.queue = kline_relay().subscribe(self.symbol, self.interval)
        self.pump = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        while True:
            candle = await self.queue.get()
            await self.send_json({"type": "kline", "data": candle})

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def disconnect(self, code) -> None:
        if hasattr(self, "pump"):
            self.pump.cancel()
            kline_relay().unsubscribe(self.symbol, self.interval, self.queue)
