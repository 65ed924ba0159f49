"""Risk limits per exchange account, against the sandbox: each limit refuses an order with a clear
error before anything is sent (the sandbox's `allOrders` unchanged, no platform order left
behind); the daily realised loss limit stops entries but lets exits through; after the kill switch
the sandbox shows the account flat with no open orders.

Accepted orders go through the real service path with Celery tasks run eagerly in this process
(`order_create` -> on commit `trading.order_send`), the platform's positions and fills come from a
reconciliation; every check reads the sandbox with plain signed requests (harness.py).
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from trading.tests.harness import account_http, assert_books_equal, dec
from trading.tests.harness.fixtures import *  # noqa: F401,F403 (the proofs' fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BTC, ETH = "BTCUSDT", "ETHUSDT"


@pytest.fixture
def eager_tasks():
    from config.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def account(proof_account, sandbox_latency, eager_tasks):
    return proof_account


def limits_set(account, **values):
    from trading.models import RiskLimits

    limits, _ = RiskLimits.objects.get_or_create(account=account)
    for name, value in values.items():
        setattr(limits, name, value)
    limits.save()


def place(account, symbol, side, quantity, **extra):
    from trading.services.orders import order_create

    return order_create(account=account, symbol=symbol, side=side, type="MARKET", quantity=Decimal(quantity), **extra)


def sync(account):
    """Positions, balances and fills on the platform as the exchange has them."""
    from trading.services.reconciliation import reconcile

    reconcile(account=account, trigger="manual")


def exchange_orders(account, sandbox) -> list[dict]:
    http = account_http(account, sandbox.url)
    return [row for symbol in (BTC, ETH) for row in http.get("/fapi/v1/allOrders", {"symbol": symbol, "orderId": 0})]


def refused(account, sandbox, limit, attempt):
    """`attempt()` raises RiskRefused naming `limit` with a message; nothing reached the sandbox and
    no platform order is waiting to be sent."""
    from trading.models import Order
    from trading.services.risk import RiskRefused

    before, orders_before = exchange_orders(account, sandbox), Order.objects.filter(account=account).count()
    with pytest.raises(RiskRefused) as caught:
        attempt()
    assert caught.value.limit == limit
    assert str(caught.value).strip(), "the refusal has a message"
    assert exchange_orders(account, sandbox) == before
    assert Order.objects.filter(account=account).count() == orders_before
    return caught.value


def test_max_leverage_refuses_before_sending(account, sandbox_process):
    limits_set(account, max_leverage=10)
    error = refused(account, sandbox_process, "max_leverage", lambda: place(account, BTC, "BUY", "0.002", leverage=11))
    assert "10" in str(error)


def test_max_position_notional_refuses_before_sending(account, sandbox_process):
    limits_set(account, max_position_notional=Decimal(150))
    # 0.002 BTC at ~86,000 USDT is ~172 USDT of notional.
    refused(account, sandbox_process, "max_position_notional", lambda: place(account, BTC, "BUY", "0.002"))


def test_max_position_notional_counts_the_position_already_open(account, sandbox_process):
    limits_set(account, max_position_notional=Decimal(300))
    place(account, BTC, "BUY", "0.002")
    sync(account)
    refused(account, sandbox_process, "max_position_notional", lambda: place(account, BTC, "BUY", "0.002"))


def test_max_total_notional_refuses_before_sending(account, sandbox_process):
    limits_set(account, max_total_notional=Decimal(250))
    place(account, BTC, "BUY", "0.002")  # ~172 USDT
    sync(account)
    # 0.04 ETH at ~2,800 is ~112 USDT: 172 + 112 > 250.
    refused(account, sandbox_process, "max_total_notional", lambda: place(account, ETH, "BUY", "0.04"))


def test_max_open_positions_refuses_a_new_symbol(account, sandbox_process):
    limits_set(account, max_open_positions=1)
    place(account, BTC, "BUY", "0.002")
    sync(account)
    refused(account, sandbox_process, "max_open_positions", lambda: place(account, ETH, "BUY", "0.04"))
    place(account, BTC, "BUY", "0.002")  # the open symbol itself is not a new position


def test_max_orders_per_minute_refuses_the_next_one(account, sandbox_process):
    limits_set(account, max_orders_per_minute=2)
    place(account, BTC, "BUY", "0.002")
    place(account, BTC, "SELL", "0.002")
    refused(account, sandbox_process, "max_orders_per_minute", lambda: place(account, BTC, "BUY", "0.002"))


def test_daily_loss_limit_stops_entries_and_allows_exits(account, sandbox_process):
    from trading.models import TradingState

    place(account, BTC, "BUY", "0.004")
    place(account, BTC, "SELL", "0.002")  # realises the slippage on 0.002 as a loss
    sync(account)
    http = account_http(account, sandbox_process.url)
    realised = sum(dec(t["realizedPnl"]) for t in http.get("/fapi/v1/userTrades", {"symbol": BTC}))
    assert realised < 0
    limits_set(account, daily_loss_limit=Decimal("0.01"))
    error = refused(account, sandbox_process, "daily_loss_limit", lambda: place(account, BTC, "BUY", "0.002"))
    assert "0.01" in str(error)
    # Reaching the limit paused the account: the next entry is refused for the pause, naming why.
    error = refused(account, sandbox_process, "paused", lambda: place(account, ETH, "BUY", "0.04"))
    assert "daily limit" in str(error)
    exit_order = place(account, BTC, "SELL", "0.002", reduce_only=True)
    exit_order.refresh_from_db()
    assert exit_order.status == "FILLED"
    assert not [p for p in http.get("/fapi/v2/positionRisk", {"symbol": BTC}) if dec(p["positionAmt"])]
    state = TradingState.objects.get(account=account)
    assert state.paused and state.pause_reason
    sync(account)
    assert_books_equal(account, sandbox_process.url)


def test_kill_switch_leaves_the_account_flat_with_no_open_orders(account, sandbox_process, proof_owner):
    from trading.models import TradingState
    from trading.services.kill_switch import kill_switch
    from trading.services.orders import order_create

    http = account_http(account, sandbox_process.url)
    place(account, BTC, "BUY", "0.003")
    place(account, ETH, "SELL", "0.05")
    btc = dec(http.get("/fapi/v1/ticker/price", {"symbol": BTC})["price"])
    resting = order_create(account=account, symbol=BTC, side="BUY", type="LIMIT", time_in_force="GTC",
                           quantity=Decimal("0.002"), price=(btc * Decimal("0.8")).quantize(Decimal("0.1")))
    resting.refresh_from_db()
    assert resting.status == "NEW"
    sync(account)
    assert len(http.get("/fapi/v1/openOrders")) == 1
    assert len([p for p in http.get("/fapi/v2/positionRisk") if dec(p["positionAmt"])]) == 2

    kill_switch(account=account, by=proof_owner)

    assert [p for p in http.get("/fapi/v2/positionRisk") if dec(p["positionAmt"])] == []
    assert http.get("/fapi/v1/openOrders") == []
    assert http.get("/fapi/v1/openAlgoOrders") == []
    assert TradingState.objects.get(account=account).paused
    sync(account)
    assert_books_equal(account, sandbox_process.url)
