"""`manage.py run_strategies`: the engine as a process, alone or as one of several.

Running strategies are split into S shards (`--shards`, default 1) by run id (``id % S``); each
shard is served by the process holding its lease in Redis (`market.shard_leases.ShardLeases`, in
its own namespace `strategies:<stream>`): taken with a fenced token, renewed every ttl/5, given
back on a clean stop, expired ``--lease-ms`` after its holder died, then taken by another process.
Every process holds at most ceil(S / live processes) shards, so a process that joins gets its
share. With S = 1 a second process started by mistake waits as a standby instead of splitting the
candles with the first.

Each held shard has its own `loop.Engine` (the runs of the shard) and reads `market:candles`
through a consumer group of its own (`strategies` when S = 1, else `strategies:<S>:<n>`) under one
consumer name per shard, so the process taking a shard over reads first what the previous holder
was given but never acknowledged (a crash, the database away), then new entries. Entries are
acknowledged once every run that wanted the candle handled it (loop.Engine.dispatch). A candle
handled twice around a take-over (a stalled holder) is decided by the database: a run records the
last candle it handled under its row lock, and skips one not newer. Candles of another market than
the platform's are not traded.
"""
from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import redis
import redis.asyncio as aioredis
from django.conf import settings

from market.candle_events import STREAM_KEY, candle_event_decode
from market.shard_leases import ShardLeases
from strategies.engine.handling import EngineGlue
from strategies.engine.loop import Engine, settled
from strategies.runtime import DEFAULT_BUDGET

logger = logging.getLogger(__name__)
GROUP = "strategies"
HEARTBEAT_KEY = "strategies:engine:status"  # the sum over live processes; each has `<key>:<owner>` too
LEASE_MS = 15_000


def shard_group(number: int, shards: int) -> str:
    return GROUP if shards == 1 else f"{GROUP}:{shards}:{number}"


def run_shard(run_id: int, shards: int) -> int:
    return run_id % shards


class _RunsActive:
    """The glue's RUNNING runs, read once for all the shards a process serves: each shard's engine
    polls every second, and an answer younger than `max_age_s` is shared."""

    def __init__(self, glue, max_age_s: float = 0.5):
        self.glue, self.max_age_s = glue, max_age_s
        self._lock = threading.Lock()
        self._read_at, self._runs = -math.inf, {}

    def __call__(self) -> dict:
        with self._lock:
            if time.monotonic() - self._read_at > self.max_age_s:
                self._runs, self._read_at = self.glue.runs_active(), time.monotonic()
            return self._runs


class _ShardGlue:
    """The glue as one shard's engine sees it: only the runs of that shard."""

    def __init__(self, glue, runs: _RunsActive, number: int, shards: int):
        self.glue, self.runs, self.number, self.shards = glue, runs, number, shards
        self.windows = glue.windows

    def runs_active(self):
        return {i: spec for i, spec in self.runs().items() if run_shard(i, self.shards) == self.number}

    def handle(self, run_id, event):
        return self.glue.handle(run_id, event)


@dataclass
class _Held:
    number: int
    lease: str
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None
    engine: Engine | None = None
    reader: _Reader | None = None
    lost: bool = False


async def engine_run(stop: asyncio.Event, *, stream: str = STREAM_KEY, consumer: str = "engine",
                     glue: EngineGlue | None = None, threads: int = 8, block_ms: int = 500, shards: int = 1,
                     lease_ms: int = LEASE_MS) -> None:
    client = aioredis.Redis.from_url(settings.REDIS_URL)
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    leases = ShardLeases(redis.Redis.from_url(settings.REDIS_URL), owner=owner, shards=shards, ttl_ms=lease_ms,
                         namespace=f"strategies:{stream}", members_key=f"strategies:{stream}:members")
    budget = int(os.environ.get("STRATEGIES_STEP_BUDGET", DEFAULT_BUDGET))
    glue = glue or EngineGlue(budget=budget)
    executor = ThreadPoolExecutor(threads, thread_name_prefix="strategy")
    shared = _Shared(client, stream, consumer, settings.BINANCE.market, glue, _RunsActive(glue), executor, block_ms,
                     stop)
    held: dict[int, _Held] = {}
    try:
        while not stop.is_set():
            await _tick(leases, held, shared)
            await _status(leases, held)
            try:
                await asyncio.wait_for(stop.wait(), lease_ms / 5000)
            except TimeoutError:
                pass
    finally:
        for number in list(held):
            await _shard_stop(leases, held, number, release=True)
        try:
            await asyncio.to_thread(leases.leave)
        except redis.RedisError:
            pass
        executor.shutdown(wait=True)
        await client.aclose()


