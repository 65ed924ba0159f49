"""`manage.py run_strategies`: the engine as a process.

Reads `market:candles` through its own consumer group (`strategies`, one consumer per process
name): first what this consumer was given but never acknowledged (a crash, the database away),
then new entries.  Entries are acknowledged once every run that wanted the candle handled it
(loop.Engine.dispatch).  Candles of another market than the platform's are not traded.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import redis
import redis.asyncio as aioredis
from django.conf import settings

from market.candle_events import STREAM_KEY, candle_event_decode
from strategies.engine.handling import EngineGlue
from strategies.engine.loop import Engine, settled
from strategies.runtime import DEFAULT_BUDGET

logger = logging.getLogger(__name__)
GROUP = "strategies"
HEARTBEAT_KEY = "strategies:engine:status"


async def engine_run(stop: asyncio.Event, *, stream: str = STREAM_KEY, consumer: str = "engine",
                     glue: EngineGlue | None = None, threads: int = 8, block_ms: int = 500) -> None:
    client = aioredis.Redis.from_url(settings.REDIS_URL)
    await _group_ensure(client, stream, "$")
    budget = int(os.environ.get("STRATEGIES_STEP_BUDGET", DEFAULT_BUDGET))
    glue = glue or EngineGlue(budget=budget)
    market = settings.BINANCE.market
    executor = ThreadPoolExecutor(threads, thread_name_prefix="strategy")
    engine = Engine(glue, executor=executor)
    await engine.refresh()
    runs = asyncio.create_task(engine.follow_runs(stop))
    state = _Reader(client, stream, consumer, market, engine)
    try:
        while not stop.is_set():
            try:
                await state.step(block_ms)
                await client.set(HEARTBEAT_KEY, json.dumps({"alive_at": time.time(), "runs": len(engine.slots),
                                                            "in_flight": len(state.in_flight),
                                                            "host": socket.gethostname()}), ex=60)
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
                logger.warning("strategies engine: Redis %s; retrying in %.0f s", exc, state.pause)
                await asyncio.sleep(state.pause)
                state.pause = min(state.pause * 2, 30.0)
                state.failed = True  # what was read and not acknowledged is read again
            except redis.exceptions.ResponseError as exc:
                if "NOGROUP" not in str(exc) and "UNBLOCKED" not in str(exc):
                    raise
                logger.warning("strategies engine: the stream or its group is gone (%s); made again", exc)
                await _group_ensure(client, stream, "0")  # a new stream: everything added from now on
                state.failed = True
    finally:
        runs.cancel()
        await engine.close()
        executor.shutdown(wait=True)
        if state.in_flight:
            await asyncio.wait(state.in_flight, timeout=30)
        await client.aclose()


async def _group_ensure(client, stream: str, start: str) -> None:
    try:
        await client.xgroup_create(stream, GROUP, id=start, mkstream=True)
    except redis.exceptions.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


class _Reader:
    """Reads the group: the consumer's pending entries first (from `cursor`, page by page: what a
    crash or an infrastructure error left unacknowledged), then new ones.  Each entry is acknowledged
    by its own task once its runs are done, so reading goes on while runs work; after a failure the
    pending list is read again once nothing is in flight."""

    MAX_IN_FLIGHT = 5000

    def __init__(self, client, stream: str, consumer: str, market: str, engine: Engine):
        self.client, self.stream, self.consumer, self.market, self.engine = client, stream, consumer, market, engine
        self.cursor: str | None = "0"  # None: reading new entries
        self.in_flight: set[asyncio.Task] = set()
        self.failed, self.pause = False, 1.0

    async def step(self, block_ms: int) -> None:
        if self.failed and not self.in_flight:
            self.failed = False
            await asyncio.sleep(self.pause)  # the database was away: retry what is pending
            self.pause = min(self.pause * 2, 30.0)
            self.cursor = "0"
        if len(self.in_flight) >= self.MAX_IN_FLIGHT:
            await asyncio.wait(self.in_flight, return_when=asyncio.FIRST_COMPLETED)
            return
        if self.cursor is not None:
            answer = await self.client.xreadgroup(GROUP, self.consumer, {self.stream: self.cursor}, count=500)
            entries = answer[0][1] if answer else []
            if not entries:
                self.cursor = None
                return
            self.cursor = entries[-1][0].decode() if isinstance(entries[-1][0], bytes) else entries[-1][0]
        else:
            answer = await self.client.xreadgroup(GROUP, self.consumer, {self.stream: ">"}, count=500, block=block_ms)
            entries = answer[0][1] if answer else []
        done = [i for i, f in entries if not f]  # trimmed from the stream while pending
        events = [candle_event_decode(i, f) for i, f in entries if f]
        done += [e.id for e in events if e.market != self.market]  # another market: not traded
        if done:
            await self.client.xack(self.stream, GROUP, *done)
        for entry_id, futures in self.engine.submit([e for e in events if e.market == self.market]):
            task = asyncio.create_task(self._ack(entry_id, futures))
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)

    async def _ack(self, entry_id: str, futures) -> None:
        if await settled(futures):
            try:
                await self.client.xack(self.stream, GROUP, entry_id)
                self.pause = 1.0
                return
            except redis.exceptions.RedisError as exc:
                logger.warning("strategies engine: %s not acknowledged (%s)", entry_id, exc)
        self.failed = True
