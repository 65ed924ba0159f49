"""Restart: `manage.py run_strategies` as a real process, killed with SIGKILL at the engine's crash
points (strategies/engine/crashpoints.py), then started again.

* before commit: the candle's decisions and its PENDING order are written but not committed; the
  restarted engine reads the entry again from its pending list and handles the candle once.
* after commit, before the order is sent: the candle is handled and its order PENDING; the
  restarted engine skips the candle, and the trading process's start-up `orders_recover` sends the
  order (the engine never resends).

Then: one handled-candle row at the last candle, one decision per candle, one platform order per
decision, each on the sandbox exactly once (its `allOrders`, read with plain signed HTTP) and
filled, and nothing left unacknowledged on the stream."""
from __future__ import annotations

import sys
import time

import pytest

from market.services import candles_upsert
from strategies.compiler import compile_workspace
from strategies.models import StrategyDecision, StrategyRunCandle
from trading.tests.harness import PlatformProcess, account_http, wait_until
from trading.tests.harness.fixtures import *  # noqa: F401,F403 (the proofs' fixtures)
from trading.tests.harness.processes import platform_env
from trading.tests.harness.stack import ProofStack, trading_start

from .test_engine_support import Stream, candles_make, run_make, version_make
from .workspaces import num, open_, workspace

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.timeout(300)]
SYMBOL = "BTCUSDT"


def engine_process(sandbox_url: str, workdir, stream: Stream) -> PlatformProcess:
    started = {}

    def ready(proc: PlatformProcess) -> bool:  # the consumer group is made before; 2 s to connect
        started.setdefault(proc.starts, time.monotonic())
        return time.monotonic() - started[proc.starts] > 2.0

    # A 2 s lease: the restarted engine takes the shard the killed one held 2 s after the kill.
    return PlatformProcess("run_strategies", [sys.executable, "manage.py", "run_strategies", "--stream", stream.key,
                                              "--lease-ms", "2000"], platform_env(sandbox_url), workdir, ready)


def test_kill_9_before_and_after_commit_handles_no_candle_twice_and_doubles_no_order(
        proof_account, sandbox_process, trading_proc, tmp_path):
    from trading.models import Order

    account = proof_account
    program = compile_workspace(workspace(open_("LONG", num(0.002))))  # one order per candle
    run = run_make(version_make(account.owner, program), account, [SYMBOL])
    candles = candles_make(SYMBOL, 36)
    candles_upsert(candles)  # the store has a candle before its event is published
    live = candles[30:]
    stream = Stream()
    engine = engine_process(sandbox_process.url, tmp_path, stream)
    handled = lambda: StrategyRunCandle.objects.filter(run=run).values_list("open_time", flat=True).first()  # noqa: E731
    try:
        # 1. killed before the first candle's transaction commits
        engine.start(crash_at="strategy_before_commit")
        stream.publish(live[:3])
        assert engine.wait_exit() == -9
        assert handled() is None and not Order.objects.filter(account=account).exists()
        engine.start()
        wait_until(lambda: handled() == live[2].open_time and not Order.objects.filter(
            account=account, status="PENDING").exists(), timeout=60, what="candles 1-3 handled after the restart, "
                                                                           "their orders sent")
        engine.kill9()

        # 2. killed after the 4th candle's commit, before its order is sent
        engine.start(crash_at="strategy_after_commit")
        stream.publish(live[3:])
        assert engine.wait_exit() == -9
        assert handled() == live[3].open_time
        stranded = Order.objects.get(account=account, status="PENDING")
        engine.start()
        wait_until(lambda: handled() == live[5].open_time and stream.pending() == 0, timeout=60,
                   what="candles 5-6 handled after the restart")
        assert Order.objects.get(pk=stranded.pk).status == "PENDING"  # the engine did not resend it
        time.sleep(3.5)  # orders_recover sends PENDING orders unclaimed for 3 s
        trading_start(ProofStack(account, sandbox_process, trading_proc, None))
        wait_until(lambda: not Order.objects.filter(account=account, status__in=("PENDING", "SENDING", "UNKNOWN")
                                                    ).exists(), timeout=60, what="the stranded order recovered")
    finally:
        engine.stop()
        stream.delete()

    decisions = list(StrategyDecision.objects.filter(run=run).order_by("candle_time"))
    assert [d.candle_time for d in decisions] == [c.open_time for c in live]
    orders = Order.objects.filter(account=account).exclude(source="external")
    assert sorted(o.pk for o in orders) == sorted(d.order_id for d in decisions)
    assert all(o.tag == f"s{run.id}" and o.strategy_run_id == run.id for o in orders)
    on_exchange = account_http(account, sandbox_process.url).get(
        "/fapi/v1/allOrders", {"symbol": SYMBOL, "orderId": 0, "limit": 1000})
    ids = [row["clientOrderId"] for row in on_exchange]
    for order in orders:
        assert ids.count(order.client_order_id) == 1, order.client_order_id
        row = next(r for r in on_exchange if r["clientOrderId"] == order.client_order_id)
        assert row["status"] == "FILLED" and order.status == "FILLED", (row["status"], order.status)
    assert len(on_exchange) == len(decisions) == 6
