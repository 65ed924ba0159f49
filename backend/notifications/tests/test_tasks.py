"""The task on a real worker process, its routing, and what its arguments carry."""
import json

import pytest
from django_celery_results.models import TaskResult

from notifications.models import DeliveryStatus, NotificationDelivery
from notifications.tasks import send_signal_notifications
from notifications.tests.conftest import SECRET
from notifications.tests.factories import signal_create, webhook_rule_create

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_builtin_rules")]


def test_task_sends_on_a_real_worker_and_never_twice(celery_worker_process, receiver):
    webhook_rule_create(receiver.url, secret=SECRET)
    signal = signal_create(confidence=93.0)
    signal_create(confidence=60.0)

    first = send_signal_notifications.delay()
    assert first.get(timeout=60) == {"queued": 1, "sent": 1, "retrying": 0, "failed": 0, "dropped": 0}
    second = send_signal_notifications.delay(min_score=85.0)
    assert second.get(timeout=60)["sent"] == 0

    [request] = receiver.requests
    assert request["signature_valid"] and request["json"]["signal"]["id"] == signal.id
    delivery = NotificationDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT
    for result in (first, second):
        stored = TaskResult.objects.get(task_id=result.id)
        assert stored.task_name == "notifications.send_signal_notifications"
        assert stored.worker == celery_worker_process
        # Ids and plain values only: nothing secret travels through the broker or the result store.
        for text in (stored.task_args or "", stored.task_kwargs or "", stored.result or ""):
            assert SECRET not in text and receiver.url not in text
    assert json.loads(TaskResult.objects.get(task_id=first.id).result)["sent"] == 1


def test_task_is_routed_to_the_notifications_queue_and_retries_on_errors():
    from config.celery import app

    assert app.amqp.router.route({}, "notifications.send_signal_notifications")["queue"].name == "notifications"
    task = app.tasks["notifications.send_signal_notifications"]
    assert task.max_retries == 3 and task.retry_backoff and task.acks_late
    assert Exception in task.autoretry_for


def test_task_retries_when_the_run_itself_fails(monkeypatch):
    from celery.exceptions import Retry

    from notifications import tasks

    def broken(**kwargs):
        raise ConnectionError("database went away")

    monkeypatch.setattr(tasks, "signal_notifications_send", broken)
    with pytest.raises(Retry):
        tasks.send_signal_notifications.apply(throw=True)
