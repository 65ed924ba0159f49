"""The scan: candles -> engine -> persisted, published signal changes.

Two paths use `signals_evaluate`: the periodic full pass (`market_scan`, a Celery task that
pins one candle boundary by the exchange clock, reads each symbol's window from the candle store
when the store holds all of it, and fetches the others over REST, ending at that boundary, and
stores them: the safety net behind the stream process, a full REST pass only when the stream
has stopped keeping the store current) and the
live path (closed candles from the stream process). The
engine holds no state between passes that matters: the active signals are loaded from
PostgreSQL before each pass, and every write is conditional (see `persistence.py`), so the two
paths may run at the same time without duplicating or losing a change.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import numpy as np
import redis
from django.conf import settings
from django.utils import timezone

from common import metrics
from market.binance.errors import BinanceError
from realtime.dispatcher import batched
from signals.config import TIMEFRAME_MS, WARMUP
from signals.models import ScanRun, Signal, Status
from signals.services import status as scanner_status
from signals.services.persistence import AppliedEvents, signal_events_apply

logger = logging.getLogger(__name__)

#: Closed candles fetched per symbol: the same window the live path computes on (config.WARMUP).
SCAN_CANDLES = WARMUP
LOCK_SECONDS = 120


class ScanTemporaryError(Exception):
    """The exchange or a service failed in a way a retry may fix (timeouts, 5xx, bans ending)."""


@dataclass
class CandleSet:
    """Closed candles of many symbols for one timeframe, as (n, 6) arrays of
    open_time, open, high, low, close, volume, oldest first; `now_ms` is the exchange's time."""

    timeframe: str
    candles: dict[str, np.ndarray]
    now_ms: int


def active_signals_as_records(*, timeframe: str, symbols) -> list:
    """Active signals from the database as engine records (the source of truth for the engine)."""
    from signals.lifecycle import ActiveSignal, Direction, SignalState

    rows = Signal.objects.filter(status=Status.ACTIVE, timeframe=timeframe, symbol__in=list(symbols))
    return [
        ActiveSignal(
            id=row.key, symbol=row.symbol, timeframe=row.timeframe, direction=Direction(row.direction),
            confidence=row.confidence, entry=row.entry, stop_loss=row.stop_loss, take_profit=row.take_profit,
            reward_risk=row.reward_risk, conditions=tuple(row.conditions), snapshot=dict(row.snapshot),
            created_at=row.created_ms, updated_at=row.created_ms, candle_open_time=row.candle_open_time,
            state=SignalState.ACTIVE, initial_confidence=row.initial_confidence, expires_at=row.expires_ms,
            initial_stop_loss=row.initial_stop_loss, initial_take_profit=row.initial_take_profit,
        )
        for row in rows
    ]


def signals_evaluate(candle_set: CandleSet, *, engine=None) -> AppliedEvents:
    """Run the engine over `candle_set` with the database's active signals; persist the events."""
    from signals.engine import SignalDetectionEngine

    engine = engine or SignalDetectionEngine()
    tf = candle_set.timeframe
    for symbol, rows in candle_set.candles.items():
        engine.update_candles(symbol, tf, rows, now_ms=candle_set.now_ms)
    symbols = list(candle_set.candles)
    engine.restore_signals(active_signals_as_records(timeframe=tf, symbols=symbols), timeframe=tf, symbols=symbols)
    events = engine.process_batch(symbols, tf, now_ms=candle_set.now_ms)
    # The changes of one pass reach each dashboard as one frame (see realtime/dispatcher.py).
    with batched():
        return signal_events_apply(events=events)


def candle_boundary(server_ms: int, timeframe: str) -> int:
    """The last candle boundary at or before `server_ms` (exchange clock): the close of the last
    closed candle and the open of the forming one. The scan evaluates every symbol "now" = this."""
    step = TIMEFRAME_MS[timeframe]
    return server_ms // step * step


def candles_from_klines(klines_by_symbol: dict, timeframe: str, *, boundary_ms: int) -> CandleSet:
    """REST klines -> a CandleSet evaluated at `boundary_ms` (see `candle_boundary`).

    One "now" for every symbol, pinned before the fetch: a candle that opened at or after it had
    not closed when the scan began (a fetch delayed past the next boundary, e.g. by a 429, returns
    it), so the engine drops it and scores the same closed candle as every other symbol.
    """
    arrays = {}
    for symbol, k in klines_by_symbol.items():
        if len(k) == 0:
            continue
        arrays[symbol] = np.column_stack([k.open_time.astype(np.float64), k.open, k.high, k.low, k.close, k.volume])
    return CandleSet(timeframe=timeframe, candles=arrays, now_ms=boundary_ms)


