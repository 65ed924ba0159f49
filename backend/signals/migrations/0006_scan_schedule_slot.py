"""The Beat entry of the scan says it comes from the schedule (`scheduled: true`), so the task
claims the schedule's slot and a second Beat process cannot double the scan (scan_runs.py)."""
import json

from django.db import migrations
from django.utils import timezone


def mark(apps, schema_editor, value: bool = True):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTask.objects.filter(name="scan-binance-market").update(
        kwargs=json.dumps({"scheduled": True} if value else {}))
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unmark(apps, schema_editor):
    mark(apps, schema_editor, value=False)


class Migration(migrations.Migration):
    dependencies = [
        ("signals", "0005_honest_outcomes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(mark, unmark)]
