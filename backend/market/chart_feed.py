"""Live chart candles: the stream process's kline updates, fanned out to `/ws/market/` sockets.

The stream process is the only reader of the exchange's kline streams. Besides the closed
candles it stores, every checked update (the forming candle as it moves) is handed to a
`ChartFeed`, which sends the latest of each (symbol, interval) every `push_s` to the channel
layer group `chart_group(symbol, interval)`. Each web process's sockets join the group of their
chart, so a chart costs the exchange nothing, however many browsers or web processes there are.

A forming candle is superseded by the next update, so these frames carry no sequence number
(`dispatcher.publish_volatile`): a frame lost while Redis is away is replaced within `push_s`.
A closed candle is never merged away: the frames of one push are the closed candles since the
last one, then the newest forming candle.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from django.conf import settings

from market.binance.schemas import KlineUpdate

logger = logging.getLogger(__name__)

PUSH_S = 0.25  # a chart moves 4 times a second at most; the exchange sends ~4 updates a second
KEEP = 8  # frames held per chart between pushes (closed candles; older ones are in the store)

Send = Callable[[str, dict], Awaitable[None]]


def chart_intervals() -> list[str]:
    """What a chart can show: the intervals the stream process streams and the store keeps."""
    return list(settings.MARKET.stream_intervals)


def chart_group(symbol: str, interval: str) -> str:
    return f"chart.{symbol}.{interval}"


def candle_frame(update: KlineUpdate) -> dict:
    c = update.candle
    return {"t": c.open_time, "o": float(c.open), "h": float(c.high), "l": float(c.low), "c": float(c.close),
            "v": float(c.volume), "closed": update.closed}


class ChartFeed:
    def __init__(self, send: Send, *, push_s: float = PUSH_S) -> None:
        self._send = send
        self.push_s = push_s
        self._pending: dict[tuple[str, str], list[dict]] = {}
        self.sent = 0

    def on_update(self, update: KlineUpdate) -> None:
        """Called by the stream manager for every checked update; never raises."""
        frames = self._pending.setdefault((update.candle.symbol, update.candle.interval), [])
        data = candle_frame(update)
        if frames and not frames[-1]["closed"] and frames[-1]["t"] == data["t"]:
            frames[-1] = data  # the same candle, further along (or now closed)
        elif not frames or data["t"] > frames[-1]["t"]:
            frames.append(data)
            del frames[:-KEEP]

    async def push(self) -> None:
        pending, self._pending = self._pending, {}
        for (symbol, interval), frames in pending.items():
            for data in frames:
                try:
                    await self._send(chart_group(symbol, interval), {"type": "kline", "data": data})
                    self.sent += 1
                except Exception as exc:  # Redis away: charts catch up with the next push
                    logger.warning("chart frame %s %s not sent: %s", symbol, interval, exc)
                    return

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.push_s)
            await self.push()
