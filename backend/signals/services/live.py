"""The live path: closed candles from the market stream process -> engine -> signals.

`manage.py run_live_signals` reads the `market:candles` Redis Stream (see market/candle_events.py)
and hands each batch to `LiveEvaluator.handle`. The evaluator keeps one engine whose candle cache
lives as long as the process: a (symbol, interval) seen for the first time is seeded from the
candle store, after which each closed candle costs one append. Evaluation itself is
`signals_evaluate`, the same service the periodic scan uses, so both paths agree and never
duplicate a signal.

Several processes (`--shards S`, or `SIGNALS_LIVE_SHARDS`; the same S everywhere) split the
symbols: symbol -> shard by `market.shard_leases.shard_of` (the stream shards' stable hash), each
shard held through a lease in Redis (namespace `signals:live`, 15 s) by one process, at most
ceil(S / live processes) shards each. Every process reads the whole stream once, from the oldest
resume point of its shards, and evaluates the candles of its shards only. Each shard has its own
resume point (`signals:live:last-id:<S>:<n>`; `signals:live:last-id` when S = 1), written after
each batch only while the lease still holds (a Lua compare-and-set), so the process taking a dead
one's shard goes on from the last batch that one finished: no candle missed; one evaluated twice
(a batch handled but its point not written) finds its signals by their unique keys. A shard taken
or lost starts a new evaluator: its caches are seeded again from the store. With S = 1 (the
default) a second process is a standby.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict

import numpy as np
import redis
from django.conf import settings

from market.candle_events import STREAM_KEY, candle_events_read
from market.shard_leases import ShardLeases, shard_of
from signals.config import WARMUP
from signals.services.persistence import AppliedEvents
from signals.services.scanning import CandleSet, signals_evaluate
from signals.services.status import LIVE_HEARTBEAT_KEY

logger = logging.getLogger(__name__)

#: Closed candles seeded per (symbol, interval) from the candle store: the window the scan
#: fetches too (config.WARMUP), so both paths compute the same indicators for the same candle.
HISTORY = WARMUP
RESUME_KEY = "signals:live:last-id"
HEARTBEAT_KEY = LIVE_HEARTBEAT_KEY  # heartbeat of this process, read by the scanner status


class LiveEvaluator:
    def __init__(self) -> None:
        from signals.engine import SignalDetectionEngine

        self.engine = SignalDetectionEngine()
        self.seeded: set[tuple[str, str]] = set()
        self.timeframes = set(self.engine.config.timeframes)

    def handle(self, events) -> AppliedEvents:
        """Evaluate the symbols that got new closed candles, one engine pass per interval."""
        rows: dict[str, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
        for event in events:
            c = event.candle
            if c.interval in self.timeframes:
                rows[c.interval][c.symbol].append(
                    (c.open_time, float(c.open), float(c.high), float(c.low), float(c.close), float(c.volume)))
        total = AppliedEvents()
        for interval, by_symbol in rows.items():
            newest = max(r[0] for symbol_rows in by_symbol.values() for r in symbol_rows)
            self._seed([s for s in by_symbol if (s, interval) not in self.seeded], interval, newest)
            candle_set = CandleSet(
                timeframe=interval,
                candles={s: np.array(r, dtype=np.float64) for s, r in by_symbol.items()},
                now_ms=newest + self.engine.config.timeframe_ms(interval),
            )
            total.add(signals_evaluate(candle_set, engine=self.engine))
        return total

    def _seed(self, symbols: list[str], interval: str, until_open_time: int) -> None:
        from market.selectors import candles_last

        if not symbols:
            return
        for symbol, k in candles_last(symbols, interval, HISTORY, until_open_time=until_open_time).items():
            history = np.column_stack([k.open_time.astype(np.float64), k.open, k.high, k.low, k.close, k.volume])
            self.engine.update_candles(symbol, interval, history)
        self.seeded.update((s, interval) for s in symbols)


LEASE_MS = 15_000
_RESUME_FENCED = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
return 1
"""


def resume_key(shard: int, shards: int) -> str:
    return RESUME_KEY if shards == 1 else f"{RESUME_KEY}:{shards}:{shard}"


