"""Overlapping runs (two Beat ticks, a retried task, a manual run) still deliver exactly once."""
import threading

import pytest
from django.db import connections

from notifications.models import DeliveryStatus, NotificationDelivery
from notifications.services import signal_notifications_send
from notifications.tests.factories import signal_create, webhook_rule_create, websocket_rule

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_builtin_rules")]


def _run_concurrently(count: int) -> list[dict]:
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run() -> None:
        try:
            barrier.wait(10)
            results.append(signal_notifications_send())
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


@pytest.mark.parametrize("runs", [2, 4])
def test_concurrent_runs_deliver_each_signal_once_per_rule(receiver, publishes, runs):
    rules = [webhook_rule_create(f"{receiver.url}/a"), webhook_rule_create(f"{receiver.url}/b"), websocket_rule()]
    signals = [signal_create() for _ in range(6)]

    results = _run_concurrently(runs)
    results += _run_concurrently(runs)  # and again, after everything was sent

    expected = len(rules) * len(signals)
    assert sum(r["sent"] for r in results) == expected
    assert NotificationDelivery.objects.count() == expected
    assert NotificationDelivery.objects.filter(status=DeliveryStatus.SENT, attempts=1).count() == expected
    webhook_pairs = [(r["path"], r["json"]["signal"]["id"]) for r in receiver.requests]
    assert len(webhook_pairs) == len(set(webhook_pairs)) == 2 * len(signals)
    assert all(r["signature_valid"] for r in receiver.requests)
    assert sorted(e.data["signal"]["id"] for e in publishes) == sorted(s.id for s in signals)


def test_concurrent_retries_of_a_failing_webhook_never_double_send(receiver):
    receiver.respond(*[(500, "down")] * 3)
    webhook_rule_create(receiver.url)
    signal_create()
    _run_concurrently(3)
    assert len(receiver.requests) == 3  # one claimed send of 3 tries; the other runs found it taken
    NotificationDelivery.objects.update(next_attempt_at=NotificationDelivery.objects.get().created_at)
    _run_concurrently(3)
    delivery = NotificationDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert len(receiver.requests) == 4
