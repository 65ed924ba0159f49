"""The Beat entry of `backtest.sweep`: every 60 s, runs left QUEUED are sent again and runs whose
worker died are failed (`services.runs_sweep`). It expires before the next run is due."""
from django.db import migrations
from django.utils import timezone

NAME = "backtest-sweep"
TASK = "backtest.sweep"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={"task": TASK, "interval": every_minute, "expire_seconds": 55, "enabled": True,
                  "description": "Send again backtests left QUEUED (broker away, queue lost); fail RUNNING "
                                 "ones whose worker stopped giving progress."},
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("backtest", "0002_sent_heartbeat"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