def _id(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


class LiveShards:
    """The shards this process holds: lease value and resume point (a stream entry id) of each.

    The leases are also renewed (and the process's membership beaten) by a thread of their own
    every ttl/5, so an evaluation longer than the lease (seeding 1,000 windows from the store) does
    not lose them; the loop's `tick` (`ShardLeases.rebalance`) finds a lease gone, and takes or
    gives back shards.
    """

    def __init__(self, client: redis.Redis, *, shards: int, lease_ms: int = LEASE_MS) -> None:
        owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.client = client
        self.leases = ShardLeases(client, owner=owner, shards=shards, ttl_ms=lease_ms, namespace="signals:live",
                                  members_key="signals:live:members")
        self.held: dict[int, list[str]] = {}  # shard -> [lease value, resume point]
        self._resume = client.register_script(_RESUME_FENCED)
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._renewer = threading.Thread(target=self._renew_loop, name="live-leases", daemon=True)
        self._renewer.start()

    def _renew_loop(self) -> None:
        while not self._closing.wait(self.leases.ttl_ms / 5000):
            with self._lock:
                items = [(number, held[0]) for number, held in self.held.items()]
            try:
                self.leases.beat()
                for number, value in items:
                    self.leases.renew(number, value)  # a lease found gone here is dropped by `tick`
            except redis.RedisError as exc:
                logger.warning("live signals: leases not renewed (%s)", exc)

    @property
    def shards(self) -> int:
        return self.leases.shards

    def tick(self) -> bool:
        """Beat, renew, then give back one shard above this process's share or take free ones up
        to it; True when the shards held changed."""
        plan = self.leases.rebalance({number: held[0] for number, held in self.held.items()})
        with self._lock:
            for number in plan.lost:
                logger.warning("live signals: shard %d/%d lost", number, self.shards)
                del self.held[number]
            if plan.give_back is not None:
                self.leases.release(plan.give_back, self.held.pop(plan.give_back)[0])
            for number, value in plan.taken.items():
                point = self.client.get(resume_key(number, self.shards))
                self.held[number] = [value, point.decode() if point else self._stream_end()]
                logger.info("live signals: shard %d/%d taken from %s", number, self.shards, self.held[number][1])
        return bool(plan.lost or plan.taken) or plan.give_back is not None

    def _stream_end(self) -> str:
        last = self.client.xrevrange(STREAM_KEY, count=1)
        return (last[0][0].decode() if isinstance(last[0][0], bytes) else last[0][0]) if last else "0-0"

    def start(self) -> str:
        """Where to read from: the oldest resume point of the shards held."""
        return min((point for _, point in self.held.values()), key=_id)

    def mine(self, events) -> list:
        """The events of the shards held, each after its shard's resume point."""
        points = {n: _id(point) for n, (_, point) in self.held.items()}
        return [e for e in events if (n := shard_of(e.candle.symbol, self.shards)) in points and _id(e.id) > points[n]]

    def advance(self, entry_id: str) -> bool:
        """Every shard held has handled up to `entry_id`; False if a lease was found lost (that shard
        is dropped, its point unwritten)."""
        ok = True
        for number, held in list(self.held.items()):
            if _id(entry_id) <= _id(held[1]):
                continue
            if self._resume(keys=[self.leases.key(number), resume_key(number, self.shards)], args=[held[0], entry_id]):
                held[1] = entry_id
            else:
                with self._lock:
                    del self.held[number]
                ok = False
        return ok

    def close(self) -> None:
        self._closing.set()
        self._renewer.join(5)
        for number, (value, _) in list(self.held.items()):
            self.leases.release(number, value)
        self.held.clear()
        self.leases.leave()


def live_signals_run(*, stop, block_ms: int = 1000, shards: int = 1, lease_ms: int = LEASE_MS) -> None:
    """Follow the candle stream until `stop.is_set()`; each shard resumes after the last entry handled.

    The process outlives its dependencies' hiccups: when Redis or PostgreSQL is away it waits and
    retries (the periodic scan covers the gap); a batch the engine cannot evaluate is logged and
    skipped rather than retried forever.
    """
    from django.db import OperationalError, close_old_connections

    client = redis.Redis.from_url(settings.REDIS_URL)
    held = LiveShards(client, shards=shards, lease_ms=lease_ms)
    evaluator = LiveEvaluator()
    last_event_at, pause, next_tick = None, 1.0, 0.0
    while not stop.is_set():
        try:
            if time.monotonic() >= next_tick:
                if held.tick():
                    evaluator = LiveEvaluator()  # the shards changed: caches seeded again from the store
                next_tick = time.monotonic() + lease_ms / 5000
            if not held.held:
                stop.wait(min(block_ms, lease_ms / 5) / 1000)  # a standby
                continue
            events = candle_events_read(client, after_id=held.start(), count=5000, block_ms=block_ms)
            if events:
                mine = held.mine(events)
                if mine:
                    _handle(evaluator, mine)
                    last_event_at = time.time()
                if not held.advance(events[-1].id):
                    evaluator = LiveEvaluator()
            client.set(HEARTBEAT_KEY, json.dumps({"alive_at": time.time(), "last_event_at": last_event_at,
                                                  "shards": held.shards, "held": sorted(held.held)}), ex=60)
            pause = 1.0
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OperationalError) as exc:
            logger.warning("live signals: %s; retrying in %.0f s", exc, pause)
            close_old_connections()
            stop.wait(pause)
            pause = min(pause * 2, 30.0)
    try:
        held.close()
    except redis.RedisError:
        pass


def _handle(evaluator: LiveEvaluator, events) -> None:
    from django.db import OperationalError

    started = time.perf_counter()
    try:
        applied = evaluator.handle(events)
    except OperationalError:
        raise  # the database is away: retried by the caller
    except Exception:  # noqa: BLE001 — one bad batch must not stop the live path; the scan covers it
        logger.exception("live signals: skipped %d candles the engine could not evaluate", len(events))
        return
    logger.info("%d candles -> %d created, %d updated, %d closed in %.0f ms", len(events),
                len(applied.created), len(applied.updated), len(applied.closed),
                (time.perf_counter() - started) * 1000)
