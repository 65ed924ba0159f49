"""No backtest stays QUEUED or RUNNING for ever (`services.runs_sweep`, Beat's `backtest.sweep`).

A run created by a real process whose broker is away stays QUEUED with nothing sent; once the
broker answers, the sweep sends it and a real worker runs it to DONE. A run sent twice runs once.
A RUNNING run without progress for the stale delay is FAILED with the reason pushed to its owner;
one with recent progress, and a QUEUED one sent a moment ago, are left alone."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from channels.layers import get_channel_layer
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from backtest import services
from backtest.models import BacktestRun
from conftest import BACKEND_DIR, database_url_of
from realtime.events import user_group

from .test_runs import backtests_worker, body, client_of, store, wait_for  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

CREATE_WITHOUT_BROKER = """
import django; django.setup()
from django.contrib.auth import get_user_model
from django.db import transaction
from backtest import services
owner = get_user_model().objects.get(id={owner})
with transaction.atomic():
    run = services.run_create(owner=owner, data={data})
print(run.id)
"""


def test_a_run_created_while_the_broker_was_away_is_sent_by_the_sweep(backtests_worker):
    series = store(symbols=["AAVEUSDT"])
    user, _ = client_of("bt-sweep")
    env = dict(os.environ, DATABASE_URL=database_url_of(connection.settings_dict),
               DJANGO_SETTINGS_MODULE="config.settings.test", CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    script = CREATE_WITHOUT_BROKER.format(owner=user.id, data=repr(body(series)))
    done = subprocess.run([sys.executable, "-c", script], cwd=BACKEND_DIR, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    run = BacktestRun.objects.get(id=int(done.stdout.split()[-1]))
    assert run.status == "QUEUED" and run.sent_at is None  # the on_commit send failed, logged, the run kept

    assert services.runs_sweep() == {"sent": [], "failed": []}  # too young: its send may still be under way
    swept = services.runs_sweep(now=timezone.now() + services.UNSENT_AFTER + timedelta(seconds=1))
    assert swept == {"sent": [run.id], "failed": []}
    run = wait_for(run.id, {"DONE", "FAILED"})
    assert run.status == "DONE", run.error
    assert run.sent_at is not None and run.heartbeat_at is not None


def test_a_run_sent_twice_runs_once(backtests_worker):
    series = store(symbols=["AAVEUSDT"])
    user, client = client_of("bt-twice")

    async def scenario() -> list[dict]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(user_group(user.id), channel)
        run_id = (await asyncio.to_thread(client.post, "/api/backtests/", body(series), format="json")).json()["id"]
        await asyncio.to_thread(services._send, run_id)  # what a sweep does when the first send seems lost
        await asyncio.to_thread(wait_for, run_id, {"DONE"})
        frames: list[dict] = []
        try:
            while True:  # everything pushed, until 3 s of silence
                frame = json.loads((await asyncio.wait_for(layer.receive(channel), 3))["text"])
                frames.extend(frame["events"] if frame["type"] == "batch" else [frame])
        except asyncio.TimeoutError:
            return frames

    frames = asyncio.run(scenario())
    assert [f["data"]["progress"] for f in frames if f["type"] == "backtest_progress"] == [20, 60, 85]
    assert [f["data"]["status"] for f in frames if f["type"] == "backtest_finished"] == ["DONE"]


def test_a_running_run_without_progress_fails_and_fresh_ones_are_left_alone():
    user, _ = client_of("bt-stale")
    now = timezone.now()
    make = lambda **fields: BacktestRun.objects.create(owner=user, kind="scanner", parameters={}, **fields)  # noqa: E731
    stale = make(status="RUNNING", heartbeat_at=now - services.STALE_AFTER - timedelta(seconds=1))
    alive = make(status="RUNNING", heartbeat_at=now - services.STALE_AFTER + timedelta(seconds=30))
    waiting = make(status="QUEUED", sent_at=now - timedelta(minutes=1))

    async def scenario() -> tuple[dict, dict]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(user_group(user.id), channel)
        swept = await asyncio.to_thread(services.runs_sweep, now=now)
        frame = json.loads((await asyncio.wait_for(layer.receive(channel), 10))["text"])
        return swept, (frame["events"][0] if frame["type"] == "batch" else frame)

    swept, frame = asyncio.run(scenario())
    assert swept == {"sent": [], "failed": [stale.id]}
    stale.refresh_from_db()
    assert stale.status == "FAILED" and "no progress for 10 min" in stale.error and stale.finished_at
    assert frame["type"] == "backtest_finished" and frame["data"]["backtest_id"] == stale.id
    assert frame["data"]["status"] == "FAILED"
    assert BacktestRun.objects.get(id=alive.id).status == "RUNNING"
    waiting.refresh_from_db()
    assert waiting.status == "QUEUED" and waiting.sent_at == now - timedelta(minutes=1)


@pytest.mark.django_db(transaction=False)  # run before the transactional tests flush the migrations' rows
def test_beat_sweeps_every_minute_on_the_maintenance_queue():
    from config.celery import app

    entry = PeriodicTask.objects.get(task="backtest.sweep")
    assert entry.enabled and entry.interval.every == 60 and entry.interval.period == "seconds"
    assert app.amqp.router.route({}, "backtest.sweep")["queue"].name == "maintenance"
    assert app.amqp.router.route({}, "backtest.run")["queue"].name == "backtests"
