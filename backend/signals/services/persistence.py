"""Engine events -> PostgreSQL rows -> browser events.

A batch of events (a candle close's, a scan's) is written in one transaction, a few statements
in all, and published after commit. Writers race (the live stream path and the periodic scan
may evaluate the same candle), so every write is conditional and the database decides who wins:

- created: INSERT ... ON CONFLICT DO NOTHING, guarded by the unique `key` and the
  one-active-per-market constraint; the loser's row is not inserted and nothing is published;
- updated / deleted: `UPDATE ... WHERE key = k AND status = 'active'`; a row that already ended
  elsewhere is not returned, and nothing is published for it.

Events are applied in order: the batch is cut into runs in which no market appears twice (a
market's close and the next signal's creation fall in successive runs), and each run is three
statements (closes, updates, creations) plus the history and outcome inserts. The active rows a
batch changes are first locked in key order, so two writers of overlapping batches queue
instead of deadlocking; a deadlock the order cannot rule out (creations met in another order)
rolls the batch back and it is applied again, which the conditional writes make safe.
"""
from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from psycopg.errors import DeadlockDetected

from common.bulk_sql import insert_returning, update_returning
from realtime.dispatcher import publish_on_commit
from realtime.events import Event
from signals.models import Signal, SignalChange, SignalOutcomeRecord, Status

logger = logging.getLogger(__name__)

#: How many times a batch that met a deadlock is applied again before the error goes up.
DEADLOCK_RETRIES = 3


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
    if not events:
        return AppliedEvents()
    # One query for the tick sizes every published representation of this batch carries.
    tick_sizes = tick_sizes_for({event.signal.symbol for event in events})
    for attempt in range(DEADLOCK_RETRIES + 1):
        try:
            with transaction.atomic():
                result = _apply(events, tick_sizes)
            break
        except OperationalError as exc:
            if not isinstance(exc.__cause__, DeadlockDetected) or attempt == DEADLOCK_RETRIES:
                raise
            logger.warning("signal batch of %d events met a deadlock; applying it again", len(events))
            time.sleep(random.uniform(0, 0.1 * (attempt + 1)))  # out of step with the other writer
    if result.created:
        transaction.on_commit(_notifications_kick)
    return result


def _runs(events: list) -> list[list]:
    """Consecutive events cut where a market comes back: within a run, order does not matter."""
    runs: list[list] = [[]]
    seen: set[tuple] = set()
    for event in events:
        s = event.signal
        market = (s.symbol, s.timeframe, s.direction.value)
        if market in seen:
            runs.append([])
            seen.clear()
        seen.add(market)
        runs[-1].append(event)
    return runs


def _apply(events: list, tick_sizes: dict[str, str]) -> AppliedEvents:
    changing = sorted({e.signal.id for e in events if e.kind.value != "created"})
    if changing:  # lock the active rows this batch changes, in key order (see the module's note)
        list(Signal.objects.select_for_update().filter(key__in=changing, status=Status.ACTIVE)
             .order_by("key").values_list("id", flat=True))
    result = AppliedEvents()
    buckets = {"created": result.created, "updated": result.updated, "deleted": result.closed}
    for run in _runs(events):
        by_kind: dict[str, list] = {"created": [], "updated": [], "deleted": []}
        for event in run:
            by_kind[event.kind.value].append(event)
        written = {row.key: row for row in _close_rows(by_kind["deleted"])}
        written.update((row.key, row) for row in _update_rows(by_kind["updated"]))
        written.update((row.key, row) for row in _insert_rows(by_kind["created"]))
        changes, outcomes = [], []
        for event in run:
            row = written.get(event.signal.id)
            if row is None:  # another writer got there first, or the signal already ended
                result.skipped += 1
                continue
            kind = event.kind.value
            reason = event.reason.value if kind == "deleted" else ""
            changes.append(_change(row, kind, reason))
            if kind == "deleted" and event.outcome is not None:
                outcomes.append(_outcome(row, event.outcome))
            extra = {"reason": reason} if kind == "deleted" else {}
            _publish(row, f"signal_{kind}", tick_sizes, **extra)
            buckets[kind].append(row.pk)
        SignalChange.objects.bulk_create(changes)
        SignalOutcomeRecord.objects.bulk_create(outcomes, ignore_conflicts=True)
    return result


def _close_rows(events: list) -> list[Signal]:
    now = timezone.now()
    rows = []
    for event in events:
        s, outcome = event.signal, event.outcome
        rows.append({
            "key": s.id, "status": event.reason.value, "closed_ms": int(event.at_ms),
            "stop_loss": float(s.stop_loss), "take_profit": float(s.take_profit),
            "exit_price": None if outcome is None else float(outcome.exit_price),
            "outcome_r": None if outcome is None else round(float(outcome.r_multiple), 6),
            "return_pct": None if outcome is None else round(float(outcome.return_pct), 6),
            "close_rule": None if outcome is None else outcome.close_rule, "closed_at": now, "updated_at": now,
        })
    # Without an outcome (a signal that ends unmeasured) its result columns keep what they held.
    keep = ("exit_price", "outcome_r", "return_pct", "close_rule")
    return update_returning(Signal, key="key", rows=rows, where="t.status = 'active'", assign={
        "version": "t.version + 1", **{name: f"COALESCE(v.{name}, t.{name})" for name in keep}})


def _update_rows(events: list) -> list[Signal]:
    rows = [{"key": event.signal.id, **_fields(event.signal)} for event in events]
    return update_returning(Signal, key="key", rows=rows, where="t.status = 'active'",
                            assign={"version": "t.version + 1"})


def _insert_rows(events: list) -> list[Signal]:
    now = timezone.now()
    objects = []
    for event in sorted(events, key=lambda e: e.signal.id):  # creations in key order too
        s = event.signal
        objects.append(Signal(
            key=s.id, symbol=s.symbol, timeframe=s.timeframe, direction=s.direction.value,
            status=Status.ACTIVE, initial_confidence=round(float(s.initial_confidence), 4),
            entry=float(s.entry), candle_open_time=int(s.candle_open_time),
            created_at=now, expires_at=now + timedelta(milliseconds=s.expires_at - s.created_at),
            created_ms=int(s.created_at), expires_ms=int(s.expires_at),
            initial_stop_loss=float(s.initial_stop_loss), initial_take_profit=float(s.initial_take_profit),
            **_fields(s),
        ))
    return insert_returning(Signal, objects)


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


def _change(row: Signal, kind: str, reason: str) -> SignalChange:
    return SignalChange(
        signal=row, kind=kind, reason=reason, at=row.updated_at, confidence=row.confidence,
        stop_loss=row.stop_loss, take_profit=row.take_profit, conditions=row.conditions,
    )


def _outcome(row: Signal, outcome=None) -> SignalOutcomeRecord:
    """How `row` ended, for the archive: the engine's `outcome` (a SignalOutcome), or none for a
    stale signal (recorded with its rule and no result, so the archive shows it and statistics skip it)."""
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
    return SignalOutcomeRecord(key=row.key, **values)


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
                _change(fresh, SignalChange.Kind.DELETED, stale).save()
                SignalOutcomeRecord.objects.bulk_create([_outcome(fresh)], ignore_conflicts=True)
                _publish(fresh, "signal_deleted", None, reason=stale)
                ids.append(row.pk)
    return ids
