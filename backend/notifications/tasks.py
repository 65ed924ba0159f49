"""Thin Celery tasks of the notifications app."""
from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from notifications.services import DEFAULT_MIN_CONFIDENCE, signal_notifications_send


@shared_task(
    name="notifications.send_signal_notifications",
    # Delivery failures are recorded per delivery and retried by later runs; these retries are
    # for the run itself failing (database or Redis unreachable). The service is idempotent, so
    # a retried or redelivered run (acks_late) never sends anything twice.
    autoretry_for=(Exception,),
    dont_autoretry_for=(SoftTimeLimitExceeded,),
    max_retries=3,
    retry_backoff=5,
    retry_backoff_max=60,
    retry_jitter=True,
    acks_late=True,
)
def send_signal_notifications(min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> dict:
    """Notify every enabled rule of recent active signals at or above `min_confidence`."""
    return signal_notifications_send(min_confidence=float(min_confidence))
