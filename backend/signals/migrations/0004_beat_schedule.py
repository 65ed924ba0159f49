"""Beat entries of the scan pipeline, as rows of django-celery-beat (editable in the admin).

scan_binance_market every 60 s, full_data_refresh hourly, cleanup_expired_signals every 5 min,
and the system health check every 10 min. Each expires when the next run is due, so a backlog
left while workers were down is not replayed.
"""
from django.db import migrations
from django.utils import timezone

ENTRIES = [
    # name, task, (every, period), expire_seconds, description
    ("scan-binance-market", "signals.scan_binance_market", (60, "seconds"), 55,
     "Full scan of the universe on the default timeframe; the fallback when streams are down."),
    ("full-data-refresh", "signals.full_data_refresh", (1, "hours"), 3300,
     "Refresh the universe and rescan every configured timeframe."),
    ("cleanup-expired-signals", "signals.cleanup_expired_signals", (5, "minutes"), 280,
     "Close overdue signals; delete signals older than 24 h (outcomes are kept)."),
    ("system-health-check", "health.system_health_check", (10, "minutes"), 580,
     "Database, Redis, channel layer, active signals and symbols."),
]


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, (every, period), expires, description in ENTRIES:
        schedule, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": task, "interval": schedule, "expire_seconds": expires,
                      "description": description, "enabled": True},
        )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[entry[0] for entry in ENTRIES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("signals", "0003_exchange_clock"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
