"""A django-celery-beat interval entry created by a data migration, the same way in every app.

`beat_entry_operation(...)` is the `RunPython` operation: it creates the `PeriodicTask` (an
ordinary row afterwards, editable in the admin; an existing row of that name is left as it is) on
an `IntervalSchedule`, tells a running DatabaseScheduler to reload (what `PeriodicTask.save()`
does outside migrations), and deletes the row when the migration is reversed. `expire_seconds`
should be below the interval, so runs left queued while workers were down are not replayed one
after another. Uses the historical models (`apps.get_model`), as migrations must.
"""
from __future__ import annotations

from django.db import migrations
from django.utils import timezone


def beat_entry_operation(*, name: str, task: str, every: int, period: str, expire_seconds: int,
                         description: str) -> migrations.RunPython:
    def create(apps, schema_editor):
        IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.get_or_create(name=name, defaults={
            "task": task, "interval": interval, "expire_seconds": expire_seconds, "enabled": True,
            "description": description})  # fmt: skip
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})

    def remove(apps, schema_editor):
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()

    return migrations.RunPython(create, remove)
