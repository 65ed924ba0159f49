"""`/ws/market/?symbol=BTCUSDT&interval=5m`: the forming candle of one chart, live.

Frames: `{"type": "kline", "data": {"t", "o", "h", "l", "c", "v", "closed"}}`. A bad query (a
symbol outside the universe, an interval the stream process does not stream) gets
`{"type": "error", "message": ...}` and the socket is closed with code 4400; a client IP with
MARKET_SOCKETS_PER_IP sockets open already gets the same with code 4429.

The socket joins the channel layer group of its chart; the stream process (the platform's only
reader of exchange kline streams, market/chart_feed.py) sends the frames. A web process opens no
exchange connection, whatever the number of charts.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from common import metrics
from common.proxies import scope_client_ip
from market.chart_feed import chart_group, chart_intervals

SYMBOL = re.compile(r"^[A-Z0-9]{2,30}$")
CLOSE_BAD_QUERY, CLOSE_TOO_MANY = 4400, 4429
# Open sockets per client IP in this process.
_open_by_ip: dict[str, int] = {}


def _in_universe(symbol: str) -> bool:
    from market.selectors import symbol_status

    return symbol_status(symbol) == "universe"


class MarketConsumer(AsyncJsonWebsocketConsumer):
    ip: str | None = None  # counted in _open_by_ip while set

    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.symbol = (query.get("symbol") or [""])[0].upper()
        self.interval = (query.get("interval") or ["5m"])[0]
        await self.accept()
        metrics.socket_opened(self)
        if not SYMBOL.match(self.symbol) or self.interval not in chart_intervals():
            return await self._refuse(CLOSE_BAD_QUERY, f"symbol must look like BTCUSDT and interval be one of "
                                                       f"{', '.join(chart_intervals())}")
        if not await database_sync_to_async(_in_universe)(self.symbol):
            return await self._refuse(CLOSE_BAD_QUERY, f"{self.symbol} is not in the scanned universe; "
                                                       "/api/symbols/ lists it (in_universe)")
        ip = scope_client_ip(self.scope)
        if _open_by_ip.get(ip, 0) >= settings.MARKET_API_RATES.market_sockets_per_ip:
            return await self._refuse(CLOSE_TOO_MANY, f"too many live chart sockets from one address (at most "
                                                      f"{settings.MARKET_API_RATES.market_sockets_per_ip})")
        self.ip = ip
        _open_by_ip[ip] = _open_by_ip.get(ip, 0) + 1
        self.group = chart_group(self.symbol, self.interval)
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def _refuse(self, code: int, message: str) -> None:
        await self.send_json({"type": "error", "message": message})
        await self.close(code=code)

    async def realtime_event(self, message: dict) -> None:
        await self.send(text_data=message["text"])  # serialised once by the sender

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def disconnect(self, code) -> None:
        metrics.socket_closed(self)
        if self.ip is not None:
            left = _open_by_ip.get(self.ip, 1) - 1
            if left > 0:
                _open_by_ip[self.ip] = left
            else:
                _open_by_ip.pop(self.ip, None)
            self.ip = None
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