def _lock(timeframe: str):
    client = redis.Redis.from_url(settings.REDIS_URL)
    # One scan per universe and timeframe at a time; the lock expires if a worker dies.
    return client.lock(f"signals:scan-lock:{settings.SCANNER['universe_key']}:{timeframe}",
                       timeout=LOCK_SECONDS, blocking=False)


def _lock_acquire(lock, task_id: str | None) -> bool:
    """Take the scan lock, with the task id as its token when there is one: a redelivered task
    (its worker killed mid-scan, the lock left behind until it expires) takes its own lock over."""
    token = task_id.encode() if task_id else None
    if lock.acquire(token=token):
        return True
    if token is not None and lock.redis.get(lock.name) == token:
        lock.redis.set(lock.name, token, ex=LOCK_SECONDS)
        lock.local.token = token
        return True
    return False


def market_scan(*, timeframe: str | None = None, trigger: str = "schedule", task_id: str | None = None) -> dict:
    """The full pass: fetch candles of the universe over REST, evaluate, record a ScanRun.

    `task_id`: the Celery task's id, so a second Beat's send in the same slot is skipped while
    the redelivery of this very task after a lost worker runs (scan_runs.py)."""
    from signals.services.scan_runs import scan_slot_claim

    timeframe = timeframe or settings.SCANNER["timeframe"]
    if not scan_slot_claim(timeframe=timeframe, task_id=task_id):
        run = ScanRun.objects.create(trigger=trigger, timeframe=timeframe, status=ScanRun.Outcome.SKIPPED,
                                     started_at=timezone.now(), finished_at=timezone.now(), duration_ms=0,
                                     errors=["another scan took this schedule slot"])
        return {"scan_run": run.pk, "status": run.status}
    lock = _lock(timeframe)
    if not _lock_acquire(lock, task_id):
        run = ScanRun.objects.create(trigger=trigger, timeframe=timeframe, status=ScanRun.Outcome.SKIPPED,
                                     started_at=timezone.now(), finished_at=timezone.now(), duration_ms=0)
        return {"scan_run": run.pk, "status": run.status}
    try:
        return _scan_locked(timeframe, trigger)
    finally:
        try:
            lock.release()
        except redis.exceptions.LockError:
            logger.warning("scan lock expired before the scan of %s ended", timeframe)


def _scan_locked(timeframe: str, trigger: str) -> dict:
    from signals.services.scan_runs import scan_runs_orphaned_fail

    scan_runs_orphaned_fail(timeframe=timeframe)  # the lock is ours: any "running" run is dead
    started = time.perf_counter()
    run = ScanRun.objects.create(trigger=trigger, timeframe=timeframe, started_at=timezone.now())
    scanner_status.scanner_status_publish(state="running", timeframe=timeframe)
    try:
        from market.services import klines_store, universe_symbols_ensure

        symbols = universe_symbols_ensure()
        boundary, weight = asyncio.run(_exchange_boundary(timeframe))
        stored = stored_windows(symbols, timeframe, boundary_ms=boundary)
        batch, klines_weight = asyncio.run(_fetch_klines([s for s in symbols if s not in stored], timeframe, boundary))
        weight += klines_weight
        # A backfill: what had to be fetched is stored, so the next scan and the live path read it there.
        klines_store(k for k in batch.klines.values() if len(k))
        candle_set = candles_from_klines(batch.klines, timeframe, boundary_ms=boundary)
        candle_set.candles.update(stored)
        applied = signals_evaluate(candle_set)
    except Exception as exc:
        # Whatever failed, the run is closed and the dashboard told; the task decides on retries.
        _finish(run, started, status=ScanRun.Outcome.FAILED, errors=[f"{type(exc).__name__}: {exc}"])
        scanner_status.scanner_error_publish(message=f"scan of {timeframe} failed: {type(exc).__name__}")
        if isinstance(exc, (BinanceError, OSError, asyncio.TimeoutError)):
            raise ScanTemporaryError(str(exc)) from exc
        raise
    errors = [f"{symbol}: {type(err).__name__}: {err}" for symbol, err in sorted(batch.errors.items())]
    _finish(run, started, status=ScanRun.Outcome.OK, errors=errors, symbols=len(candle_set.candles), weight_used=weight,
            signals_created=len(applied.created), signals_updated=len(applied.updated),
            signals_closed=len(applied.closed))
    return {"scan_run": run.pk, "status": run.status, "symbols": run.symbols, "duration_ms": run.duration_ms,
            "created": len(applied.created), "updated": len(applied.updated), "closed": len(applied.closed),
            "errors": len(errors)}


