"""The live path: closed candles from the market stream process -> engine -> signals.

`manage.py run_live_signals` reads the `market:candles` Redis Stream (see market/candle_events.py)
and hands each batch to `LiveEvaluator.handle`. The evaluator keeps one engine whose candle cache
lives as long as the process: a (symbol, interval) seen for the first time is seeded from the
candle store, after which each closed candle costs one append. Evaluation itself is
`signals_evaluate`, the same service the periodic scan uses, so both paths agree and never
duplicate a signal.
"""
from __future__ import annotations

import json
import logging
import time
from collections import defaultdict

import numpy as np
import redis
from django.conf import settings

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


def live_signals_run(*, stop, block_ms: int = 1000) -> None:
    """Follow the candle stream until `stop.is_set()`; resumes after the last entry handled.

    The process outlives its dependencies' hiccups: when Redis or PostgreSQL is away it waits and
    retries (the periodic scan covers the gap); a batch the engine cannot evaluate is logged and
    skipped rather than retried forever.
    """
    from django.db import OperationalError, close_old_connections

    from market.candle_events import candle_events_read

    client = redis.Redis.from_url(settings.REDIS_URL)
    evaluator = LiveEvaluator()
    last_id, last_event_at, pause = None, None, 1.0
    while not stop.is_set():
        try:
            if last_id is None:
                last_id = (client.get(RESUME_KEY) or b"$").decode()
            events = candle_events_read(client, after_id=last_id, count=5000, block_ms=block_ms)
            if events:
                _handle(evaluator, events)
                last_id = events[-1].id
                client.set(RESUME_KEY, last_id)
                last_event_at = time.time()
            client.set(HEARTBEAT_KEY, json.dumps({"alive_at": time.time(), "last_event_at": last_event_at}), ex=60)
            pause = 1.0
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OperationalError) as exc:
            logger.warning("live signals: %s; retrying in %.0f s", exc, pause)
            close_old_connections()
            stop.wait(pause)
            pause = min(pause * 2, 30.0)


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
