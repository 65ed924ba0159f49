"""Runs started, paused, resumed and stopped through the services while the engine runs: a run
created after the engine started is picked up (a candle closing before that is not its to handle); a paused or stopped run handles no candle (the
entry is still acknowledged); a resumed run handles the next one.  A log-only strategy: no order,
no exchange."""
from __future__ import annotations

import json

import pytest

from market.services import candles_upsert
from strategies.compiler import compile_workspace
from strategies.engine.process import HEARTBEAT_KEY
from strategies.models import StrategyLog, StrategyRunCandle
from strategies.services import run_start, run_trigger

from .test_api import user_make
from .test_engine_support import EngineThread, Stream, candles_make, version_make, wait_for
from .test_runs_api import account_of
from .workspaces import candle, log, workspace

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


def test_start_pause_resume_stop_while_the_engine_runs():
    owner = user_make("ctl")
    version = version_make(owner, compile_workspace(workspace(log("close", candle("close")))))
    candles = candles_make("BTCUSDT", 34)
    candles_upsert(candles)
    stream = Stream()
    engine = EngineThread(stream)
    handled = lambda: StrategyRunCandle.objects.filter(run=run).values_list("open_time", flat=True).first()  # noqa: E731

    def engine_runs(n: int) -> None:  # the engine's heartbeat counts the runs it follows (polled every second)
        wait_for(lambda: json.loads(stream.client.get(HEARTBEAT_KEY) or b"{}").get("runs") == n,
                 what=f"the engine following {n} runs")

    def publish_and_settle(c):
        stream.publish([c])
        wait_for(lambda: stream.pending() == 0 and stream.client.xinfo_groups(stream.key)[0]["lag"] == 0,
                 what="the entry read and acknowledged")

    try:
        run = run_start(owner=owner, strategy=version.strategy, version=1, exchange_account=account_of(owner).id,
                        symbols=["BTCUSDT"], timeframe="5m")
        engine_runs(1)
        stream.publish([candles[30]])
        wait_for(lambda: handled() == candles[30].open_time, what="the new run picked up")
        run = run_trigger(run=run, trigger="pause")
        publish_and_settle(candles[31])
        assert handled() == candles[30].open_time
        engine_runs(0)
        run = run_trigger(run=run, trigger="resume")
        engine_runs(1)
        stream.publish([candles[32]])
        wait_for(lambda: handled() == candles[32].open_time, what="the resumed run handling the next candle")
        run = run_trigger(run=run, trigger="stop")
        publish_and_settle(candles[33])
        assert handled() == candles[32].open_time
    finally:
        engine.close()
        stream.delete()
    lines = list(StrategyLog.objects.filter(run=run).order_by("id").values_list("candle_time", "message"))
    assert lines == [(c.open_time, f"close {float(c.close):.8g}") for c in (candles[30], candles[32])]
