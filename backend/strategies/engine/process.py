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
from strategies.engine.loop import Engine
from strategies.runtime import DEFAULT_BUDGET

logger = logging.getLogger(__name__)
GROUP = "strategies"
HEARTBEAT_KEY = "strategies:engine:status"


async def engine_run(stop: asyncio.Event, *, stream: str = STREAM_KEY, consumer: str = "engine",
                     glue: EngineGlue | None = None, threads: int = 8, block_ms: int = 500) -> None:
    client = aioredis.Redis.from_url(settings.REDIS_URL)
    try:
        await client.xgroup_create(stream, GROUP, id="$", mkstream=True)
    except redis.exceptions.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
    budget = int(os.environ.get("STRATEGIES_STEP_BUDGET", DEFAULT_BUDGET))
    glue = glue or EngineGlue(budget=budget)
    market = settings.BINANCE.market
    executor = ThreadPoolExecutor(threads, thread_name_prefix="strategy")
    engine = Engine(glue, executor=executor)
    await engine.refresh()
    runs = asyncio.create_task(engine.follow_runs(stop))
    pause = 1.0
    try:
        while not stop.is_set():
            try:
                # Pending first ("0"): entries read before a crash or a failure, never acknowledged.
                answer = await client.xreadgroup(GROUP, consumer, {stream: "0"}, count=500)
                entries = answer[0][1] if answer else []
                if not entries:
                    answer = await client.xreadgroup(GROUP, consumer, {stream: ">"}, count=500, block=block_ms)
                    entries = answer[0][1] if answer else []
                events = [candle_event_decode(i, f) for i, f in entries if f]
                skipped = [e.id for e in events if e.market != market]
                acked = await engine.dispatch([e for e in events if e.market == market])
                gone = [i.decode() if isinstance(i, bytes) else i for i, f in entries if not f]  # trimmed away
                if acked or skipped or gone:
                    await client.xack(stream, GROUP, *acked, *skipped, *gone)
                if len(acked) + len(skipped) < len(events):
                    await asyncio.sleep(pause)  # the database is away: the rest is read again
                    pause = min(pause * 2, 30.0)
                else:
                    pause = 1.0
                await client.set(HEARTBEAT_KEY, json.dumps({"alive_at": time.time(), "runs": len(engine.slots),
                                                            "host": socket.gethostname()}), ex=60)
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
                logger.warning("strategies engine: Redis %s; retrying in %.0f s", exc, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)
    finally:
        runs.cancel()
        await engine.close()
        executor.shutdown(wait=True)
        await client.aclose()
