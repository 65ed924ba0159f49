"""Two `celery beat` processes started by mistake on one database: each sends the scan when it is
due, and the scan runs once (the second send finds the schedule slot taken and records a skipped
run).

The Beat entry is written by the test, due at once: a transactional test before this one empties
the tables the migrations filled, and django-celery-beat counts an entry that never ran
(`last_run_at` null) as run when the scheduler loads it, so it would first be due a whole period
later."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from common.testing import BACKEND_DIR, database_url_of
from market.services import universe_refresh
from signals.models import ScanRun

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]
PERIOD = 60  # the migrated entry's; the slot (scan_runs.SLOT_SECONDS) is a little under it


def test_two_beat_processes_make_one_scan_per_slot(sandbox_process, celery_worker_process, settings, tmp_path):
    import redis

    universe_key = settings.SCANNER["universe_key"]
    redis.Redis.from_url(settings.REDIS_URL).delete(f"signals:scan-slot:{universe_key}:5m",
                                                    f"signals:scan-lock:{universe_key}:5m")
    universe_refresh(size=3)
    PeriodicTask.objects.all().delete()
    every, _ = IntervalSchedule.objects.get_or_create(every=PERIOD, period="seconds")
    PeriodicTask.objects.create(  # as migrated (signals 0004 / 0006), but last run a period ago: due now
        name="scan-binance-market", task="signals.scan_binance_market", interval=every, expire_seconds=55,
        kwargs=json.dumps({"scheduled": True}), enabled=True, last_run_at=timezone.now() - timedelta(seconds=PERIOD + 5))
    PeriodicTasks.update_changed()
    env = dict(os.environ, DATABASE_URL=database_url_of(connection.settings_dict),
               DJANGO_SETTINGS_MODULE="config.settings.test", BINANCE_ENV="sandbox",
               BINANCE_SANDBOX_URL=sandbox_process.url)
    beats = [subprocess.Popen([sys.executable, "-m", "celery", "-A", "config.celery", "beat", "-l", "WARNING",
                               "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
                               "--pidfile", str(tmp_path / f"beat{n}.pid")],
                              cwd=BACKEND_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for n in (1, 2)]
    finished = lambda: ScanRun.objects.filter(trigger="schedule").exclude(status="running")  # noqa: E731
    try:
        deadline = time.monotonic() + 120
        while finished().count() < 2:
            if time.monotonic() > deadline or any(b.poll() is not None for b in beats):
                for beat in beats:
                    beat.terminate()
                logs = "\n".join((b.communicate(timeout=20)[0] or "")[-2000:] for b in beats)
                raise AssertionError(f"runs {list(finished().values_list('status', flat=True))}; beats:\n{logs}")
            time.sleep(0.2)
    finally:
        for beat in beats:
            if beat.poll() is None:
                beat.terminate()
                beat.communicate(timeout=20)
    # Should a later period's sends land before the Beats stopped, each period still has one scan:
    # no two scans less than a period apart, every other send skipped.
    ok = list(ScanRun.objects.filter(trigger="schedule", status="ok").order_by("started_at")
              .values_list("started_at", flat=True))
    assert len(ok) >= 1 and all((b - a).total_seconds() > PERIOD - 10 for a, b in zip(ok, ok[1:]))
    skipped = ScanRun.objects.filter(trigger="schedule", status="skipped")
    assert skipped.count() >= 1 and skipped.count() >= len(ok) - 1
    assert {tuple(run.errors) for run in skipped} == {("another scan took this schedule slot",)}