@dataclass(frozen=True)
class _Shared:
    client: aioredis.Redis
    stream: str
    consumer: str
    market: str
    glue: EngineGlue
    runs: _RunsActive
    executor: ThreadPoolExecutor
    block_ms: int
    stop: asyncio.Event


async def _tick(leases: ShardLeases, held: dict[int, _Held], shared: _Shared) -> None:
    """Beat, renew what is held (a lease lost: that shard stops), then give back one shard above this
    process's share or take free ones up to it. A shard whose task died of an unexpected error
    ends the process with that error."""
    for shard in held.values():
        if shard.task.done() and not shard.task.cancelled() and shard.task.exception() is not None:
            raise shard.task.exception()
    try:
        plan = await asyncio.to_thread(leases.rebalance, {n: shard.lease for n, shard in held.items()})
    except redis.RedisError as exc:
        logger.warning("strategies engine: shard leases unavailable (%s); serving the shards held", exc)
        return
    for number in plan.lost:
        logger.warning("strategies shard %d/%d: lease %s lost", number, leases.shards, held[number].lease)
        held[number].lost = True
        await _shard_stop(leases, held, number, release=False)
    if plan.give_back is not None:
        await _shard_stop(leases, held, plan.give_back, release=True)
    for number, lease in plan.taken.items():
        shard = held[number] = _Held(number, lease)
        shard.task = asyncio.create_task(_shard_serve(shard, shared, leases.shards), name=f"strategies-shard-{number}")
        logger.info("strategies shard %d/%d taken (%s)", number, leases.shards, lease)


async def _shard_stop(leases: ShardLeases, held: dict[int, _Held], number: int, *, release: bool) -> None:
    """Stop serving a shard: what its runs had queued stays unacknowledged for the next holder."""
    shard = held.pop(number)
    shard.stop.set()
    try:
        await shard.task
    except Exception:  # noqa: BLE001 — reported where it happened
        logger.exception("strategies shard %d ended with an error", number)
    if release and not shard.lost:
        try:
            await asyncio.to_thread(leases.release, number, shard.lease)
        except redis.RedisError as exc:
            logger.warning("strategies shard %d not released (%s); its lease expires", number, exc)
    logger.info("strategies shard %d/%d %s", number, leases.shards, "released" if release else "lost")


async def _shard_serve(shard: _Held, shared: _Shared, shards: int) -> None:
    """One shard: its runs' engine, fed by the shard's consumer group until the shard stops."""
    client, stream = shared.client, shared.stream
    group = shard_group(shard.number, shards)
    consumer = shared.consumer if shards == 1 else f"{shared.consumer}-{shard.number}"
    await _group_ensure(client, stream, group, "$")
    engine = shard.engine = Engine(_ShardGlue(shared.glue, shared.runs, shard.number, shards), executor=shared.executor)
    await engine.refresh()
    runs = asyncio.create_task(engine.follow_runs(shard.stop))
    state = shard.reader = _Reader(client, stream, group, consumer, shared.market, engine)
    try:
        while not shard.stop.is_set() and not shared.stop.is_set():
            try:
                await state.step(shared.block_ms)
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
                logger.warning("strategies engine: Redis %s; retrying in %.0f s", exc, state.pause)
                await asyncio.sleep(state.pause)
                state.pause = min(state.pause * 2, 30.0)
                state.failed = True  # what was read and not acknowledged is read again
            except redis.exceptions.ResponseError as exc:
                if "NOGROUP" not in str(exc) and "UNBLOCKED" not in str(exc):
                    raise
                logger.warning("strategies engine: the stream or its group is gone (%s); made again", exc)
                await _group_ensure(client, stream, group, "0")  # a new stream: everything added from now on
                state.failed = True
    finally:
        runs.cancel()
        await engine.close()
        if state.in_flight:
            await asyncio.wait(state.in_flight, timeout=30)


