"""Housekeeping: close overdue signals, delete old ones (their outcomes stay in the archive)."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from signals.models import Signal, Status
from signals.services.persistence import signal_expire_overdue

RETENTION = timedelta(hours=24)


def signals_cleanup(*, now=None) -> dict:
    """Expire active signals past their expiry that no engine closed, then delete signals created
    more than 24 h ago that are no longer active. Their outcome records are kept."""
    now = now or timezone.now()
    expired = signal_expire_overdue(now=now)
    old = Signal.objects.filter(created_at__lt=now - RETENTION).exclude(status=Status.ACTIVE)
    _, per_model = old.delete()
    return {"expired": len(expired), "deleted": per_model.get("signals.Signal", 0)}
