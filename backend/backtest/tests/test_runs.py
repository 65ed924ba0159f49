"""Backtest runs through a real Celery worker on its own `backtests` queue: progress events on the
owner's private channel, results equal to the pure core called directly, gaps refused, cancel."""
from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from decimal import Decimal

import pytest
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from backtest import services
from backtest.fills import FillModel
from backtest.models import BacktestRun
from backtest.reports import equity_frame, metrics, trades_frame
from backtest.scanner import scan_signals
from backtest.signal_trades import signal_trades
from conftest import BACKEND_DIR, database_url_of
from market.models import Candle
from realtime.events import user_group
from sandbox.data.recorded import recorded_candles
from signals.config import SignalConfig

pytestmark = pytest.mark.django_db(transaction=True)
SYMBOLS = ["AAVEUSDT", "ADAUSDT"]
N = 600


@pytest.fixture(scope="module")
def backtests_worker(django_db_setup, django_db_blocker):
    """A worker consuming only `backtests`, so the suite's shared worker (which does not list it)
    and this one never take each other's tasks."""
    from django.db import connection

    from config.celery import app

    name = f"bt-{uuid.uuid4().hex[:8]}@%h"
    env = dict(os.environ, DATABASE_URL=database_url_of(connection.settings_dict),
               DJANGO_SETTINGS_MODULE="config.settings.test")
    process = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-n", name,
                                "-Q", "backtests", "-l", "WARNING", "--without-gossip", "--without-mingle"],
                               cwd=BACKEND_DIR, env=env)
    hostname = name.replace("%h", socket.gethostname())
    deadline = time.monotonic() + 60
    try:
        while not app.control.ping(destination=[hostname], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the backtests worker did not come up")
        yield hostname
    finally:
        process.terminate()
        process.wait(20)


def store(symbols=SYMBOLS, n=N, skip=()) -> dict:
    from django.conf import settings

    tables = recorded_candles()
    series = {s: tables[s][:n] for s in symbols}
    Candle.objects.bulk_create([
        Candle(market=settings.BINANCE.market, symbol=s, interval="5m", open_time=int(r[0]), close_time=int(r[0]) + 299_999,
               open=r[1], high=r[2], low=r[3], close=r[4], volume=r[5], quote_volume=0, trades=0, taker_buy_base=0,
               taker_buy_quote=0, history=True)
        for s, rows in series.items() for i, r in enumerate(rows) if i not in skip])
    return series


def body(series, **extra) -> dict:
    first = next(iter(series.values()))
    iso = lambda ms: time.strftime("%Y-%m-%dT%H:%M", time.gmtime(ms / 1000))  # noqa: E731
    return {"kind": "scanner", "symbols": list(series), "timeframe": "5m", "start": iso(first[0, 0]),
            "end": iso(first[-1, 0] + 300_000), "slippage_bps": "2", "leverage": "10", **extra}


def client_of(name: str):
    user = get_user_model().objects.create_user(username=name, password="pw-123456789")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return user, client


def wait_for(run_id: int, statuses, timeout=120) -> BacktestRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = BacktestRun.objects.get(id=run_id)
        if run.status in statuses:
            return run
        time.sleep(0.2)
    raise AssertionError(f"backtest {run_id} still {run.status}")


def test_a_run_on_the_worker_pushes_progress_and_equals_the_pure_core(backtests_worker):
    series = store()
    user, client = client_of("bt-owner")

    async def scenario() -> tuple[dict, list[dict]]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(user_group(user.id), channel)
        answer = await asyncio.to_thread(client.post, "/api/backtests/", body(series), format="json")
        frames: list[dict] = []

        async def collect():
            while not any(f["type"] == "backtest_finished" for f in frames):
                frame = json.loads((await layer.receive(channel))["text"])
                frames.extend(frame["events"] if frame["type"] == "batch" else [frame])

        await asyncio.wait_for(collect(), 120)
        return answer, frames

    answer, frames = asyncio.run(scenario())
    assert answer.status_code == 201, answer.content
    run = wait_for(answer.json()["id"], {"DONE"})
    assert [f["data"]["progress"] for f in frames if f["type"] == "backtest_progress"] == [20, 60, 85]
    assert frames[-1]["data"] == {"backtest_id": run.id, "progress": 100, "status": "DONE", "error": ""}

    # the same window through the pure core, called directly
    scan = scan_signals(series, SignalConfig(), timeframe="5m")
    book = signal_trades(series, scan, model=FillModel(slippage_bps=2, leverage=10),
                         initial_equity=Decimal(10_000), notional=Decimal(1_000))
    trades = trades_frame(book.trades)
    expected = metrics(trades, equity_frame(book.equity_curve, book.initial_equity), book.initial_equity, 300_000)
    assert len(book.trades) > 0 and run.results["trades_total"] == len(book.trades)
    assert run.results["metrics"]["total_pnl"] == pytest.approx(expected["total_pnl"])
    assert run.results["metrics"]["final_equity"] == pytest.approx(expected["final_equity"])
    assert run.results["equity_curve"][-1] == [book.equity_curve[-1].time_ms, str(book.equity_curve[-1].equity)]
    csv = client.get(f"/api/backtests/{run.id}/trades.csv")
    assert csv.status_code == 200 and csv.content.decode() == trades.to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")
    first = run.results["trades"][0]  # the kept trades as the ledger has them, times in epoch ms
    assert (first["symbol"], first["entry_time"], first["exit_time"], first["pnl"]) == (
        book.trades[0].symbol, book.trades[0].entry_time, book.trades[0].exit_time, str(book.trades[0].pnl))
    by_symbol = {row["key"]: row for row in run.results["breakdown"]["symbol"]}
    assert set(by_symbol) == {t.symbol for t in book.trades}
    for symbol, row in by_symbol.items():  # each symbol's row: its trades, summed from the ledger
        own = [t.pnl for t in book.trades if t.symbol == symbol]
        assert row["trades"] == len(own) and row["total_pnl"] == pytest.approx(float(sum(own)))
    months = run.results["breakdown"]["month"]
    assert sum(r["trades"] for r in months) == len(book.trades) and months[0]["key"].count("-") == 1
    assert {r["key"] for r in run.results["breakdown"]["direction"]} <= {"LONG", "SHORT"}
    compare = client.get(f"/api/backtests/compare/?ids={run.id}").json()
    assert compare["runs"][0]["metrics"]["trades"] == len(book.trades)
    other = client_of("bt-other")[1]
    assert other.get(f"/api/backtests/{run.id}/").status_code == 404


def test_a_strategy_version_on_the_worker_equals_the_strategy_core(backtests_worker):
    from strategies.compiler import compile_workspace
    from strategies.models import Strategy
    from strategies.tests.workspaces import close, cross, if_, ind, num, open_, workspace

    from backtest.strategy import strategy_backtest

    series = store()
    user, client = client_of("bt-strategy")
    ws = workspace(if_(cross(ind("ema", period=9), "above", ind("ema", period=21)), [open_("LONG", num(0.5))]),
                   if_(cross(ind("ema", period=9), "below", ind("ema", period=21)), [close("LONG")]))
    strategy = Strategy.objects.create(owner=user, name="ema", last_version=1)
    version = strategy.versions.create(number=1, workspace=ws, ir=compile_workspace(ws))
    answer = client.post("/api/backtests/", body(series, kind="strategy", strategy_version_id=version.id), format="json")
    assert answer.status_code == 201, answer.content
    by_number = client.post("/api/backtests/", body(series, kind="strategy", strategy_id=strategy.id, version=1),
                            format="json")  # the strategy and its version number, as the strategies API names them
    assert by_number.status_code == 201 and by_number.json()["parameters"]["strategy_version_id"] == version.id
    assert wait_for(by_number.json()["id"], {"DONE", "FAILED"}).status == "DONE"
    other_user = client_of("bt-strategy-other")[1].post(
        "/api/backtests/", body(series, kind="strategy", strategy_id=strategy.id, version=1), format="json")
    assert other_user.status_code == 400 and "version" in other_user.json()["errors"]
    run = wait_for(answer.json()["id"], {"DONE", "FAILED"})
    assert run.status == "DONE", run.error
    direct = strategy_backtest(version.ir, series, timeframe="5m", timeframe_ms=300_000,
                               model=FillModel(slippage_bps=2, leverage=10), initial_equity=Decimal(10_000))
    assert run.results["trades_total"] == len(direct.book.trades) > 0
    assert run.results["events"] == len(direct.decisions)
    assert run.results["equity_curve"][-1] == [direct.book.equity_curve[-1].time_ms,
                                               str(direct.book.equity_curve[-1].equity)]


def test_a_scanner_run_with_walk_forward_reports_the_cores_folds(backtests_worker):
    from backtest.walk_forward import walk_forward

    series = store()
    _, client = client_of("bt-wf")
    wf = {"thresholds": [60, 70], "train": 200, "test": 100}
    answer = client.post("/api/backtests/", body(series, walk_forward=wf), format="json")
    run = wait_for(answer.json()["id"], {"DONE", "FAILED"})
    assert run.status == "DONE", run.error
    direct = walk_forward(series, [60, 70], train=200, test=100, model=FillModel(slippage_bps=2, leverage=10))
    got = run.results["walk_forward"]
    assert got["summary"] == pytest.approx(direct["summary"]) and got["summary"]["folds"] == 2
    assert [f["chosen"] for f in got["folds"]] == [f.chosen for f in direct["folds"]]
    assert [f["train"] + f["test"] for f in got["folds"]] == [list(f.train + f.test) for f in direct["folds"]]
    bad = client.post("/api/backtests/", body(series, walk_forward={"thresholds": [], "train": 0}), format="json")
    assert bad.status_code == 400 and "scanner runs only" in bad.json()["errors"]["walk_forward"]


def test_a_window_with_a_gap_fails_naming_it(backtests_worker):
    series = store(skip={300, 301})
    _, client = client_of("bt-gap")
    run = wait_for(client.post("/api/backtests/", body(series), format="json").json()["id"], {"FAILED"})
    assert "gap" in run.error and "(2 candles)" in run.error and "AAVEUSDT" in run.error


def test_cancel_queued_at_once_and_running_between_chunks():
    series = store(symbols=SYMBOLS[:1])
    user, client = client_of("bt-cancel")
    run = BacktestRun.objects.create(owner=user, kind="scanner", parameters=services.parameters_validate(body(series))[1])
    answer = client.post(f"/api/backtests/{run.id}/cancel/")
    assert answer.status_code == 202 and answer.json()["status"] == "CANCELED"
    services.run_execute(run.id)  # a late task leaves a canceled run alone
    assert BacktestRun.objects.get(id=run.id).status == "CANCELED"

    run = BacktestRun.objects.create(owner=user, kind="scanner", parameters=run.parameters)
    seen = []

    def cancel_at_first_chunk(run_id, progress):
        if not seen:
            services.run_cancel(run=BacktestRun.objects.get(id=run_id))
        seen.append(progress)
        return original(run_id, progress)

    original = services._chunk_done
    services._chunk_done = cancel_at_first_chunk
    try:
        services.run_execute(run.id)
    finally:
        services._chunk_done = original
    run.refresh_from_db()
    assert run.status == "CANCELED" and seen == [20] and run.results is None


def test_bad_requests_are_400_with_messages():
    _, client = client_of("bt-bad")
    answer = client.post("/api/backtests/", {"symbols": [], "timeframe": "7m", "start": "nope", "leverage": "500"},
                         format="json")
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert set(errors) == {"symbols", "timeframe", "start", "end", "costs"}
    assert errors["timeframe"].startswith("timeframe '7m' not configured") and "'nope' is not a date" in errors["start"]
    assert errors["costs"] == "leverage must be in [1, 125]"
    backwards = {"symbols": ["BTCUSDT"], "start": "2026-01-02", "end": "2026-01-01", "taker_fee": "x", "config": {"nope": 1}}
    errors = client.post("/api/backtests/", backwards, format="json").json()["errors"]
    assert errors["taker_fee"] == "'x' is not a number" and "nope" in errors["config"]
    errors = client.post("/api/backtests/", {**backwards, "taker_fee": "0.0005", "config": {}}, format="json").json()["errors"]
    assert errors == {"end": "must be after start"}
    strategy = client.post("/api/backtests/", {"kind": "strategy", "strategy_version_id": 999}, format="json")
    assert strategy.status_code == 400 and "strategy_version_id" in strategy.json()["errors"]
    for named in ({"strategy_id": 999, "version": 1}, {"strategy_id": "1", "version": True}):
        answer = client.post("/api/backtests/", {"kind": "strategy", **named}, format="json")
        assert answer.status_code == 400 and "one of your strategies" in answer.json()["errors"]["version"]
    assert client.get("/api/backtests/compare/?ids=x").status_code == 400
    assert BacktestRun.objects.count() == 0
