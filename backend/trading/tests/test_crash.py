"""kill -9 at five points of an order's life, against the sandbox with injected latency.

The victims are real processes: `manage.py run_trading` (the trading process: user data stream,
start-up recovery and reconciliation) and a Celery worker of the trading queue (it sends manual
orders, `trading.order_send`, and runs `trading.reconcile_account`). A crash point
(trading/crashpoints.py) makes the armed process SIGKILL itself there; "sent, no answer yet" is made
by the sandbox holding the answer of an order it has executed (latency fault, `"when": "after"`)
while the test kills the sender from outside.

Which process is killed where:

| point | trading process | worker |
|---|---|---|
| before sending | start-up `orders_recover` sends an unclaimed order | `trading.order_send` |
| sent, no answer yet | same, killed from outside | same, killed from outside |
| answered, not stored | start-up `orders_recover` | `trading.order_send` |
| filled, event not applied | a fill of the user data stream | - (see below) |
| during reconciliation | start-up reconciliation (fills written, orders not yet) | `trading.reconcile_account` |

Only the trading process applies user data stream events; the worker stores fills through
reconciliation, whose crash point comes after the fills are written (last row).

After each crash the victim is started again and the platform must recover by itself (start-up
recovery, or the periodic reconciliation Beat sends every 60 s, which the test sends every 3 s):
no order lost or doubled, no fill lost or doubled, and the platform's orders and fills equal the
sandbox's `allOrders` and `userTrades` field by field. `TRADING_CRASH_RUNS` runs per point and
victim (2 by default; `make test-crash` runs 20).
"""
from __future__ import annotations

import os
import time

import pytest

from trading.tests.harness import proof_stack_start, trading_start, wait_until
from trading.tests.harness.fixtures import *  # noqa: F401,F403 (the proofs' fixtures)

RUNS = int(os.environ.get("TRADING_CRASH_RUNS", "2"))

# Each run restarts a process or two and may wait out a request's deadline: ~20-40 s.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.timeout(120 + RUNS * 60)]


@pytest.fixture
def crash(proof_stack):
    return proof_stack_start(proof_stack)


def _hold_answers(sandbox, seconds: float = 30) -> None:
    """The sandbox executes the next new order and holds its answer (then the sender is killed)."""
    sandbox.control("POST", "faults", {"kind": "latency", "path_prefix": "/fapi/v1/order", "ms": seconds * 1000,
                                       "count": 1, "when": "after"})


def _release_answers(sandbox) -> None:
    for fault in sandbox.control("GET", "faults"):
        if fault["path_prefix"] == "/fapi/v1/order":
            sandbox.control("DELETE", f"faults/{fault['id']}")


# --- the Celery worker as the victim: it sends manual orders ---------------------------------

@pytest.mark.parametrize("point, fate", [("before_send", "NOT_SENT"), ("answered_not_stored", "FILLED")])
def test_worker_killed_at_a_crash_point_of_order_send(crash, point, fate):
    for _ in range(RUNS):
        crash.worker.restart(crash_at=point)
        crash.place(fate)
        assert crash.worker.wait_exit() == -9
        crash.worker.start()
        crash.recovered()
        crash.check_fates()


def test_worker_killed_after_sending_before_the_answer(crash):
    for _ in range(RUNS):
        _hold_answers(crash.sandbox)
        order = crash.place("FILLED")
        wait_until(lambda: crash.on_exchange(order.client_order_id), timeout=30, what="the order on the exchange",
                   interval=0.3)
        crash.worker.kill9()
        _release_answers(crash.sandbox)
        crash.worker.start()
        crash.recovered()
        crash.check_fates()


# --- the trading process as the victim: start-up recovery sends orders nobody claimed ---------

def _pending_for_recovery(crash, fate):
    """An order stored PENDING while no worker runs: the trading process's start-up recovery
    (`orders_recover`) is the one that sends it. The queued `trading.order_send` reaches the
    worker later and must find the order claimed already."""
    crash.worker.stop()
    crash.trading.kill9()
    order = crash.place(fate)
    time.sleep(6)  # older than orders_recover's "a few seconds"
    return order


@pytest.mark.parametrize("point, fate", [("before_send", "NOT_SENT"), ("answered_not_stored", "FILLED")])
def test_trading_process_killed_at_a_crash_point_of_recovery_sends(crash, point, fate):
    for _ in range(RUNS):
        _pending_for_recovery(crash, fate)
        trading_start(crash, crash_at=point, ready=False)  # its start-up recovery sends the order
        assert crash.trading.wait_exit() == -9
        trading_start(crash)
        crash.worker.start()
        crash.recovered()
        crash.check_fates()


def test_trading_process_killed_after_sending_before_the_answer(crash):
    for _ in range(RUNS):
        order = _pending_for_recovery(crash, "FILLED")
        _hold_answers(crash.sandbox)
        trading_start(crash, ready=False)
        wait_until(lambda: crash.on_exchange(order.client_order_id), timeout=60, what="the order on the exchange",
                   interval=0.3)
        crash.trading.kill9()
        _release_answers(crash.sandbox)
        trading_start(crash)
        crash.worker.start()
        crash.recovered()
        crash.check_fates()


def test_trading_process_killed_with_a_fill_not_applied(crash):
    for _ in range(RUNS):
        crash.trading.kill9()
        trading_start(crash, crash_at="fill_not_applied")  # armed once its stream is connected
        crash.place("FILLED")  # the worker sends it; the fill comes back on the user data stream
        assert crash.trading.wait_exit() == -9
        trading_start(crash)
        crash.recovered()
        crash.check_fates()


# --- during reconciliation ---------------------------------------------------------------------

def _drift(crash):
    """An order filled while the trading process is down: its fill and the position reach the
    platform only through reconciliation."""
    crash.trading.kill9()
    order = crash.place("FILLED")
    wait_until(lambda: crash.filled_on_exchange(order), timeout=30, what="the order filled on the exchange",
               interval=0.3)


def test_trading_process_killed_during_reconciliation(crash):
    for _ in range(RUNS):
        _drift(crash)
        trading_start(crash, crash_at="reconciliation_midway", ready=False)  # its start-up reconciliation
        assert crash.trading.wait_exit() == -9
        trading_start(crash)
        crash.recovered(beat=False)
        crash.check_fates()
    _runs_ended(crash)


def test_worker_killed_during_reconciliation(crash):
    from trading.tasks import reconcile_account

    for _ in range(RUNS):
        _drift(crash)
        crash.worker.restart(crash_at="reconciliation_midway")
        reconcile_account.delay(crash.account.id, "manual")
        assert crash.worker.wait_exit() == -9
        crash.worker.start()
        crash.recovered()  # the next periodic reconciliation, on the worker
        crash.check_fates()
        trading_start(crash)
    _runs_ended(crash)


def _runs_ended(crash) -> None:
    """A run left `running` by a kill is marked failed by the next one: none stays running."""
    from trading.models import ReconciliationRun

    runs = ReconciliationRun.objects.filter(account=crash.account)
    assert not runs.filter(status="running").exists()
    assert runs.filter(status="failed").count() >= RUNS
