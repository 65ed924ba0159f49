"""Two `celery beat` processes started by mistake on one database: each sends the scan when it is
due, and the scan runs once (the second send finds the slot taken and records a skipped run)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django_celery_beat.models import PeriodicTask

from common.testing import database_url_of
from market.services import universe_refresh
from signals.models import ScanRun

BACKEND_DIR = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_two_beat_processes_make_one_scan(sandbox_process, settings, tmp_path):
    import redis

    universe_key = settings.SCANNER["universe_key"]
    redis.Redis.from_url(settings.REDIS_URL).delete(f"signals:scan-slot:{universe_key}:5m",
                                                    f"signals:scan-lock:{universe_key}:5m")
    universe_refresh(size=3)
    # Only the scan entry (as migrated: kwargs {"scheduled": true}); it has never run, so it is due now.
    PeriodicTask.objects.exclude(name="scan-binance-market").update(enabled=False)
    # Sent to a queue of its own, served by a worker of its own: the suite's shared worker may be
    # busy with other tests' leftovers, and another test's worker must not take these scans.
    queue = f"scanner-beats-{uuid.uuid4().hex[:8]}"
    PeriodicTask.objects.filter(name="scan-binance-market").update(last_run_at=None, enabled=True, queue=queue)
    env = dict(os.environ, DATABASE_URL=database_url_of(connection.settings_dict),
               DJANGO_SETTINGS_MODULE="config.settings.test", BINANCE_ENV="sandbox",
               BINANCE_SANDBOX_URL=sandbox_process.url)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config.celery", "worker", "--pool=solo", "-n", f"{queue}@%h",
         "-Q", queue, "-l", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=BACKEND_DIR, env=env)
    beats = [subprocess.Popen([sys.executable, "-m", "celery", "-A", "config.celery", "beat", "-l", "WARNING",
                               "--pidfile", str(tmp_path / f"beat{n}.pid"), "-s", str(tmp_path / f"beat{n}")],
                              cwd=BACKEND_DIR, env=env) for n in (1, 2)]
    try:
        deadline = time.monotonic() + 60
        while ScanRun.objects.filter(trigger="schedule").exclude(status="running").count() < 2:
            assert time.monotonic() < deadline, list(ScanRun.objects.values_list("status", flat=True))
            time.sleep(0.2)
    finally:
        for process in (*beats, worker):
            process.terminate()
            process.wait(20)
    # Beat's period is 60 s: should a later minute's sends land before the Beats stop, each minute
    # still has one scan. No two scans less than a period apart; every other send skipped.
    ok = list(ScanRun.objects.filter(status="ok").order_by("started_at").values_list("started_at", flat=True))
    assert ok and all((b - a).total_seconds() > 50 for a, b in zip(ok, ok[1:]))
    skipped = ScanRun.objects.filter(status="skipped")
    assert skipped.count() >= 1
    assert {tuple(run.errors) for run in skipped} == {("another scan took this schedule slot",)}