async def _status(leases: ShardLeases, held: dict[int, _Held]) -> None:
    """This process's heartbeat under its own key, and the sum over live processes under HEARTBEAT_KEY."""
    mine = {"alive_at": time.time(), "owner": leases.owner, "host": socket.gethostname(), "held": sorted(held),
            "runs": sum(len(s.engine.slots) for s in held.values() if s.engine),
            "in_flight": sum(len(s.reader.in_flight) for s in held.values() if s.reader)}
    client = leases.client
    try:
        await asyncio.to_thread(client.set, f"{HEARTBEAT_KEY}:{leases.owner}", json.dumps(mine), ex=60)
        members = await asyncio.to_thread(leases.members)
        raw = await asyncio.to_thread(client.mget, [f"{HEARTBEAT_KEY}:{m}" for m in members]) if members else []
        parts = [json.loads(r) for r in raw if r is not None] or [mine]
        total = {"alive_at": max(p["alive_at"] for p in parts), "shards": leases.shards, "processes": len(parts),
                 "held": {p["owner"]: p["held"] for p in parts}, "runs": sum(p["runs"] for p in parts),
                 "in_flight": sum(p["in_flight"] for p in parts), "host": mine["host"]}
        await asyncio.to_thread(client.set, HEARTBEAT_KEY, json.dumps(total), ex=60)
    except redis.RedisError as exc:
        logger.warning("strategies engine: heartbeat not written (%s)", exc)


async def _group_ensure(client, stream: str, group: str, start: str) -> None:
    try:
        await client.xgroup_create(stream, group, id=start, mkstream=True)
    except redis.exceptions.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


class _Reader:
    """Reads the group: the consumer's pending entries first (from `cursor`, page by page: what a
    crash or an infrastructure error left unacknowledged), then new ones.  Each entry is acknowledged
    by its own task once its runs are done, so reading goes on while runs work; after a failure the
    pending list is read again once nothing is in flight."""

    MAX_IN_FLIGHT = 5000

    def __init__(self, client, stream: str, group: str, consumer: str, market: str, engine: Engine):
        self.client, self.stream, self.group, self.consumer = client, stream, group, consumer
        self.market, self.engine = market, engine
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
            answer = await self.client.xreadgroup(self.group, self.consumer, {self.stream: self.cursor}, count=500)
            entries = answer[0][1] if answer else []
            if not entries:
                self.cursor = None
                return
            self.cursor = entries[-1][0].decode() if isinstance(entries[-1][0], bytes) else entries[-1][0]
        else:
            answer = await self.client.xreadgroup(self.group, self.consumer, {self.stream: ">"}, count=500, block=block_ms)
            entries = answer[0][1] if answer else []
        done = [i for i, f in entries if not f]  # trimmed from the stream while pending
        events = [candle_event_decode(i, f) for i, f in entries if f]
        done += [e.id for e in events if e.market != self.market]  # another market: not traded
        if done:
            await self.client.xack(self.stream, self.group, *done)
        for entry_id, futures in self.engine.submit([e for e in events if e.market == self.market]):
            task = asyncio.create_task(self._ack(entry_id, futures))
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)

    async def _ack(self, entry_id: str, futures) -> None:
        if await settled(futures):
            try:
                await self.client.xack(self.stream, self.group, entry_id)
                self.pause = 1.0
                return
            except redis.exceptions.RedisError as exc:
                logger.warning("strategies engine: %s not acknowledged (%s)", entry_id, exc)
        self.failed = True
