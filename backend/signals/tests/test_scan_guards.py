"""Scan robustness: two Beat processes never double a scan, a redelivered scan runs again
idempotently, a run left "running" is closed as failed, and the API answers 503 (not 500)
while PostgreSQL is unreachable."""
from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.utils import timezone

from market.services import universe_refresh
from signals.models import ScanRun, Signal
from signals.services.scan_runs import ORPHANED
from signals.tasks import scan_binance_market

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def free_slot(settings):
    import redis

    redis.Redis.from_url(settings.REDIS_URL).delete(f"signals:scan-slot:{settings.SCANNER['universe_key']}:5m")


def test_two_beats_sending_the_scan_make_one_scan(sandbox_process, celery_worker_process, free_slot):
    universe_refresh(size=3)
    # What two Beat processes send for the same minute: the entry's kwargs, two task ids.
    first = scan_binance_market.apply_async(kwargs={"scheduled": True})
    second = scan_binance_market.apply_async(kwargs={"scheduled": True})
    outcomes = sorted([first.get(timeout=60)["status"], second.get(timeout=60)["status"]])
    assert outcomes == ["ok", "skipped"]
    assert ScanRun.objects.filter(status="ok").count() == 1
    assert ScanRun.objects.get(status="skipped").errors == ["another scan took this schedule slot"]


def test_a_redelivered_scan_runs_again_and_changes_nothing(sandbox_process, free_slot):
    universe_refresh(size=5)
    task_id = str(uuid.uuid4())
    # acks_late: a worker lost mid-scan leaves the message to be delivered again with the same id.
    first = scan_binance_market.apply(kwargs={"scheduled": True}, task_id=task_id).get()
    keys = set(Signal.objects.values_list("key", flat=True))
    again = scan_binance_market.apply(kwargs={"scheduled": True}, task_id=task_id).get()
    assert (first["status"], again["status"]) == ("ok", "ok")
    assert again["created"] == 0 and set(Signal.objects.values_list("key", flat=True)) == keys


def test_the_scan_task_is_acknowledged_late():
    assert scan_binance_market.acks_late and scan_binance_market.reject_on_worker_lost


def test_a_run_left_running_is_marked_failed_by_the_next_scan(sandbox_process, free_slot):
    universe_refresh(size=3)
    # What a worker killed mid-scan (or PostgreSQL gone when the run was to be closed) leaves.
    orphan = ScanRun.objects.create(trigger="schedule", timeframe="5m", started_at=timezone.now())
    assert scan_binance_market.apply().get()["status"] == "ok"
    orphan.refresh_from_db()
    assert (orphan.status, orphan.errors) == ("failed", [ORPHANED]) and orphan.finished_at is not None
    assert not ScanRun.objects.filter(status="running").exists()


@pytest.fixture
def database_away():
    """The API's connection pointed at a port where no PostgreSQL listens (a real connect failure
    from the driver), restored afterwards."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(dead_port))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_the_api_answers_503_with_a_clear_body_while_postgresql_is_away(client, database_away):
    for path in ("/api/signals/", "/api/scanner/status/", "/api/signals/stats/"):
        response = client.get(path)
        assert response.status_code == 503, (path, response.content[:200])
        assert response.json() == {"detail": "The database is unavailable; try again shortly.",
                                   "code": "database_unavailable"}
        assert response["Retry-After"] == "5"
