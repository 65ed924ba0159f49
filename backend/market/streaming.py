"""The stream process (`manage.py stream_market`): kline streams of the universe into the candle
store and the `market:candles` Redis stream, and the forming candles to live charts
(market/chart_feed.py). It is the platform's only reader of the exchange's kline streams.

It follows the universe in the database (refreshed by `market.refresh_universe`), resumes after
the last candle it published (Redis `market:candles:last`, else the newest stored candle), and
stops cleanly on SIGTERM/SIGINT after delivering what it holds.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import asdict

import redis
from asgiref.sync import sync_to_async
from django.conf import settings

from market import selectors, services
from market.binance.client import BinanceClient
from market.binance.schemas import Candle
from market.binance.streams import KlineStreamManager, StreamOptions
from market.candle_events import STATUS_KEY, candle_resume_points
from market.chart_feed import ChartFeed

logger = logging.getLogger(__name__)

STATUS_TTL_S = 60


def stream_options() -> StreamOptions:
    conf = settings.MARKET
    return StreamOptions(streams_per_connection=conf.streams_per_connection, stall_s=conf.stream_stall_s,
                         max_age_s=conf.stream_max_age_s, seed=conf.stream_seed_candles)


def resume_points() -> dict[tuple[str, str], int]:
    """Where each stream continues: the last published event, else the newest stored candle."""
    points = selectors.candles_resume_points()
    points.update(candle_resume_points(redis.Redis.from_url(settings.REDIS_URL)))
    return points


async def _deliver(items: list[tuple[Candle, str]]) -> None:
    await sync_to_async(services.candles_ingest, thread_sensitive=True)(items)


def _status(manager: KlineStreamManager, symbols: list[str] | None) -> dict:
    return {"alive_at": time.time(), "symbols": len(symbols or []), "intervals": settings.MARKET.stream_intervals,
            "connections": manager.connections(), "delivered": manager.outbox.delivered,
            "reconnects": dict(manager.stats.reconnects), "sequencer": asdict(manager.sequencer.stats)}


def _publish_status(status: dict) -> None:
    redis.Redis.from_url(settings.REDIS_URL).set(STATUS_KEY, json.dumps(status), ex=STATUS_TTL_S)


async def _follow_universe(manager: KlineStreamManager, current: list[str] | None,
                           intervals: list[str]) -> list[str] | None:
    try:
        symbols = await sync_to_async(services.universe_symbols_ensure, thread_sensitive=True)()
    except Exception:  # the database or the exchange is away: keep streaming what we have
        logger.exception("universe unavailable; keeping the current streams")
        return current
    if symbols and symbols != current:
        logger.info("streaming %d symbols x %s", len(symbols), ",".join(intervals))
        await manager.set_universe(symbols, intervals)
        return symbols
    return current


async def stream_market_run(stop: asyncio.Event, *, universe_poll_s: float = 30.0, status_s: float = 10.0) -> None:
    intervals = settings.MARKET.stream_intervals
    from realtime.dispatcher import publish_volatile

    charts = ChartFeed(publish_volatile)
    async with BinanceClient.from_settings() as client:
        manager = KlineStreamManager(client, _deliver, options=stream_options(),
                                     resume=await sync_to_async(resume_points)(), on_update=charts.on_update)
        runner = asyncio.create_task(manager.run())
        chart_pusher = asyncio.create_task(charts.run())
        current: list[str] | None = None
        loop = asyncio.get_running_loop()
        next_universe = next_status = loop.time()
        try:
            while not stop.is_set():
                if loop.time() >= next_universe:
                    next_universe = loop.time() + universe_poll_s
                    current = await _follow_universe(manager, current, intervals)
                if loop.time() >= next_status:
                    next_status = loop.time() + status_s
                    status = _status(manager, current)
                    logger.debug("streams: %s", status)
                    try:
                        await sync_to_async(_publish_status)(status)
                    except redis.RedisError as exc:
                        logger.warning("stream status not published: %s", exc)
                try:
                    await asyncio.wait_for(stop.wait(), timeout=max(0.0, min(next_universe, next_status) - loop.time()))
                except asyncio.TimeoutError:
                    pass
        finally:
            chart_pusher.cancel()
            manager.stop()
            await runner
