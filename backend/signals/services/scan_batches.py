"""The periodic scan split by symbol batches over Celery workers (a chord).

    scan_binance_market (any worker)        claims the Beat slot, takes the scan lock, records
        |                                   one ScanRun "running", pins the candle boundary
        +-- scan_batch x N (any workers)    each: its symbols' windows from the store, the rest
        |                                   over REST (stored), the engine, conditional writes
        +-- scan_batches_finish             sums the batches into the ScanRun, releases the lock
            (or scan_batches_failed)        a batch that failed for good: the run failed, lock released

A universe of at most `SCAN_BATCH_SIZE` symbols (the default 250 is more than the platform's
default universe) is scanned in one task as before (scanning.market_scan); larger ones are cut into
batches of that size, evaluated in parallel by whichever workers consume the scanner queue.

Why it stays correct:
* Slot and lock: taken once, by the coordinating task, with its task id as the token (a redelivery
  of that task after its worker died takes both over, as in `market_scan`). The lock is held until
  the chord's callback releases it (compare-and-delete on the token); every batch renews it, so a
  long scan does not lose it, and a lost chord frees it after LOCK_SECONDS.
* A worker killed mid-batch: `scan_batch` is `acks_late` + `reject_on_worker_lost`, so the batch is
  delivered again; the chord counts a part only when it returns, so the callback runs once, after
  every batch. Re-running a batch is idempotent: the engine restores the active signals from
  PostgreSQL and every write is conditional (persistence.py), the store is an upsert.
* Every batch evaluates at the same pinned boundary, so the batches agree on "now" like one pass.
"""
from __future__ import annotations

import asyncio
import logging
import os

import redis
from django.conf import settings
from django.utils import timezone

from market.binance.errors import BinanceError
from signals.models import ScanRun
from signals.services import scanning
from signals.services import status as scanner_status

logger = logging.getLogger(__name__)

#: Symbols per batch; a universe this size or smaller is scanned in one task.
SCAN_BATCH_SIZE = int(os.environ.get("SCAN_BATCH_SIZE") or 250)


def batches_of(symbols: list[str], size: int) -> list[list[str]]:
    return [symbols[i:i + size] for i in range(0, len(symbols), size)]


def _skipped(timeframe: str, trigger: str, errors: list[str]) -> dict:
    now = timezone.now()
    run = ScanRun.objects.create(trigger=trigger, timeframe=timeframe, status=ScanRun.Outcome.SKIPPED,
                                 started_at=now, finished_at=now, duration_ms=0, errors=errors)
    return {"scan_run": run.pk, "status": run.status}


def market_scan_start(*, timeframe: str | None = None, trigger: str = "schedule", task_id: str | None = None,
                      batch_size: int | None = None, queue: str | None = None) -> dict:
    """Scan the universe: in this task when it fits one batch, else as a chord of batches on
    `queue` (the queue this task came from, so the batches go to the same workers)."""
    from market.services import universe_symbols_ensure
    from signals.services.scan_runs import scan_runs_orphaned_fail, scan_slot_claim

    timeframe = timeframe or settings.SCANNER["timeframe"]
    size = batch_size or SCAN_BATCH_SIZE
    symbols = universe_symbols_ensure()
    if len(symbols) <= size:
        return scanning.market_scan(timeframe=timeframe, trigger=trigger, task_id=task_id)
    if not scan_slot_claim(timeframe=timeframe, task_id=task_id):
        return _skipped(timeframe, trigger, ["another scan took this schedule slot"])
    lock = scanning._lock(timeframe)
    if not scanning._lock_acquire(lock, task_id):
        return _skipped(timeframe, trigger, [])
    token = lock.local.token.decode()
    scan_runs_orphaned_fail(timeframe=timeframe)  # the lock is ours: any "running" run is dead
    run = ScanRun.objects.create(trigger=trigger, timeframe=timeframe, started_at=timezone.now())
    scanner_status.scanner_status_publish(state="running", timeframe=timeframe)
    try:
        boundary, weight = asyncio.run(scanning._exchange_boundary(timeframe))
    except Exception as exc:
        scan_batches_close(run.pk, token=token, errors=[f"{type(exc).__name__}: {exc}"], failed=True)
        raise scanning.ScanTemporaryError(str(exc)) from exc
    # The tasks by name (signals/tasks.py): a service does not import the task layer above it.
    from celery import chord, signature

    options = {"queue": queue} if queue else {}
    parts = batches_of(symbols, size)
    header = [signature("signals.scan_batch", args=(run.pk, timeframe, boundary, part, token), options=options)
              for part in parts]
    callback = signature("signals.scan_batches_finish", args=(run.pk, token, weight), options=options)
    errback = signature("signals.scan_batches_failed", args=(run.pk, token), options=options, immutable=True)
    chord(header)(callback.on_error(errback))
    logger.info("scan %d of %s: %d symbols in %d batches", run.pk, timeframe, len(symbols), len(parts))
    return {"scan_run": run.pk, "status": run.status, "symbols": len(symbols), "batches": len(parts)}


