"""The scan split by symbol batches over two real Celery workers (a chord): one ScanRun for the
whole universe, batches on both workers, the Beat slot and the scan lock kept, and a batch whose
worker child is killed with SIGKILL delivered again and run to the end."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection
from django_celery_results.models import TaskResult

from common.testing import database_url_of
from market.services import universe_refresh
from signals.models import ScanRun
from signals.services.scan_batches import batches_of
from signals.tasks import scan_binance_market

BACKEND_DIR = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _wait(condition, timeout: float = 90.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return value


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(line) for line in out.split()]


@pytest.fixture
def two_workers(sandbox_process, settings):
    """Two prefork workers of one child each on a queue of their own (the suite's shared worker
    consumes "scanner" too): {hostname: Popen}, the queue."""
    from config.celery import app

    universe_key = settings.SCANNER["universe_key"]
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(f"signals:scan-slot:{universe_key}:5m", f"signals:scan-lock:{universe_key}:5m")
    env = dict(os.environ, DATABASE_URL=database_url_of(connection.settings_dict),
               DJANGO_SETTINGS_MODULE="config.settings.test", BINANCE_ENV="sandbox",
               BINANCE_SANDBOX_URL=sandbox_process.url)
    queue = f"scanner-batches-{uuid.uuid4().hex[:8]}"
    workers = {}
    for n in range(2):
        name = f"batches{n}-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        workers[name] = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config.celery", "worker", "--pool=prefork", "-c", "1", "-n", name,
             "-Q", queue, "-l", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=BACKEND_DIR, env=env)
    try:
        for name in workers:
            _wait(lambda: app.control.ping(destination=[name], timeout=0.5), what=f"worker {name}")
        yield workers, queue
    finally:
        sandbox_process.control("DELETE", "faults")
        for process in workers.values():
            process.terminate()
        for process in workers.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _finished(run_id: int) -> ScanRun | None:
    run = ScanRun.objects.get(pk=run_id)
    return run if run.status != ScanRun.Outcome.RUNNING else None


def test_batches_cut_the_universe_in_order():
    assert batches_of(["A", "B", "C", "D", "E"], 2) == [["A", "B"], ["C", "D"], ["E"]]
    assert batches_of([], 2) == []


def test_a_scan_is_split_over_two_workers_and_recorded_once(two_workers, sandbox_process, settings):
    workers, queue = two_workers
    universe_refresh(size=6)
    # Each klines request held 1.5 s, so a batch is still running when the next is handed out.
    sandbox_process.control("POST", "faults", {"kind": "latency", "ms": 1500, "path_prefix": "/fapi/v1/klines"})
    started = scan_binance_market.apply_async(kwargs={"scheduled": True, "batch_size": 2}, queue=queue)
    assert started.get(timeout=60)["batches"] == 3
    # A second Beat's send in the same slot is skipped, and records a skipped run.
    second = scan_binance_market.apply_async(kwargs={"scheduled": True, "batch_size": 2}, queue=queue)
    assert second.get(timeout=60)["status"] == "skipped"
    run = _wait(lambda: _finished(started.get()["scan_run"]), what="the chord to finish")

    assert run.status == "ok" and run.symbols == 6 and run.errors == []
    assert ScanRun.objects.exclude(status="skipped").count() == 1
    batches = TaskResult.objects.filter(task_name="signals.scan_batch", status="SUCCESS")
    assert batches.count() == 3
    assert {b.worker for b in batches} == set(workers)  # both workers evaluated batches
    universe_key = settings.SCANNER["universe_key"]
    assert not redis.Redis.from_url(settings.REDIS_URL).exists(f"signals:scan-lock:{universe_key}:5m")


def test_a_batch_whose_worker_child_is_killed_runs_again(two_workers, sandbox_process):
    workers, queue = two_workers
    universe_refresh(size=6)
    sandbox_process.control("POST", "faults", {"kind": "latency", "ms": 4000, "path_prefix": "/fapi/v1/klines"})
    started = scan_binance_market.apply_async(kwargs={"scheduled": True, "batch_size": 2}, queue=queue)
    run_id = started.get(timeout=60)["scan_run"]
    busy = _wait(lambda: TaskResult.objects.filter(task_name="signals.scan_batch", status="STARTED").first(),
                 what="a batch to start")
    [child] = _children(workers[busy.worker].pid)
    os.kill(child, signal.SIGKILL)  # mid-batch: its klines requests are held by the latency fault
    sandbox_process.control("DELETE", "faults")
    run = _wait(lambda: _finished(run_id), what="the chord to finish")

    assert run.status == "ok" and run.symbols == 6  # the killed batch ran again; the chord completed
    assert TaskResult.objects.filter(task_name="signals.scan_batch", status="SUCCESS").count() == 3
    assert TaskResult.objects.get(task_id=busy.task_id).status == "SUCCESS"  # the same batch, re-run
    assert not ScanRun.objects.filter(status="running").exists()


def test_a_failed_chord_closes_its_run_and_frees_only_its_own_lock(settings):
    from django.utils import timezone

    from signals.services import scanning
    from signals.services.scan_batches import scan_batches_close

    client = redis.Redis.from_url(settings.REDIS_URL)
    run = ScanRun.objects.create(trigger="schedule", timeframe="5m", started_at=timezone.now())
    lock = scanning._lock("5m")
    client.delete(lock.name)
    assert lock.acquire(token=b"chord-token")
    scan_batches_close(run.pk, token="chord-token", failed=True, errors=["a batch failed after its retries"])
    run.refresh_from_db()
    assert (run.status, run.errors, run.symbols) == ("failed", ["a batch failed after its retries"], 0)
    assert not client.exists(lock.name)

    # A late callback of that chord neither reopens the run nor frees the lock of the next scan.
    assert lock.acquire(token=b"next-scan")
    scan_batches_close(run.pk, token="chord-token", results=[
        {"symbols": 2, "weight": 0, "created": 1, "updated": 0, "closed": 0, "errors": []}])
    run.refresh_from_db()
    assert run.status == "failed" and run.signals_created == 0
    assert client.get(lock.name) == b"next-scan"
    client.delete(lock.name)
