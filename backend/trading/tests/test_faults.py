"""Faults from the sandbox's injector (sandbox/faults.py) while orders are placed through the real
processes (a `trading` Celery worker sends them, `run_trading` follows the user data stream):
5xx before and after the exchange executed the order, timeouts, requests that never answer,
dropped and stalled user data streams, 429 on the order endpoint. Afterwards the platform's
orders and fills equal the sandbox's `allOrders` and `userTrades` exactly, each order is on the
exchange once (or never, when it was not sent), and nothing was resent.

The platform processes run with a 2 s request timeout so a held answer becomes a timeout quickly.
"""
from __future__ import annotations

import time

import pytest

from trading.tests.harness import proof_stack_start, wait_until
from trading.tests.harness.fixtures import *  # noqa: F401,F403 (the proofs' fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ORDER = "/fapi/v1/order"
TIMEOUT_MS = "2000"


@pytest.fixture
def stack(proof_stack):
    for proc in (proof_stack.trading, proof_stack.worker):
        proc.env["BINANCE_REQUEST_TIMEOUT_MS"] = TIMEOUT_MS
    return proof_stack_start(proof_stack)


def fault(stack, **spec) -> int:
    [added] = stack.sandbox.control("POST", "faults", spec)
    return added["id"]


def spent(stack, fault_id: int) -> None:
    """Wait until the fault has done its work (its count used up, or its time over)."""
    wait_until(lambda: all(f["id"] != fault_id for f in stack.sandbox.control("GET", "faults")),
               timeout=60, what=f"fault {fault_id} to be spent")


def settled(stack, *fault_ids: int) -> None:
    for fault_id in fault_ids:
        spent(stack, fault_id)
    stack.recovered()
    stack.check_fates()


def test_5xx_before_the_exchange_executed_it(stack):
    injected = fault(stack, kind="error", status=503, path_prefix=ORDER, count=1)
    stack.place("NOT_SENT")
    settled(stack, injected)
    stack.place("FILLED")  # the next order goes through
    settled(stack)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_after_the_exchange_executed_it(stack, status):
    injected = fault(stack, kind="error", status=status, path_prefix=ORDER, count=1, when="after")
    order = stack.place("FILLED")
    wait_until(lambda: stack.filled_on_exchange(order), timeout=30, what="the order filled on the exchange",
               interval=0.3)
    settled(stack, injected)


def test_answer_later_than_the_timeout_after_execution(stack):
    injected = fault(stack, kind="latency", ms=4000, path_prefix=ORDER, count=1, when="after")
    stack.place("FILLED")
    settled(stack, injected)


def test_request_delayed_past_the_timeout_then_executed(stack):
    """The sandbox holds the request 3 s before executing it: the client gave up at 2 s, the
    exchange still accepts it (inside recvWindow). The lookup may say -2013 before it lands; the
    order must not be declared NOT_SENT before its deadline, nor sent again."""
    injected = fault(stack, kind="latency", ms=3000, path_prefix=ORDER, count=1)
    stack.place("FILLED")
    settled(stack, injected)


def test_request_that_never_answers(stack):
    injected = fault(stack, kind="hang", path_prefix=ORDER, count=1)
    stack.place("NOT_SENT")
    settled(stack, injected)


@pytest.mark.parametrize("scope", ["ip", "orders"])  # -1003 (IP weight) and -1015 (the account's order limit)
def test_429_on_the_order_endpoint(stack, scope):
    from trading.models import Order

    injected = fault(stack, kind="rate_limit", path_prefix=ORDER, count=1, retry_after=1, scope=scope)
    order = stack.place()
    spent(stack, injected)
    wait_until(lambda: Order.objects.get(id=order.id).status not in ("PENDING", "SENDING", "UNKNOWN"),
               timeout=60, what="the order's fate")
    status = Order.objects.get(id=order.id).status
    assert status in ("NOT_SENT", "REJECTED"), status
    stack.fates[order.id] = status
    settled(stack)
    time.sleep(1)  # Retry-After
    stack.place("FILLED")
    settled(stack)


def test_some_5xx_everywhere_for_a_while(stack):
    """One request in three on every /fapi path answers 503 (before executing) for 8 s while
    orders are placed; reads are retried, an order whose answer was lost is looked up."""
    injected = fault(stack, kind="error", status=503, path_prefix="/fapi", rate=0.33, seconds=8)
    for _ in range(6):
        stack.place()
        time.sleep(0.5)
    settled(stack, injected)
    _fates_from_platform(stack)


def test_user_data_stream_dropped_while_orders_fill(stack):
    for _ in range(4):
        stack.place("FILLED")
        stack.sandbox.control("POST", "ws/drop", {"path_prefix": "/ws"})
        stack.place("FILLED")
        time.sleep(0.3)
    settled(stack)


def test_user_data_stream_stalled_while_orders_fill(stack):
    injected = fault(stack, kind="ws_stall", path_prefix="/ws", seconds=6)
    for _ in range(3):
        stack.place("FILLED")
    settled(stack, injected)


def _fates_from_platform(stack) -> None:
    """Orders of the storm: each ended FILLED or NOT_SENT, and check_fates holds the platform's
    word against the exchange (FILLED: once on the exchange; NOT_SENT: never)."""
    from trading.models import Order

    for order in Order.objects.filter(id__in=stack.intended):
        assert order.status in ("FILLED", "NOT_SENT"), f"{order.client_order_id}: {order.status}"
        stack.fates[order.id] = order.status
    stack.check_fates()
