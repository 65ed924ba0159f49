"""Engine events -> PostgreSQL rows -> browser events.

Each event is written in its own transaction and published after commit. Writers race (the live
stream path and the periodic scan may evaluate the same candle), so every write is conditional
and the database decides who wins:

- created: INSERT guarded by the unique `key` and the one-active-per-market constraint; the
  loser's insert changes nothing and publishes nothing;
- updated / deleted: `UPDATE ... WHERE key = k AND status = 'active'`, which must change
  exactly one row; zero rows means the signal already ended elsewhere, and nothing is published.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from realtime.dispatcher import publish_on_commit
from realtime.events import Event
from signals.models import Signal, SignalChange, SignalOutcomeRecord, Status

logger = logging.getLogger(__name__)


@dataclass
class AppliedEvents:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    skipped: int = 0

    def add(self, other: AppliedEvents) -> None:
        self.created += other.created
        self.updated += other.updated
        self.closed += other.closed
        self.skipped += other.skipped


def signal_events_apply(*, events) -> AppliedEvents:
    """Persist and publish engine `SignalEvent`s, in order."""
    from signals.services.symbols import tick_sizes_for

    events = list(events)
    # One query for the tick sizes every published representation of this batch carries.
    tick_sizes = tick_sizes_for({event.signal.symbol for event in events})
    writers = {"created": ("created", _create), "updated": ("updated", _update), "deleted": ("closed", _close)}
    result = AppliedEvents()
    for event in events:
        bucket, write = writers[event.kind.value]
        signal_id = write(event, tick_sizes)
        if signal_id is None:
            result.skipped += 1
        else:
            getattr(result, bucket).append(signal_id)
    return result


def _fields(signal) -> dict:
    return {
        "confidence": round(float(signal.confidence), 4),
        "stop_loss": float(signal.stop_loss),
        "take_profit": float(signal.take_profit),
        "reward_risk": float(signal.reward_risk),
        "conditions": list(signal.conditions),
        "snapshot": {k: float(v) for k, v in signal.snapshot.items()},
        "updated_at": timezone.now(),
    }


def _create(event, tick_sizes: dict[str, str]) -> int | None:
    s = event.signal
    now = timezone.now()
    try:
        with transaction.atomic():
            row = Signal.objects.create(
                key=s.id, symbol=s.symbol, timeframe=s.timeframe, direction=s.direction.value,
                status=Status.ACTIVE, initial_confidence=round(float(s.initial_confidence), 4),
                entry=float(s.entry), candle_open_time=int(s.candle_open_time),
                created_at=now, expires_at=now + timedelta(milliseconds=s.expires_at - s.created_at),
                created_ms=int(s.created_at), expires_ms=int(s.expires_at), **_fields(s),
            )
            _record_change(row, SignalChange.Kind.CREATED, "")
            _publish(row, "signal_created", tick_sizes)
    except IntegrityError:
        # Same key, or another active signal for this market and direction: the other writer won.
        logger.debug("signal %s already exists or its market has an active signal", s.id)
        return None
    return row.pk


def _update(event, tick_sizes: dict[str, str]) -> int | None:
    s = event.signal
    with transaction.atomic():
        changed = Signal.objects.filter(key=s.id, status=Status.ACTIVE).update(
            version=F("version") + 1, **_fields(s)
        )
        if changed != 1:
            return None
        row = Signal.objects.get(key=s.id)
        _record_change(row, SignalChange.Kind.UPDATED, "")
        _publish(row, "signal_updated", tick_sizes)
    return row.pk


def _close(event, tick_sizes: dict[str, str]) -> int | None:
    s, outcome, reason = event.signal, event.outcome, event.reason.value
    now = timezone.now()
    values = {
        "status": reason, "closed_at": now, "updated_at": now,
        "stop_loss": float(s.stop_loss), "take_profit": float(s.take_profit),
    }
    if outcome is not None:
        values.update(exit_price=float(outcome.exit_price), outcome_r=round(float(outcome.r_multiple), 6),
                      return_pct=round(float(outcome.return_pct), 6))
    with transaction.atomic():
        changed = Signal.objects.filter(key=s.id, status=Status.ACTIVE).update(
            version=F("version") + 1, **values
        )
        if changed != 1:
            return None
        row = Signal.objects.get(key=s.id)
        _record_change(row, SignalChange.Kind.DELETED, reason)
        _record_outcome(row)
        _publish(row, "signal_deleted", tick_sizes, reason=reason)
    return row.pk


def _record_change(row: Signal, kind: str, reason: str) -> None:
    SignalChange.objects.create(
        signal=row, kind=kind, reason=reason, at=row.updated_at, confidence=row.confidence,
        stop_loss=row.stop_loss, take_profit=row.take_profit, conditions=row.conditions,
    )


def _record_outcome(row: Signal) -> None:
    if row.outcome_r is None:
        return
    SignalOutcomeRecord.objects.get_or_create(
        key=row.key,
        defaults=dict(
            symbol=row.symbol, timeframe=row.timeframe, direction=row.direction, reason=row.status,
            initial_confidence=row.initial_confidence, entry=row.entry, exit_price=row.exit_price,
            stop_loss=row.stop_loss, take_profit=row.take_profit, r_multiple=row.outcome_r,
            return_pct=row.return_pct or 0.0, conditions=row.conditions, opened_at=row.created_at,
            closed_at=row.closed_at,
        ),
    )


def _publish(row: Signal, event_type: str, tick_sizes: dict[str, str] | None, **extra) -> None:
    from signals.api.serializers import SignalSerializer

    context = {} if tick_sizes is None else {"tick_sizes": tick_sizes}
    publish_on_commit(Event(event_type, {"signal": SignalSerializer(row, context=context).data, **extra}))


def signal_expire_overdue(*, now: datetime) -> list[int]:
    """Close active signals past `expires_at` that no engine has seen since (e.g. every path down).

    `expires_at` is on the wall clock, so this only acts when no engine has run for the whole
    expiry (the engine closes signals on the exchange's clock, with a real exit price, first).
    Marked to market at entry (R = 0) because no later price is known here.
    """
    ids = []
    for row in Signal.objects.filter(status=Status.ACTIVE, expires_at__lte=now).only("id", "key"):
        with transaction.atomic():
            changed = Signal.objects.filter(pk=row.pk, status=Status.ACTIVE).update(
                status=Status.EXPIRED, closed_at=now, updated_at=now, exit_price=F("entry"),
                outcome_r=0.0, return_pct=0.0, version=F("version") + 1,
            )
            if changed == 1:
                fresh = Signal.objects.get(pk=row.pk)
                _record_change(fresh, SignalChange.Kind.DELETED, Status.EXPIRED)
                _record_outcome(fresh)
                _publish(fresh, "signal_deleted", None, reason=Status.EXPIRED.value)
                ids.append(row.pk)
    return ids
