"""The Beat entries the migrations create (`common.beat_entries`): each app's periodic task, on its
interval, expiring before the next run is due; reversing the migration removes the row."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_celery_beat.models import PeriodicTask

pytestmark = pytest.mark.django_db

ENTRIES = {  # name: (task, seconds between runs)
    "refresh-universe": ("market.refresh_universe", 900),
    "prune-candles": ("market.prune_candles", 3600),
    "trading-reconcile-all": ("trading.reconcile_all", 60),
    "backtest-sweep": ("backtest.sweep", 60),
}
SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600}


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_each_entry_runs_its_task_on_its_interval_and_expires_before_the_next(name):
    entry = PeriodicTask.objects.get(name=name)
    task, every = ENTRIES[name]
    assert entry.task == task and entry.enabled and entry.description
    assert entry.interval.every * SECONDS[entry.interval.period] == every
    assert 0 < entry.expire_seconds < every


@pytest.mark.django_db(transaction=True)
def test_reversing_the_migration_removes_the_entry_and_applying_it_again_restores_it():
    executor = MigrationExecutor(connection)
    executor.migrate([("backtest", "0002_sent_heartbeat")])
    assert not PeriodicTask.objects.filter(name="backtest-sweep").exists()
    executor = MigrationExecutor(connection)
    executor.migrate([("backtest", "0003_sweep_schedule")])
    assert PeriodicTask.objects.get(name="backtest-sweep").task == "backtest.sweep"
