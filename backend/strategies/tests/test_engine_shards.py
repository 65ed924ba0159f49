"""Two `manage.py run_strategies --shards 2` processes share the running strategies, and one takes
the other's shard over when it is killed with SIGKILL.

Four log-only runs (ids split over the two shards by `id % 2`) on the same candles. First both
processes hold one shard each (their heartbeats say which) and every run handles every candle.
Then one process is killed right after a candle is published: the survivor takes its shard once
the lease has expired (3 s here), reads what the dead one was given and never acknowledged, and
handles the candles published while it was gone. Each run logs each candle exactly once: none
missed, none doubled; nothing is left unacknowledged in either shard's group."""
from __future__ import annotations

import json
import sys
import time

import pytest

from market.services import candles_upsert
from strategies.compiler import compile_workspace
from strategies.engine.process import HEARTBEAT_KEY, shard_group
from strategies.models import StrategyLog, StrategyRunCandle
from strategies.services import run_start
from trading.tests.harness import PlatformProcess, wait_until
from trading.tests.harness.processes import platform_env

from .test_api import user_make
from .test_engine_support import Stream, candles_make, version_make
from .test_runs_api import account_of
from .workspaces import candle, log, workspace

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.timeout(240)]
LEASE_MS = 3000


def engine_process(workdir, stream: Stream, name: str) -> PlatformProcess:
    def ready(proc: PlatformProcess) -> bool:  # alive and beating (the first beat comes at once)
        status = stream.client.get(HEARTBEAT_KEY)
        return status is not None and len(json.loads(status)["held"]) >= 1

    argv = [sys.executable, "manage.py", "run_strategies", "--stream", stream.key, "--shards", "2",
            "--lease-ms", str(LEASE_MS)]
    return PlatformProcess(name, argv, platform_env("http://127.0.0.1:9"), workdir, ready)


def test_two_engines_share_the_runs_and_one_takes_over_the_dead_ones_shard(tmp_path):
    owner = user_make("shards")
    version = version_make(owner, compile_workspace(workspace(log("close", candle("close")))))
    candles = candles_make("BTCUSDT", 40)
    candles_upsert(candles)
    account = account_of(owner).id
    runs = [run_start(owner=owner, strategy=version.strategy, version=1, exchange_account=account,
                      symbols=["BTCUSDT"], timeframe="5m") for _ in range(4)]
    assert sorted(r.id % 2 for r in runs) == [0, 0, 1, 1]
    stream = Stream()
    for number in (0, 1):  # the shards' groups from the stream's start, so no entry predates them
        stream.client.xgroup_create(stream.key, shard_group(number, 2), id="0")
    status = lambda: json.loads(stream.client.get(HEARTBEAT_KEY) or b"{}")  # noqa: E731
    handled = lambda: {r.id: StrategyRunCandle.objects.filter(run=r).values_list("open_time", flat=True).first()  # noqa: E731
                       for r in runs}
    first, second = engine_process(tmp_path, stream, "engine-a"), engine_process(tmp_path, stream, "engine-b")
    try:
        first.start()
        second.start()
        wait_until(lambda: status().get("runs") == 4 and sorted(map(tuple, status()["held"].values())) == [(0,), (1,)],
                   timeout=60, what="each process holding one shard and following its two runs")
        stream.publish(candles[30:34])
        wait_until(lambda: set(handled().values()) == {candles[33].open_time}, timeout=60,
                   what="every run handling candles 31-34")

        stream.publish(candles[34:35])
        first.kill9()
        killed_at = time.monotonic()
        stream.publish(candles[35:40])
        wait_until(lambda: [list(v) for v in status()["held"].values()] == [[0, 1]], timeout=60,
                   what="the survivor holding both shards")
        taken_in = time.monotonic() - killed_at
        wait_until(lambda: set(handled().values()) == {candles[39].open_time}, timeout=60,
                   what="every run handling candles 35-40 after the kill")
        wait_until(lambda: all(stream.client.xpending(stream.key, shard_group(n, 2))["pending"] == 0 for n in (0, 1)),
                   timeout=30, what="every entry acknowledged in both groups")
    finally:
        first.stop()
        second.stop()
        stream.delete()
    assert taken_in < LEASE_MS / 1000 + 5, taken_in  # the lease's expiry, then a tick (ttl/5) and a beat
    for run in runs:
        lines = list(StrategyLog.objects.filter(run=run).order_by("id").values_list("candle_time", "message"))
        assert lines == [(c.open_time, f"close {float(c.close):.8g}") for c in candles[30:40]], run.id
