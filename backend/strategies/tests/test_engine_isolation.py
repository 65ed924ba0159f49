"""Isolation: three runs on the same candles, in the real engine (consumer group on a Redis stream
of the test's own, worker threads, PostgreSQL, the sandbox for the orders): one whose program the
runtime refuses (StaleProgram), one that blows its step budget, one healthy EMA cross.  The healthy
run's decisions and log lines equal the runtime's called directly on the same windows; the two
others are ERROR with their traces; every stream entry is acknowledged."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from market.services import candles_upsert
from strategies.compiler import compile_workspace
from strategies.decisions import Log, Notify
from strategies.engine.handling import _KIND, EngineGlue, _payload
from strategies.models import StrategyDecision, StrategyLog, StrategyRunCandle
from strategies.runtime import Context, evaluate
from strategies.template_library import template_get
from trading.tests.harness import paper_account_create

from .test_api import user_make
from .test_engine_support import EngineThread, Stream, TF, candles_as_arrays, candles_make, run_make, version_make, \
    wait_for
from .workspaces import arith, num, set_var, workspace

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]

SYMBOL, STORED, LIVE, BUDGET = "BTCUSDT", 100, 60, 250


def spinner() -> dict:
    """60 statements of ~6 steps each: ~360 steps, over the engine's budget of 250 in this test."""
    statements = [set_var("x", arith(arith(num(1), "add", num(2)), "mul", num(3))) for _ in range(60)]
    return compile_workspace(workspace(*statements, variables=("x",)))


def expected_of(ir: dict, candles: list, first_live: int) -> tuple[list, list]:
    """The runtime called directly: (candle time, kind, payload) per order decision, (time, text) per log."""
    decisions, logs = [], []
    for i in range(first_live, len(candles)):
        ctx = Context(symbol=SYMBOL, timeframe=TF, candles={(SYMBOL, TF): candles_as_arrays(candles[:i + 1][-500:])},
                      available_balance=10_000.0)
        t = candles[i].open_time
        for d in evaluate(ir, ctx).decisions:
            if isinstance(d, (Log, Notify)):
                logs.append((t, d.message if d.value is None else f"{d.message} {d.value:.8g}"))
            else:
                decisions.append((t, _KIND[type(d)], json.loads(json.dumps(_payload(d)))))
    return decisions, logs


def test_a_raising_and_a_spinning_run_leave_the_healthy_one_alone(sandbox_process):
    from trading.models import BalanceSnapshot

    owner = user_make("iso")
    account = paper_account_create(owner, sandbox_process)
    BalanceSnapshot.objects.create(account=account, asset="USDT", wallet_balance=Decimal(10_000),
                                   available_balance=Decimal(10_000))
    healthy_ir = compile_workspace(template_get("ema_cross")["workspace"])
    healthy = run_make(version_make(owner, healthy_ir, "ema"), account, [SYMBOL])
    raising = run_make(version_make(owner, {"ir_version": 999, "on_candle_close": []}, "stale"), account, [SYMBOL])
    spinning = run_make(version_make(owner, spinner(), "spin"), account, [SYMBOL])

    candles = candles_make(SYMBOL, STORED + LIVE)
    candles_upsert(candles)
    stream = Stream()
    engine = EngineThread(stream, glue=EngineGlue(budget=BUDGET))
    try:
        stream.publish(candles[STORED:])
        last = candles[-1].open_time
        wait_for(lambda: StrategyRunCandle.objects.filter(run=healthy, open_time=last).exists() and stream.pending() == 0,
                 what="the healthy run to handle every candle")
    finally:
        engine.close()
        stream.delete()

    for run, name in ((raising, "StaleProgram"), (spinning, "BudgetExceeded")):
        run.refresh_from_db()
        assert run.status == "ERROR" and run.error.startswith(name) and name in run.trace and "Traceback" in run.trace
        assert StrategyLog.objects.filter(run=run, level="error").count() == 1
    healthy.refresh_from_db()
    assert healthy.status == "RUNNING" and healthy.error == ""

    decisions, logs = expected_of(healthy_ir, candles, STORED)
    assert decisions, "the wave should make the EMAs cross"
    got = [(d.candle_time, d.kind, d.payload) for d in StrategyDecision.objects.filter(run=healthy).order_by("id")]
    assert got == decisions
    got_logs = list(StrategyLog.objects.filter(run=healthy, level__in=("info", "notify")).order_by("id")
                    .values_list("candle_time", "message"))
    assert got_logs == logs
    opened = StrategyDecision.objects.filter(run=healthy, kind="open")
    assert opened and all(d.order is not None and d.order.tag == f"s{healthy.id}" and d.order.strategy_run_id == healthy.id
                          and d.order.status not in ("PENDING", "SENDING") for d in opened), \
        [(d.outcome, d.order and d.order.status) for d in opened]
