"""A worker process killed mid-scan: the scan runs again (acks_late + reject_on_worker_lost), the
re-run is idempotent, and nothing stays "running".

Real processes: the sandbox exchange (its klines slowed by a latency fault so the scan is caught
in the middle), and a `celery worker` with a prefork pool of one child, whose child is killed with
SIGKILL while it scans.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from common.testing import database_url_of
from market.services import universe_refresh
from signals.models import ScanRun
from signals.tasks import scan_binance_market

BACKEND_DIR = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _wait(condition, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return value


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(line) for line in out.split()]


def test_a_scan_whose_worker_child_is_killed_runs_again(sandbox_process, settings):
    import redis

    universe_key = settings.SCANNER["universe_key"]
    redis.Redis.from_url(settings.REDIS_URL).delete(f"signals:scan-slot:{universe_key}:5m",
                                                    f"signals:scan-lock:{universe_key}:5m")
    universe_refresh(size=3)
    env = dict(os.environ, DATABASE_URL=database_url_of(connection.settings_dict),
               DJANGO_SETTINGS_MODULE="config.settings.test", BINANCE_ENV="sandbox",
               BINANCE_SANDBOX_URL=sandbox_process.url)
    name = f"killed-{uuid.uuid4().hex[:8]}@%h"
    # A queue of its own: the suite's shared worker also consumes "scanner" and would take the scan.
    queue = f"scanner-killed-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config.celery", "worker", "--pool=prefork", "-c", "1", "-n", name,
         "-Q", queue, "-l", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=BACKEND_DIR, env=env)
    sandbox_process.control("POST", "faults", {"kind": "latency", "ms": 4000, "path_prefix": "/fapi/v1/klines"})
    try:
        from config.celery import app

        hostname = name.replace("%h", __import__("socket").gethostname())
        _wait(lambda: app.control.ping(destination=[hostname], timeout=0.5), what="the worker")
        result = scan_binance_market.apply_async(kwargs={"scheduled": True}, queue=queue)
        first = _wait(lambda: ScanRun.objects.filter(status="running").first(), what="the scan to start")
        [child] = _children(worker.pid)
        os.kill(child, signal.SIGKILL)  # mid-scan: its klines requests are held by the latency fault
        sandbox_process.control("DELETE", "faults")
        outcome = result.get(timeout=120)
    finally:
        sandbox_process.control("DELETE", "faults")
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    assert outcome["status"] == "ok"  # the message was delivered again and the scan ran to the end
    first.refresh_from_db()
    assert first.status == "failed"  # closed by the re-run, which held the lock
    assert list(ScanRun.objects.filter(status="ok").values_list("pk", flat=True)) == [outcome["scan_run"]]
    assert not ScanRun.objects.filter(status="running").exists()
