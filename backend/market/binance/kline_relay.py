"""Live candles of one (symbol, interval) for charts: one upstream stream per process, shared.

Every chart in the dashboard wants the forming candle of its symbol as it moves. Opening one
exchange connection per browser would spend Binance's connection budget (300 attempts per
5 min per IP); instead the first subscriber of a (symbol, interval) starts one upstream
`<symbol>@kline_<interval>` connection and the last one to leave stops it.

    relay = KlineRelay(ws_url)
    queue = relay.subscribe("BTCUSDT", "5m")      # asyncio.Queue of candle dicts
    ...  candle = await queue.get()              # {"t","o","h","l","c","v","closed"}
    relay.unsubscribe("BTCUSDT", "5m", queue)
"""
from __future__ import annotations

import asyncio
import logging
import random

import aiohttp
import orjson

from market.binance.errors import DecodeError
from market.binance.schemas import kline_frame_decode

logger = logging.getLogger(__name__)

QUEUE_SIZE = 64  # a slow browser loses old ticks, never blocks the others


def candle_dict(update) -> dict:
    c = update.candle
    return {"t": c.open_time, "o": float(c.open), "h": float(c.high), "l": float(c.low), "c": float(c.close),
            "v": float(c.volume), "closed": update.closed}


class KlineRelay:
    def __init__(self, ws_url: str, *, reconnect_cap_s: float = 30.0) -> None:
        self.ws_url = ws_url.rstrip("/")
        self.reconnect_cap_s = reconnect_cap_s
        self._subscribers: dict[tuple[str, str], set[asyncio.Queue]] = {}
        self._tasks: dict[tuple[str, str], asyncio.Task] = {}

    def subscribe(self, symbol: str, interval: str) -> asyncio.Queue:
        key = (symbol.upper(), interval)
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.setdefault(key, set()).add(queue)
        if key not in self._tasks or self._tasks[key].done():
            self._tasks[key] = asyncio.create_task(self._upstream(key), name=f"kline-relay {key}")
        return queue

    def unsubscribe(self, symbol: str, interval: str, queue: asyncio.Queue) -> None:
        key = (symbol.upper(), interval)
        subscribers = self._subscribers.get(key, set())
        subscribers.discard(queue)
        if not subscribers:
            self._subscribers.pop(key, None)
            task = self._tasks.pop(key, None)
            if task:
                task.cancel()

    def upstreams(self) -> list[tuple[str, str]]:
        return sorted(key for key, task in self._tasks.items() if not task.done())

    async def _upstream(self, key: tuple[str, str]) -> None:
        symbol, interval = key
        url = f"{self.ws_url}/ws/{symbol.lower()}@kline_{interval}"
        attempt = 0
        async with aiohttp.ClientSession() as session:
            while key in self._subscribers:
                try:
                    async with session.ws_connect(url, autoping=True, heartbeat=None, timeout=aiohttp.ClientWSTimeout(ws_close=5)) as ws:
                        attempt = 0
                        async for message in ws:
                            if message.type != aiohttp.WSMsgType.TEXT:
                                break
                            self._fan_out(key, message.data)
                except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
                    logger.info("kline relay %s %s: %s", symbol, interval, exc)
                attempt += 1
                # Full jitter, capped: a dropped exchange is not hammered by every chart.
                await asyncio.sleep(random.uniform(0, min(self.reconnect_cap_s, 0.5 * 2 ** attempt)))

    def _fan_out(self, key: tuple[str, str], raw: str) -> None:
        try:
            update = kline_frame_decode(orjson.loads(raw))
        except (orjson.JSONDecodeError, DecodeError) as exc:
            logger.warning("kline relay %s: bad frame skipped (%s)", key, exc)
            return
        if update is None:
            return
        candle = candle_dict(update)
        for queue in self._subscribers.get(key, ()):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(candle)
