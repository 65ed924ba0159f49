"""The stream process (`manage.py stream_market`): kline streams of the universe into the candle
store and the `market:candles` Redis stream, and the forming candles to live charts
(market/chart_feed.py). It is the platform's only reader of the exchange's kline streams.

Several processes may run (`--shards S`, on one machine or many): the universe is split into S
shards by a stable hash of the symbol, and each shard is streamed by the process that holds its
lease in Redis (market/shard_leases.py). Each held shard has its own `KlineStreamManager`, built
when the shard is taken with the resume points read at that moment (Redis `market:candles:last`,
else the newest stored candle), so a process taking over a dead one's shard backfills from the
last published candle; its events go out through the fenced publish (once each, and only while
its lease holds). With S = 1 and one process this is the single stream process it always was.

It follows the universe in the database (refreshed by `market.refresh_universe`) and stops cleanly
on SIGTERM/SIGINT: each shard delivers what it holds, then its lease is released for the others.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
import time
from dataclasses import asdict, dataclass

import redis
from asgiref.sync import sync_to_async
from django.conf import settings

from common import metrics
from market import selectors, services
from market.binance.client import BinanceClient
from market.binance.schemas import Candle
from market.binance.streams import KlineStreamManager, StreamOptions
from market.candle_events import STATUS_KEY, candle_resume_points
from market.chart_feed import ChartFeed
from market.shard_leases import LeaseLost, ShardLeases, shard_symbols

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


@dataclass
class _Shard:
    number: int
    lease: str  # "owner|token", the value the fenced publish checks
    manager: KlineStreamManager
    task: asyncio.Task
    lost: bool = False


class ShardedStreams:
    """The shards this process holds: taken, renewed, given back, each streamed by its manager."""

    def __init__(self, client: BinanceClient, leases: ShardLeases, charts: ChartFeed, intervals: list[str]) -> None:
        self.client, self.leases, self.charts, self.intervals = client, leases, charts, intervals
        self.held: dict[int, _Shard] = {}
        self.symbols: list[str] | None = None

    def _deliver_sync(self, shard: _Shard, items: list[tuple[Candle, str]]) -> None:
        # Store first (a reader of an event finds its candle), then the fenced publish.
        services.candles_upsert(candle for candle, _ in items)
        self.leases.publish(shard.number, shard.lease, items, market=settings.BINANCE.market,
                            maxlen=settings.MARKET.events_maxlen)
        metrics.candles_ingested(items, market=settings.BINANCE.market)
        metrics.stream_delivered(items)

    async def _start(self, number: int, lease: str) -> None:
        resume = await sync_to_async(resume_points)()

        async def deliver(items: list[tuple[Candle, str]]) -> None:
            if shard.lost:
                return  # the new holder resumes after the last candle published: it sends these
            try:
                await sync_to_async(self._deliver_sync, thread_sensitive=True)(shard, items)
            except LeaseLost as exc:
                shard.lost = True
                logger.warning("%s; its %d undelivered candles are left to the new holder", exc, len(items))

        manager = KlineStreamManager(self.client, deliver, options=stream_options(), resume=resume,
                                     on_update=self.charts.on_update)
        shard = _Shard(number, lease, manager, asyncio.create_task(manager.run()))
        self.held[number] = shard
        await manager.set_universe(shard_symbols(self.symbols or [], number, self.leases.shards), self.intervals)
        logger.info("shard %d/%d taken (%s)", number, self.leases.shards, lease)

    async def _stop(self, number: int, *, release: bool) -> None:
        shard = self.held.pop(number)
        shard.manager.stop()
        await shard.task  # delivers what it holds (unless the lease is lost)
        if release and not shard.lost:
            try:
                await asyncio.to_thread(self.leases.release, number, shard.lease)
            except redis.RedisError as exc:
                logger.warning("shard %d not released (%s); its lease expires", number, exc)
        logger.info("shard %d/%d %s", number, self.leases.shards, "released" if release else "lost")

    async def set_universe(self, symbols: list[str]) -> None:
        self.symbols = symbols
        for number, shard in self.held.items():
            await shard.manager.set_universe(shard_symbols(symbols, number, self.leases.shards), self.intervals)

    async def tick(self) -> None:
        """Beat, renew what is held, then give back one shard above this process's share or take
        free ones up to it."""
        for number in [n for n, shard in self.held.items() if shard.lost]:  # its publish found the lease gone
            await self._stop(number, release=False)
        leases = self.leases
        try:
            plan = await asyncio.to_thread(leases.rebalance, {n: s.lease for n, s in self.held.items()},
                                           balance=self.symbols is not None)  # nothing to stream: take none
        except redis.RedisError as exc:
            logger.warning("shard leases unavailable (%s); streaming the shards held", exc)
            return
        for number in plan.lost:
            self.held[number].lost = True
            await self._stop(number, release=False)
        if plan.give_back is not None:
            await self._stop(plan.give_back, release=True)
        for number, lease in plan.taken.items():
            await self._start(number, lease)

    async def close(self) -> None:
        for number in list(self.held):
            await self._stop(number, release=True)
        try:
            await asyncio.to_thread(self.leases.leave)
        except redis.RedisError:
            pass

    def status(self) -> dict:
        managers = [s.manager for s in self.held.values()]
        reconnects: dict[str, int] = {}
        sequencer: dict[str, int] = {}
        for m in managers:
            for reason, n in m.stats.reconnects.items():
                reconnects[reason] = reconnects.get(reason, 0) + n
            for name, n in asdict(m.sequencer.stats).items():
                if isinstance(n, (int, float)):
                    sequencer[name] = sequencer.get(name, 0) + n
        return {"alive_at": time.time(), "owner": self.leases.owner, "shards": self.leases.shards,
                "held": sorted(self.held), "symbols": sum(len(m.sequencer.tracked()) for m in managers)
                // max(1, len(self.intervals)), "intervals": self.intervals,
                "connections": sum(m.connections() for m in managers),
                "delivered": sum(m.outbox.delivered for m in managers), "reconnects": reconnects,
                "sequencer": sequencer}


def _publish_status(leases: ShardLeases, status: dict) -> None:
    """This process's status under its own key, and the sum over live processes under STATUS_KEY
    (what the scanner status reads)."""
    client = leases.client
    client.set(f"{STATUS_KEY}:{leases.owner}", json.dumps(status), ex=STATUS_TTL_S)
    raw = [client.get(f"{STATUS_KEY}:{m}") for m in leases.members()] or [json.dumps(status).encode()]
    parts = [json.loads(r) for r in raw if r is not None]
    total = {"alive_at": max(p["alive_at"] for p in parts), "shards": leases.shards, "processes": len(parts),
             "intervals": status["intervals"], "held": {p["owner"]: p["held"] for p in parts}, "reconnects": {}}
    for key in ("symbols", "connections", "delivered"):
        total[key] = sum(p[key] for p in parts)
    for p in parts:
        for reason, n in p["reconnects"].items():
            total["reconnects"][reason] = total["reconnects"].get(reason, 0) + n
    total["sequencer"] = status["sequencer"]
    client.set(STATUS_KEY, json.dumps(total), ex=STATUS_TTL_S)


async def _universe(current: list[str] | None) -> list[str] | None:
    try:
        return await sync_to_async(services.universe_symbols_ensure, thread_sensitive=True)() or current
    except Exception:  # the database or the exchange is away: keep streaming what we have
        logger.exception("universe unavailable; keeping the current streams")
        return current


async def stream_market_run(stop: asyncio.Event, *, universe_poll_s: float = 30.0, status_s: float = 10.0,
                            shards: int = 1, lease_ttl_s: float = 15.0) -> None:
    intervals = settings.MARKET.stream_intervals
    from realtime.dispatcher import publish_volatile

    owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
    leases = ShardLeases(redis.Redis.from_url(settings.REDIS_URL), owner=owner, shards=shards,
                         ttl_ms=int(lease_ttl_s * 1000))
    charts = ChartFeed(publish_volatile)
    async with BinanceClient.from_settings() as client:
        streams = ShardedStreams(client, leases, charts, intervals)
        chart_pusher = asyncio.create_task(charts.run())
        loop = asyncio.get_running_loop()
        next_universe = next_status = next_lease = loop.time()
        lease_s = lease_ttl_s / 5
        try:
            while not stop.is_set():
                if loop.time() >= next_universe:
                    next_universe = loop.time() + universe_poll_s
                    symbols = await _universe(streams.symbols)
                    if symbols and symbols != streams.symbols:
                        logger.info("universe: %d symbols x %s, %d shard(s)", len(symbols), ",".join(intervals), shards)
                        await streams.set_universe(symbols)
                if loop.time() >= next_lease:
                    next_lease = loop.time() + lease_s
                    await streams.tick()
                if loop.time() >= next_status:
                    next_status = loop.time() + status_s
                    status = streams.status()
                    metrics.stream_status_observe(status)
                    logger.debug("streams: %s", status)
                    try:
                        await asyncio.to_thread(_publish_status, leases, status)
                    except redis.RedisError as exc:
                        logger.warning("stream status not published: %s", exc)
                try:
                    wake = min(next_universe, next_status, next_lease)
                    await asyncio.wait_for(stop.wait(), timeout=max(0.0, wake - loop.time()))
                except asyncio.TimeoutError:
                    pass
        finally:
            chart_pusher.cancel()
            await streams.close()
