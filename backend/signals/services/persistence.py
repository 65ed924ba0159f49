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
    if result.created:
        transaction.on_commit(_notifications_kick)
    return result


def _notifications_kick() -> None:
    """Alerts go out on the signal event: ask a worker for a notification run now. Sent by task
    name (signals does not import notifications); the run is idempotent, and Beat's periodic run
    stays as the catch-up when the broker cannot take this message."""
    from celery import current_app

    try:
        current_app.send_task("notifications.send_signal_notifications")
    except Exception as exc:  # noqa: BLE001 - the broker is away: the Beat catch-up sends these
        logger.warning("could not queue a notification run (%s: %s); Beat's run will send them",
                       type(exc).__name__, exc)


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
                created_ms=int(s.created_at), expires_ms=int(s.expires_at),
                initial_stop_loss=float(s.initial_stop_loss), initial_take_profit=float(s.initial_take_profit),
                **_fields(s),
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
        "status": reason, "closed_at": now, "updated_at": now, "closed_ms": int(event.at_ms),
        "stop_loss": float(s.stop_loss), "take_profit": float(s.take_profit),
    }
    if outcome is not None:
        values.update(exit_price=float(outcome.exit_price), outcome_r=round(float(outcome.r_multiple), 6),
                      return_pct=round(float(outcome.return_pct), 6), close_rule=outcome.close_rule)
    with transaction.atomic():
        changed = Signal.objects.filter(key=s.id, status=Status.ACTIVE).update(
            version=F("version") + 1, **values
        )
        if changed != 1:
            return None
        row = Signal.objects.get(key=s.id)
        _record_change(row, SignalChange.Kind.DELETED, reason)
        if outcome is not None:
            _record_outcome(row, outcome)
        _publish(row, "signal_deleted", tick_sizes, reason=reason)
    return row.pk


def _record_change(row: Signal, kind: str, reason: str) -> None:
    SignalChange.objects.create(
        signal=row, kind=kind, reason=reason, at=row.updated_at, confidence=row.confidence,
        stop_loss=row.stop_loss, take_profit=row.take_profit, conditions=row.conditions,
    )


def _record_outcome(row: Signal, outcome=None) -> None:
    """Archive how `row` ended: the engine's `outcome` (a SignalOutcome), or none for a stale
    signal (recorded with its rule and no result, so the archive shows it and statistics skip it)."""
    values = dict(
        symbol=row.symbol, timeframe=row.timeframe, direction=row.direction, reason=row.status,
        close_rule=row.close_rule or row.status, initial_confidence=row.initial_confidence, entry=row.entry,
        exit_price=row.exit_price, stop_loss=row.stop_loss, take_profit=row.take_profit,
        initial_stop_loss=row.initial_stop_loss, initial_take_profit=row.initial_take_profit,
        conditions=row.conditions, opened_at=row.created_at, closed_at=row.closed_at, opened_ms=row.created_ms,
        closed_ms=row.closed_ms,
    )
    if outcome is not None:
        values.update({name: round(float(getattr(outcome, name)), 6) for name in _OUTCOME_FLOATS})
        values.update(r_multiple=row.outcome_r, return_pct=row.return_pct,
                      tp_first=bool(outcome.tp_first), sl_first=bool(outcome.sl_first))
    SignalOutcomeRecord.objects.get_or_create(key=row.key, defaults=values)


_OUTCOME_FLOATS = ("r_gross", "r_trailed", "fees_r", "mfe_r", "mae_r", "mfe_pct", "mae_pct")


def _publish(row: Signal, event_type: str, tick_sizes: dict[str, str] | None, **extra) -> None:
    from signals.representation import signal_payload

    publish_on_commit(Event(event_type, {"signal": signal_payload(row, tick_sizes=tick_sizes), **extra}))


#: How long past its wall-clock expiry an engine has to close a signal before it counts as stale:
#: the candle that expires it closes at the same moment, and the live path needs a moment to
#: deliver it (a scan, up to one scan interval).
STALE_GRACE = timedelta(minutes=5)


def signal_mark_stale(*, now: datetime) -> list[int]:
    """Close as `stale` the active signals whose expiry passed on the wall clock with no engine
    closing them (every path down for the whole expiry).

    Outcomes run on the exchange's clock only: the engine closes a signal at its expiry on the
    exchange clock, with a real exit price, long before this sweep (its wall-clock `expires_at`
    is as far from creation as the exchange-clock expiry, and the exchange clock never runs
    slower than the wall clock). Here no later price is known, so nothing is measured: the signal
    is archived as stale, without R, and the statistics leave it out.
    """
    from signals.lifecycle import SignalState, Trigger, next_state

    stale = next_state(SignalState.ACTIVE, Trigger.MARK_STALE).value  # the lifecycle's table decides
    ids = []
    overdue = Signal.objects.filter(status=Status.ACTIVE, expires_at__lte=now - STALE_GRACE)
    for row in overdue.only("id", "key"):
        with transaction.atomic():
            changed = Signal.objects.filter(pk=row.pk, status=Status.ACTIVE).update(
                status=stale, close_rule=stale, closed_at=now, updated_at=now, version=F("version") + 1,
            )
            if changed == 1:
                fresh = Signal.objects.get(pk=row.pk)
                _record_change(fresh, SignalChange.Kind.DELETED, stale)
                _record_outcome(fresh)
                _publish(fresh, "signal_deleted", None, reason=stale)
                ids.append(row.pk)
    return ids
