"""What the data migration leaves behind: the dashboard rule and the 2-minute Beat entry.

Not transactional on purpose: pytest-django runs these tests before any test that flushes
the database, so the migrated rows are still there.
"""
import json

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from notifications.models import Kind, NotificationRule

pytestmark = pytest.mark.django_db


def test_schedule_every_two_minutes():
    task = PeriodicTask.objects.get(name="send-signal-notifications")
    assert task.task == "notifications.send_signal_notifications"
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (2, IntervalSchedule.MINUTES)
    # 0004 dropped 0002's `min_confidence: 85`, so NOTIFICATIONS_MIN_SCORE decides.
    assert json.loads(task.kwargs) == {}
    assert json.loads(task.args) == []
    assert task.expire_seconds and task.expire_seconds < 120


def test_the_dashboard_rule_exists_once():
    rule = NotificationRule.objects.get(kind=Kind.WEBSOCKET)
    assert (rule.min_score, rule.min_probability, rule.enabled, rule.target, rule.secret_encrypted) == (85, None, True, "", "")
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationRule.objects.create(name="second dashboard", kind=Kind.WEBSOCKET)
