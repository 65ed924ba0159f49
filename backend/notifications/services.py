"""Writes of the notifications app: queue deliveries for high-scoring signals and send them.

Which signals: score at or above NOTIFICATIONS_MIN_SCORE (and the rule's own minimum), and, when
NOTIFICATIONS_MIN_PROBABILITY is above 0, a calibrated take-profit probability at or above it.

Exactly once per (rule, signal), whatever runs overlap:
- a delivery row is inserted once: `UNIQUE (rule, signal)` with conflicts ignored;
- a run sends a delivery only after claiming it with a conditional UPDATE (attempts and
  next_attempt_at must still be what it read), which moves next_attempt_at past the send's
  worst case, so no other run picks it up while it is in flight;
- the outcome is written with another conditional UPDATE on the claimed attempt number.
A worker that dies between sending and recording leaves the claim to expire, and the delivery
is sent once more: webhooks carry `X-Delivery-Id` so a receiver can drop that repeat.
"""
from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from accounts.crypto import DecryptionError
from config.env import NotificationsEnv
from notifications import senders
from notifications.errors import DeliveryError, PermanentDeliveryError
from notifications.messages import signal_message, signal_payload, signal_subject
from notifications.models import DeliveryStatus, NotificationDelivery
from notifications.selectors import notification_deliveries_due, notification_rules_enabled, signals_lacking_delivery
from signals.models import Status
from signals.services.calibration import signal_probability

logger = logging.getLogger(__name__)

CLAIM_MARGIN_S = 60
OPEN = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


def signal_notifications_send(
    *, min_score: float | None = None, min_probability: float | None = None, batch_size: int = 200
) -> dict:
    """Queue a delivery per enabled rule for every recent active signal at or above the
    thresholds (and the rule's own), then send what is due. Safe to run concurrently.

    `min_score` (0-100) and `min_probability` (percent, 0 = no probability needed) default to
    NOTIFICATIONS_MIN_SCORE and NOTIFICATIONS_MIN_PROBABILITY.

    Returns counts: queued (deliveries created or found being created), sent, retrying (failed,
    another run will try again), failed (permanently, or out of attempts), dropped (the signal
    closed before it could be delivered).
    """
    config: NotificationsEnv = settings.NOTIFICATIONS
    queued = notification_deliveries_create(
        min_score=config.min_score if min_score is None else min_score,
        min_probability=config.min_probability if min_probability is None else min_probability,
        config=config,
    )
    summary = notification_deliveries_send_due(config=config, batch_size=batch_size)
    return {"queued": queued, **summary}


def notification_deliveries_create(*, min_score: float, min_probability: float, config: NotificationsEnv) -> int:
    now = timezone.now()
    since = now - timedelta(minutes=config.lookback_minutes)
    rows = [
        NotificationDelivery(rule=rule, signal_id=signal.id, created_at=now, next_attempt_at=now)
        for rule in notification_rules_enabled()
        for signal in signals_lacking_delivery(rule=rule, min_score=max(min_score, rule.min_score), since=since)
        if _probable_enough(signal, max(min_probability, rule.min_probability or 0))
    ]
    # A concurrent run may insert the same pairs first: the unique constraint keeps one.
    NotificationDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def notification_deliveries_send_due(*, config: NotificationsEnv, batch_size: int) -> dict:
    """Send due deliveries, at most `send_concurrency` at once, each claimed just before it is
    handed to a thread so its claim only has to outlast its own send."""
    summary = {"sent": 0, "retrying": 0, "failed": 0, "dropped": 0}
    lease = timedelta(seconds=senders.send_seconds_worst_case(config) + CLAIM_MARGIN_S)
    queue = deque(notification_deliveries_due(now=timezone.now(), limit=batch_size))
    in_flight: dict[Future, tuple[NotificationDelivery, int]] = {}
    with ThreadPoolExecutor(max_workers=config.send_concurrency, thread_name_prefix="notify") as pool:
        while queue or in_flight:
            while queue and len(in_flight) < config.send_concurrency:
                delivery = queue.popleft()
                if delivery.signal.status != Status.ACTIVE:
                    summary["dropped"] += _drop(delivery)
                    continue
                attempt = _claim(delivery, lease=lease)
                if attempt is None:
                    continue  # another run has it
                try:
                    outbound = _outbound(delivery)
                except DecryptionError as exc:  # the key it was stored under is gone: fix the rule
                    error = PermanentDeliveryError(f"the webhook secret cannot be read ({exc})")
                    summary[_record(delivery, attempt=attempt, error=error, config=config)] += 1
                    continue
                in_flight[pool.submit(senders.send, outbound, config=config)] = (delivery, attempt)
            if not in_flight:
                continue
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                delivery, attempt = in_flight.pop(future)
                outcome = _record(delivery, attempt=attempt, error=future.exception(), config=config)
                summary[outcome] += 1
    return summary


