"""Placement against the real sandbox process: the answer stored, refusals kept with Binance's code,
a lost answer resolved by lookup (NOT_SENT after the deadline when the order never arrived), and an
order never sent twice. The sandbox's own books (plain signed HTTP) are the reference."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from trading.exchange import account_credentials, exchange_call
from trading.models import Order, OrderStatus
from trading.services.orders import order_cancel, order_create, order_send
from trading.services.placement import _adopt
from trading.services.risk import RiskRefused, risk_limits_update
from trading.tests.harness import paper_account_create
from trading.tests.harness.books import SandboxHttp

pytestmark = pytest.mark.django_db(transaction=True)
SYMBOL = "BTCUSDT"


@pytest.fixture
def account(sandbox_process):
    owner = User.objects.create_user(username="placer@example.com", email="placer@example.com")
    return paper_account_create(owner, sandbox_process)


@pytest.fixture
def http(account, sandbox_process):
    creds = account_credentials(account)
    return SandboxHttp(sandbox_process.url, creds.api_key, creds.secret)


def on_exchange(http, client_order_id):
    return [row for row in http.get("/fapi/v1/allOrders", {"symbol": SYMBOL, "orderId": 0, "limit": 1000})
            if row["clientOrderId"] == client_order_id]


def test_a_market_order_is_stored_as_the_exchange_answered(account, http):
    order = order_create(account=account, symbol=SYMBOL, side="BUY", type="MARKET", quantity=Decimal("0.01"),
                         send=False)
    assert order.status == OrderStatus.PENDING and order.tag == "m"
    sent = order_send(order_id=order.pk)
    [row] = on_exchange(http, order.client_order_id)
    assert sent.status == row["status"] == "FILLED"
    assert sent.exchange_order_id == row["orderId"]
    assert sent.executed_qty == Decimal(row["executedQty"]) == Decimal("0.01")
    assert sent.avg_price == Decimal(row["avgPrice"])
    assert sent.send_deadline_ms == sent.send_timestamp_ms + settings.TRADING.recv_window_ms + 1000
    # A second send (a redelivered task) finds the order claimed and sends nothing.
    again = order_send(order_id=order.pk)
    assert again.status == "FILLED" and len(on_exchange(http, order.client_order_id)) == 1


def test_an_exchange_refusal_is_kept_with_its_code(account, http):
    risk_limits_update(account=account, max_position_notional=Decimal(10**9), max_total_notional=Decimal(10**9))
    price = Decimal(http.get("/fapi/v1/ticker/price", {"symbol": SYMBOL})["price"])
    limit = (price * Decimal("0.9")).quantize(Decimal("0.1"))
    order = order_create(account=account, symbol=SYMBOL, side="BUY", type="LIMIT", quantity=Decimal("20"),
                         price=limit, send=False)  # 20 BTC: far more margin than 10,000 USDT at 20x
    sent = order_send(order_id=order.pk)
    assert (sent.status, sent.error_code) == ("REJECTED", -2019)
    assert "Margin is insufficient" in sent.error_message
    assert on_exchange(http, order.client_order_id) == []


def test_a_risk_refusal_sends_nothing(account, http):
    risk_limits_update(account=account, max_position_notional=Decimal(100))
    with pytest.raises(RiskRefused) as refused:
        order_create(account=account, symbol=SYMBOL, side="BUY", type="MARKET", quantity=Decimal("0.01"), send=False)
    assert refused.value.limit == "max_position_notional"
    assert not Order.objects.filter(account=account).exists()
    assert http.get("/fapi/v1/allOrders", {"symbol": SYMBOL, "orderId": 0}) == []


def test_an_order_whose_request_hung_is_not_sent_after_its_deadline_and_not_resent(account, http, sandbox_process,
                                                                                   monkeypatch):
    # recvWindow 1 s and a 3 s client timeout: when the client gives up, the deadline has passed.
    monkeypatch.setattr(settings, "TRADING", dataclasses.replace(settings.TRADING, recv_window_ms=1000))
    monkeypatch.setattr(settings, "BINANCE", dataclasses.replace(settings.BINANCE, request_timeout_ms=3000))
    order = order_create(account=account, symbol=SYMBOL, side="BUY", type="MARKET", quantity=Decimal("0.01"),
                         send=False)
    sandbox_process.control("POST", "faults", {"kind": "hang", "path_prefix": "/fapi/v1/order", "count": 1})
    try:
        sent = order_send(order_id=order.pk)
    finally:
        sandbox_process.control("DELETE", "faults")
    assert sent.status == OrderStatus.NOT_SENT
    assert "not resent" in sent.error_message
    assert on_exchange(http, order.client_order_id) == []
    assert order_send(order_id=order.pk).status == OrderStatus.NOT_SENT  # never sent again
    assert on_exchange(http, order.client_order_id) == []


def test_a_5xx_after_execution_is_resolved_by_lookup_without_a_second_order(account, http, sandbox_process):
    order = order_create(account=account, symbol=SYMBOL, side="BUY", type="MARKET", quantity=Decimal("0.01"),
                         send=False)
    sandbox_process.control("POST", "faults", {"kind": "error", "status": 503, "when": "after",
                                               "path_prefix": "/fapi/v1/order", "count": 1})
    try:
        sent = order_send(order_id=order.pk)
    finally:
        sandbox_process.control("DELETE", "faults")
    [row] = on_exchange(http, order.client_order_id)  # executed once, never resent
    assert row["status"] == "FILLED"
    assert sent.status == "FILLED" and sent.exchange_order_id == row["orderId"]
    assert sent.executed_qty == Decimal(row["executedQty"])
    assert order_send(order_id=order.pk).status == "FILLED"
    assert len(on_exchange(http, order.client_order_id)) == 1


def test_a_late_answer_never_moves_an_order_backwards(account, http):
    risk_limits_update(account=account, max_position_notional=Decimal(10**9), max_total_notional=Decimal(10**9))
    price = Decimal(http.get("/fapi/v1/ticker/price", {"symbol": SYMBOL})["price"])
    limit = (price * Decimal("0.9")).quantize(Decimal("0.1"))
    order = order_create(account=account, symbol=SYMBOL, side="BUY", type="LIMIT", quantity=Decimal("0.01"),
                         price=limit, send=False)
    assert order_send(order_id=order.pk).status == "NEW"
    stale = exchange_call(account, lambda c, creds: c.trading.query_order(
        creds, symbol=SYMBOL, client_order_id=order.client_order_id))
    assert stale.status == "NEW"
    # The exchange cancels it (as another terminal would); the platform learns it.
    http.request("DELETE", "/fapi/v1/order", {"symbol": SYMBOL, "origClientOrderId": order.client_order_id})
    [row] = on_exchange(http, order.client_order_id)
    assert row["status"] == "CANCELED"
    assert order_cancel(order=Order.objects.get(pk=order.pk)).status == "CANCELED"
    # The answer captured while it was NEW arrives late: the order stays CANCELED.
    assert _adopt(order.pk, stale).status == "CANCELED"
    assert Order.objects.get(pk=order.pk).status == "CANCELED"
