"""The built-in dashboard rule and the Beat entry of `notifications.send_signal_notifications`.

Both are ordinary rows afterwards: the schedule is edited (or disabled) under Periodic tasks in
the admin, the dashboard rule's threshold and filters under Notification rules.
"""
import json

from django.db import migrations
from django.utils import timezone

TASK = "notifications.send_signal_notifications"
PERIODIC_TASK_NAME = "send-signal-notifications"


def create(apps, schema_editor):
    NotificationRule = apps.get_model("notifications", "NotificationRule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")

    if not NotificationRule.objects.filter(kind="websocket").exists():
        NotificationRule.objects.create(name="Dashboard", kind="websocket", min_confidence=85, enabled=True)

    every_2_min, _ = IntervalSchedule.objects.get_or_create(every=2, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=PERIODIC_TASK_NAME,
        defaults={
            "task": TASK,
            "interval": every_2_min,
            "kwargs": json.dumps({"min_confidence": 85.0}),
            # A run left queued while workers were down is pointless once the next one is due.
            "expire_seconds": 110,
            "description": "Signals at or above min_confidence to every enabled notification rule.",
            "enabled": True,
        },
    )
    # Tell a running DatabaseScheduler to reload (what PeriodicTask.save() does outside migrations).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=PERIODIC_TASK_NAME).delete()
    # The rule stays: its deliveries are history.


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