def notification_deliveries_retry(*, delivery_ids: list[int]) -> int:
    """Give failed deliveries of still-active signals a fresh set of attempts (admin action).

    Only deliveries no run will try again (next_attempt_at NULL) qualify, so one in flight is
    never touched. Returns how many were rescheduled.
    """
    return NotificationDelivery.objects.filter(
        id__in=delivery_ids,
        status=DeliveryStatus.FAILED,
        next_attempt_at__isnull=True,
        signal__status=Status.ACTIVE,
    ).update(attempts=0, next_attempt_at=timezone.now(), last_error="")


def _claim(delivery: NotificationDelivery, *, lease: timedelta) -> int | None:
    """Take the delivery for one attempt; returns its number, or None if another run took it."""
    now = timezone.now()
    taken = NotificationDelivery.objects.filter(
        id=delivery.id, status__in=OPEN, attempts=delivery.attempts, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + lease)
    return delivery.attempts + 1 if taken == 1 else None


def _record(delivery: NotificationDelivery, *, attempt: int, error: BaseException | None, config: NotificationsEnv) -> str:
    now = timezone.now()
    mine = NotificationDelivery.objects.filter(id=delivery.id, status__in=OPEN, attempts=attempt)
    rule = delivery.rule
    if error is None:
        changed = mine.update(status=DeliveryStatus.SENT, sent_at=now, last_error="", next_attempt_at=None)
        outcome = "sent"
        logger.info("notification %s: signal %s sent to rule %s (%s)", delivery.id, delivery.signal_id, rule.id, rule.kind)
    else:
        if not isinstance(error, DeliveryError):  # senders.send wraps everything; belt and braces
            error = DeliveryError(f"unexpected {type(error).__name__}")
        final = isinstance(error, PermanentDeliveryError) or attempt >= config.max_attempts
        text = senders.redact(str(error), [_secret_text(rule), config.telegram_bot_token, settings.EMAIL_HOST_PASSWORD])
        retry_at = None if final else now + timedelta(seconds=_backoff_s(attempt, config))
        changed = mine.update(status=DeliveryStatus.FAILED, last_error=text[:500], next_attempt_at=retry_at)
        outcome = "failed" if final else "retrying"
        logger.warning(
            "notification %s: signal %s to rule %s (%s) failed on attempt %s/%s%s: %s",
            delivery.id, delivery.signal_id, rule.id, rule.kind, attempt, config.max_attempts,
            "" if final else f", retry at {retry_at:%H:%M:%S}", text,
        )
    if changed != 1:
        # The claim expired and another run took the delivery over; its outcome wins.
        logger.warning("notification %s: attempt %s outlived its claim; outcome not recorded", delivery.id, attempt)
    return outcome


def _drop(delivery: NotificationDelivery) -> int:
    changed = NotificationDelivery.objects.filter(
        id=delivery.id, status__in=OPEN, attempts=delivery.attempts, next_attempt_at__lte=timezone.now()
    ).update(
        status=DeliveryStatus.FAILED,
        next_attempt_at=None,
        last_error=f"not sent: the signal closed ({delivery.signal.status}) first",
    )
    return changed


def _probable_enough(signal, min_probability: float) -> bool:
    if min_probability <= 0:
        return True
    probability, _ = signal_probability(
        score=signal.initial_confidence, timeframe=signal.timeframe, direction=signal.direction
    )
    # No probability ("not enough history") never passes a probability threshold.
    return probability is not None and probability.value * 100 >= min_probability


def _backoff_s(attempt: int, config: NotificationsEnv) -> int:
    return min(config.retry_base_s * 2 ** (attempt - 1), config.retry_cap_s)


def _secret_text(rule) -> str:
    try:
        return rule.secret.reveal()
    except DecryptionError:
        return ""


def _outbound(delivery: NotificationDelivery) -> senders.Outbound:
    signal, rule = delivery.signal, delivery.rule
    return senders.Outbound(
        delivery_id=delivery.id,
        kind=rule.kind,
        target=rule.target,
        secret=rule.secret.reveal(),  # Outbound keeps it out of its repr
        signal=signal_payload(signal),
        message=signal_message(signal),
        subject=signal_subject(signal),
    )
