"""Celery tasks of the signals app: thin, ids and plain values in, one service call each.

Names are explicit so CELERY_TASK_ROUTES sends them to their queues (`signals.scan_*` and
`signals.full_data_refresh` -> scanner, `signals.cleanup_*` -> maintenance).
"""
from celery import shared_task

from signals.services import maintenance, scan_batches, scanning


# acks_late + reject_on_worker_lost: a worker dying mid-scan leaves the message to be delivered
# again (same task id, so scan_runs.scan_slot_claim lets it run); the scan is idempotent.
@shared_task(
    name="signals.scan_binance_market",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(scanning.ScanTemporaryError,),
    retry_backoff=2,
    retry_backoff_max=30,
    retry_jitter=True,
    max_retries=3,
)
def scan_binance_market(self, timeframe: str | None = None, scheduled: bool = False,
                        batch_size: int | None = None) -> dict:
    """The full pass over the universe; also the fallback when the live streams are down. A
    universe larger than one batch is scanned as a chord of `scan_batch` (scan_batches.py).

    `scheduled`: sent by Beat (its entry's kwargs): the scan claims the schedule's slot."""
    queue = (self.request.delivery_info or {}).get("routing_key")
    return scan_batches.market_scan_start(timeframe=timeframe, trigger="schedule", batch_size=batch_size,
                                          task_id=self.request.id if scheduled else None, queue=queue)


# One batch of a chord scan; redelivered if its worker dies, idempotent (conditional writes).
@shared_task(
    name="signals.scan_batch",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(scanning.ScanTemporaryError,),
    retry_backoff=2,
    retry_backoff_max=30,
    retry_jitter=True,
    max_retries=3,
)
def scan_batch(run_id: int, timeframe: str, boundary: int, symbols: list[str], token: str) -> dict:
    return scan_batches.scan_batch_run(run_id, timeframe, boundary, symbols, token)


@shared_task(name="signals.scan_batches_finish", acks_late=True, reject_on_worker_lost=True)
def scan_batches_finish(results: list[dict], run_id: int, token: str, weight: int) -> dict:
    return scan_batches.scan_batches_close(run_id, token=token, results=results, weight=weight)


@shared_task(name="signals.scan_batches_failed", acks_late=True)
def scan_batches_failed(run_id: int, token: str) -> dict:
    return scan_batches.scan_batches_close(run_id, token=token, failed=True,
                                           errors=["a batch failed after its retries"])


@shared_task(
    name="signals.full_data_refresh",
    autoretry_for=(scanning.ScanTemporaryError,),
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=2,
)
def full_data_refresh() -> dict:
    """Refresh the universe and reload every timeframe's candles."""
    return scanning.market_refresh()


# Idempotent (conditional writes), so it may be acknowledged late and rerun after a crash.
@shared_task(name="signals.cleanup_expired_signals", acks_late=True)
def cleanup_expired_signals() -> dict:
    return maintenance.signals_cleanup()
