"""Celery tasks of the signals app: thin, ids and plain values in, one service call each.

Names are explicit so CELERY_TASK_ROUTES sends them to their queues (`signals.scan_*` and
`signals.full_data_refresh` -> scanner, `signals.cleanup_*` -> maintenance).
"""
from celery import shared_task

from signals.services import maintenance, scanning


@shared_task(
    name="signals.scan_binance_market",
    autoretry_for=(scanning.ScanTemporaryError,),
    retry_backoff=2,
    retry_backoff_max=30,
    retry_jitter=True,
    max_retries=3,
)
def scan_binance_market(timeframe: str | None = None) -> dict:
    """The full pass over the universe; also the fallback when the live streams are down."""
    return scanning.market_scan(timeframe=timeframe, trigger="schedule")


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