def scan_batch_run(run_id: int, timeframe: str, boundary: int, symbols: list[str], token: str) -> dict:
    """One batch: store windows, REST for the rest (stored), evaluated at `boundary`."""
    from market.services import klines_store

    lock = scanning._lock(timeframe)
    lock.local.token = token.encode()
    try:
        if not lock.reacquire():  # renew the scan's lock: the scan is still alive
            logger.warning("scan %d: the scan lock is no longer held; evaluating the batch anyway", run_id)
    except redis.exceptions.LockError:
        logger.warning("scan %d: the scan lock is no longer held; evaluating the batch anyway", run_id)
    try:
        stored = scanning.stored_windows(symbols, timeframe, boundary_ms=boundary)
        batch, weight = asyncio.run(scanning._fetch_klines([s for s in symbols if s not in stored], timeframe,
                                                           boundary))
        klines_store(k for k in batch.klines.values() if len(k))
        candle_set = scanning.candles_from_klines(batch.klines, timeframe, boundary_ms=boundary)
        candle_set.candles.update(stored)
        applied = scanning.signals_evaluate(candle_set)
    except (BinanceError, OSError, asyncio.TimeoutError) as exc:
        raise scanning.ScanTemporaryError(str(exc)) from exc
    errors = [f"{symbol}: {type(err).__name__}: {err}" for symbol, err in sorted(batch.errors.items())]
    return {"symbols": len(candle_set.candles), "weight": weight, "created": len(applied.created),
            "updated": len(applied.updated), "closed": len(applied.closed), "errors": errors}


def scan_batches_close(run_id: int, *, token: str, results: list[dict] | None = None, weight: int = 0,
                       errors: list[str] | None = None, failed: bool = False) -> dict:
    """Record the batches' sums on the run (only if it is still running: a run closed by a later
    scan stays as it was closed), release the scan lock, tell the dashboards."""
    results = results or []
    run = ScanRun.objects.get(pk=run_id)
    finished = timezone.now()
    fields = dict(
        status=ScanRun.Outcome.FAILED if failed else ScanRun.Outcome.OK, finished_at=finished,
        duration_ms=round((finished - run.started_at).total_seconds() * 1000, 1),
        symbols=sum(r["symbols"] for r in results), weight_used=weight + sum(r["weight"] for r in results),
        signals_created=sum(r["created"] for r in results), signals_updated=sum(r["updated"] for r in results),
        signals_closed=sum(r["closed"] for r in results),
        errors=(errors or []) + [e for r in results for e in r["errors"]])
    ScanRun.objects.filter(pk=run_id, status=ScanRun.Outcome.RUNNING).update(**fields)
    lock = scanning._lock(run.timeframe)
    lock.local.token = token.encode()
    try:
        lock.release()
    except redis.exceptions.LockError:
        logger.warning("scan lock of %s expired before scan %d ended", run.timeframe, run_id)
    scanner_status.scanner_status_publish(state="error" if failed else "idle", timeframe=run.timeframe)
    if failed:
        scanner_status.scanner_error_publish(message=f"scan of {run.timeframe} failed")
    return {"scan_run": run_id, "status": fields["status"], "symbols": fields["symbols"],
            "duration_ms": fields["duration_ms"], "created": fields["signals_created"],
            "updated": fields["signals_updated"], "closed": fields["signals_closed"], "errors": len(fields["errors"])}