def stored_windows(symbols: list[str], timeframe: str, *, boundary_ms: int) -> dict[str, np.ndarray]:
    """Symbols whose whole window (the SCAN_CANDLES closed candles up to `boundary_ms`) is in the
    candle store, contiguous: read there instead of over REST. While the stream runs that is every
    symbol, and a scan then costs one request (the exchange clock) instead of weight 5 a pair; the
    live path reads the same rows, so both still compute on the same candles.

    The windows come from this process's mirror of the store (market/store_mirror.py), which
    reads only the rows written since its last pass; a window the mirror cannot give whole is read
    from the store directly."""
    from market.selectors import candles_last
    from market.store_mirror import SPARE, store_mirror

    step = TIMEFRAME_MS[timeframe]
    last = boundary_ms - step

    def whole(rows: np.ndarray) -> bool:
        return len(rows) == SCAN_CANDLES and rows[-1, 0] == last and rows[-1, 0] - rows[0, 0] == (SCAN_CANDLES - 1) * step

    mirror = store_mirror(settings.BINANCE.market, timeframe, SCAN_CANDLES + SPARE)
    mirrored = mirror.windows(symbols, SCAN_CANDLES, until_open_time=last) or {}
    windows = {symbol: rows for symbol, rows in mirrored.items() if whole(rows)}
    rest = [s for s in symbols if s not in windows]
    for symbol, k in candles_last(rest, timeframe, SCAN_CANDLES, until_open_time=last).items():
        rows = np.column_stack([k.open_time.astype(np.float64), k.open, k.high, k.low, k.close, k.volume])
        if whole(rows):
            windows[symbol] = rows
    return windows


async def _exchange_boundary(timeframe: str) -> tuple[int, int]:
    """(last candle boundary by the exchange clock, weight used: GET time weighs 1)."""
    from market.binance.client import BinanceClient

    async with BinanceClient.from_settings() as client:
        return candle_boundary(await client.market_data.server_time(), timeframe), client.stats.weight


async def _fetch_klines(symbols: list[str], timeframe: str, boundary: int):
    """(klines, weight used): the last SCAN_CANDLES candles of every symbol opened before `boundary`."""
    from market.binance.client import BinanceClient
    from market.binance.market_data import KlinesBatch

    if not symbols:
        return KlinesBatch(), 0
    async with BinanceClient.from_settings() as client:
        batch = await client.market_data.klines_fetch_batch(symbols, timeframe, SCAN_CANDLES, end_time=boundary - 1)
        return batch, client.stats.weight


async def _fetch(symbols: list[str], timeframe: str):
    """(klines, weight used, boundary) over REST only: the exchange clock, then every symbol's
    window ending at its boundary."""
    boundary, weight = await _exchange_boundary(timeframe)
    batch, klines_weight = await _fetch_klines(symbols, timeframe, boundary)
    return batch, weight + klines_weight, boundary


def _finish(run: ScanRun, started: float, **fields) -> None:
    for name, value in fields.items():
        setattr(run, name, value)
    run.finished_at = timezone.now()
    run.duration_ms = round((time.perf_counter() - started) * 1000, 1)
    run.save()
    metrics.scan_observe(timeframe=run.timeframe, status=run.status, duration_ms=run.duration_ms, symbols=run.symbols)
    scanner_status.scanner_status_publish(state="idle" if run.status == ScanRun.Outcome.OK else "error",
                                          timeframe=run.timeframe)


def market_refresh() -> dict:
    """Hourly: refresh the universe from the exchange, then run a full scan of every timeframe."""
    from market import services as market_services

    try:
        universe = market_services.universe_refresh()
    except Exception as exc:
        raise ScanTemporaryError(str(exc)) from exc
    scans = {tf: market_scan(timeframe=tf, trigger="schedule") for tf in settings.SCANNER["timeframes"]}
    return {"universe": universe, "scans": scans}
