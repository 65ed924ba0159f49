"""Housekeeping: close stale signals, delete old ones (their outcomes stay in the archive)."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from signals.models import Signal, Status
from signals.services.persistence import signal_mark_stale

RETENTION = timedelta(hours=24)


def signals_cleanup(*, now=None) -> dict:
    """Close as stale the active signals past their (wall-clock) expiry that no engine closed,
    then delete signals created more than 24 h ago that are no longer active. Their outcome
    records are kept."""
    now = now or timezone.now()
    stale = signal_mark_stale(now=now)
    old = Signal.objects.filter(created_at__lt=now - RETENTION).exclude(status=Status.ACTIVE)
    _, per_model = old.delete()
    return {"stale": len(stale), "deleted": per_model.get("signals.Signal", 0)}
