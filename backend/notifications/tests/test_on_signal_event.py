"""Alerts go out on the signal event: a signal created by the engine's write path makes a worker
send the notification, with no one calling the task (Beat's poll is only the catch-up)."""
import time

import pytest

from notifications.models import DeliveryStatus, NotificationDelivery
from notifications.tests.conftest import SECRET
from notifications.tests.factories import webhook_rule_create
from signals.lifecycle import ActiveSignal, Direction, EventKind, SignalEvent, SignalState
from signals.services.persistence import signal_events_apply

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_builtin_rules")]


def _created_event() -> SignalEvent:
    now = int(time.time() * 1000)
    open_ms = now // 300_000 * 300_000 - 300_000
    signal = ActiveSignal(
        id=ActiveSignal.make_id("EVTUSDT", "5m", Direction.LONG, open_ms), symbol="EVTUSDT", timeframe="5m",
        direction=Direction.LONG, confidence=93.0, entry=100.0, stop_loss=99.0, take_profit=102.0, reward_risk=2.0,
        conditions=("macd_cross",), snapshot={"rsi": 60.0}, created_at=now, updated_at=now,
        candle_open_time=open_ms, state=SignalState.ACTIVE, initial_confidence=93.0, expires_at=now + 3_600_000)
    return SignalEvent(kind=EventKind.CREATED, signal=signal, at_ms=now)


def test_a_created_signal_is_notified_without_waiting_for_the_beat_poll(celery_worker_process, receiver):
    webhook_rule_create(receiver.url, secret=SECRET)
    applied = signal_events_apply(events=[_created_event()])
    assert len(applied.created) == 1

    deadline = time.monotonic() + 60
    while not receiver.requests:
        assert time.monotonic() < deadline, "no notification was sent"
        time.sleep(0.1)
    [request] = receiver.requests
    assert request["signature_valid"] and request["json"]["signal"]["id"] == applied.created[0]
    assert NotificationDelivery.objects.get().status == DeliveryStatus.SENT
