"""Reads of the notifications app."""
from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from notifications.models import NotificationDelivery, NotificationRule
from signals.models import Signal, Status


def notification_rules_enabled() -> QuerySet[NotificationRule]:
    return NotificationRule.objects.filter(enabled=True).order_by("id")


def signals_lacking_delivery(*, rule: NotificationRule, min_score: float, since: datetime) -> list[Signal]:
    """Active signals created since `since` with a score at or above `min_score` that match the
    rule's filters and have no delivery to it yet (id, timeframe, direction, creation score)."""
    signals = Signal.objects.filter(status=Status.ACTIVE, confidence__gte=min_score, created_at__gte=since)
    if rule.direction:
        signals = signals.filter(direction=rule.direction)
    if rule.timeframe:
        signals = signals.filter(timeframe=rule.timeframe)
    signals = signals.exclude(notification_deliveries__rule=rule).order_by("created_at", "id")
    return list(signals.only("id", "timeframe", "direction", "initial_confidence"))


def notification_deliveries_due(*, now: datetime, limit: int) -> list[NotificationDelivery]:
    """Deliveries a run may (re)try now, oldest first. Disabled rules' deliveries wait."""
    return list(
        NotificationDelivery.objects.filter(next_attempt_at__lte=now, rule__enabled=True)
        .select_related("rule", "signal")
        .order_by("next_attempt_at", "id")[:limit]
    )
