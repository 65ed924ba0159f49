"""The Beat entry of `trading.reconcile_all`: every account compared with its exchange every 60 s.

An ordinary django-celery-beat row afterwards (Periodic tasks in the admin). It expires before the
next run is due, so runs left queued while workers were down are not replayed one after another.
"""
from django.db import migrations
from django.utils import timezone

NAME = "trading-reconcile-all"
TASK = "trading.reconcile_all"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={"task": TASK, "interval": every_minute, "expire_seconds": 55, "enabled": True,
                  "description": "Reconcile every active exchange account with its exchange (Binance is the "
                                 "source of truth): positions, open orders, trades since the last seen id."},
    )
    # Tell a running DatabaseScheduler to reload (what PeriodicTask.save() does outside migrations).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
