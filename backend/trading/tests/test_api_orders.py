"""/api/trading/orders/, /fills/, /reconciliation-runs/: the manual ticket to 202 and the order
visible, sent to the sandbox process and its fills equal to the sandbox's userTrades, cancel, close
position, filters, and every bad input a 4xx (never a 500), another user's order a 404.

Orders are sent here by calling `order_send` (what the worker's task does); the end-to-end test at
the bottom goes through a real Celery worker instead."""
from __future__ import annotations

import json
import urllib.request
from decimal import Decimal

import pytest

from trading.models import Order, OrderStatus
from trading.services.placement import order_send
from trading.tests.api_helpers import (  # noqa: F401 (fixtures)
    alice, alice_account, alice_api, alice_books, bob, bob_account, bob_api,
)

SYMBOL = "BTCUSDT"
ORDERS = "/api/trading/orders/"


def last_price(sandbox, symbol: str = SYMBOL) -> Decimal:
    with urllib.request.urlopen(f"{sandbox.url}/fapi/v1/ticker/price?symbol={symbol}", timeout=10) as response:
        return Decimal(json.loads(response.read())["price"])


def ticket(of, **fields) -> dict:
    return {"account": of.id, "symbol": SYMBOL, "direction": "LONG", "type": "MARKET", "quantity": "0.002",
            **fields}


@pytest.mark.django_db
@pytest.mark.parametrize("change, field", [
    ({"quantity": "__drop__"}, "quantity"),  # neither quantity nor percent
    ({"quantity": None}, "quantity"),
    ({"quantity": "-1"}, "quantity"),
    ({"quantity": "abc"}, "quantity"),
    ({"quantity": "Infinity"}, "quantity"),
    ({"percent_of_balance": "10"}, "quantity"),  # both quantity and percent
    ({"percent_of_balance": "101", "quantity": "__drop__"}, "percent_of_balance"),
    ({"direction": "UP"}, "direction"),
    ({"type": "STOP"}, "type"),
    ({"type": "LIMIT"}, "price"),  # a limit order needs a price
    ({"price": "100"}, "price"),  # a market order takes none
    ({"symbol": "BTC-USDT"}, "symbol"),
    ({"symbol": ["BTCUSDT"]}, "symbol"),
    ({"leverage": 126}, "leverage"),
    ({"leverage": "2x"}, "leverage"),
    ({"stop_loss_price": "0"}, "stop_loss_price"),
    ({"account": "mine"}, "account"),
])
def test_bad_tickets_are_refused_by_field(alice_api, alice_account, change, field):
    body = ticket(alice_account, **change)
    body = {k: v for k, v in body.items() if v != "__drop__"}

    response = alice_api.post(ORDERS, body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_malformed_and_shapeless_bodies_are_400(alice_api, alice_account):
    assert alice_api.post(ORDERS, data="{account: 1", content_type="application/json").status_code == 400
    assert alice_api.post(ORDERS, data="[1, 2]", content_type="application/json").status_code == 400
    assert alice_api.post(ORDERS, data="null", content_type="application/json").status_code == 400
    assert alice_api.post(ORDERS, data="account=1", content_type="application/x-www-form-urlencoded").status_code == 415


@pytest.mark.django_db
def test_another_users_account_and_orders_are_not_found(alice_api, bob_api, alice_account, bob_account):
    assert alice_api.post(ORDERS, ticket(bob_account), format="json").status_code == 404
    assert alice_api.post(ORDERS, ticket(bob_account, account=999_999_999), format="json").status_code == 404
    assert not Order.objects.exists()

    placed = bob_api.post(ORDERS, ticket(bob_account), format="json")
    assert placed.status_code == 202, placed.content
    order_id = placed.json()["id"]
    assert alice_api.get(f"{ORDERS}{order_id}/").status_code == 404
    assert alice_api.post(f"{ORDERS}{order_id}/cancel/").status_code == 404
    assert alice_api.get(ORDERS).json()["results"] == []
    for path in (ORDERS, "/api/trading/fills/", "/api/trading/reconciliation-runs/"):
        assert alice_api.get(path, {"account": bob_account.id}).status_code == 404, path
    assert bob_api.get(f"{ORDERS}{order_id}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("query, field", [
    ({"status": "DONE"}, "status"), ({"open": "yes"}, "open"), ({"open": "1"}, "open"),
    ({"symbol": "btc"}, "symbol"), ({"account": "x"}, "account"), ({"page": "0"}, "page"),
    ({"page_size": "100000"}, "page_size"),
])
def test_bad_filters_are_400(alice_api, alice_account, query, field):
    response = alice_api.get(ORDERS, query)

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_a_market_ticket_is_accepted_then_filled_like_the_sandbox_says(alice_api, alice_account, alice_books):
    placed = alice_api.post(ORDERS, ticket(alice_account), format="json")

    assert placed.status_code == 202, placed.content
    order = placed.json()
    assert (order["status"], order["side"], order["position_side"], order["type"], order["quantity"], order["tag"],
            order["source"]) == ("PENDING", "BUY", "BOTH", "MARKET", "0.002", "m", "manual")
    listed = alice_api.get(ORDERS, {"account": alice_account.id, "open": "true"}).json()
    assert [o["id"] for o in listed["results"]] == [order["id"]]

    order_send(order_id=order["id"])  # what trading.order_send does on the worker

    detail = alice_api.get(f"{ORDERS}{order['id']}/").json()
    assert detail["status"] == "FILLED"
    exchange = alice_books.get("/fapi/v1/order", {"symbol": SYMBOL, "origClientOrderId": order["client_order_id"]})
    assert exchange["status"] == "FILLED" and Decimal(exchange["executedQty"]) == Decimal("0.002")
    assert detail["exchange_order_id"] == exchange["orderId"]
    assert alice_api.get(ORDERS, {"open": "true"}).json()["results"] == []
    assert [o["id"] for o in alice_api.get(ORDERS, {"status": "FILLED"}).json()["results"]] == [order["id"]]


@pytest.mark.django_db
def test_a_limit_order_is_cancelled(alice_api, alice_account, alice_books, sandbox_process):
    far_below = (last_price(sandbox_process) * Decimal("0.6")).quantize(Decimal("0.1"))
    placed = alice_api.post(ORDERS, ticket(alice_account, type="LIMIT", price=str(far_below)), format="json")
    assert placed.status_code == 202, placed.content
    order_send(order_id=placed.json()["id"])
    assert alice_api.get(f"{ORDERS}{placed.json()['id']}/").json()["status"] == "NEW"
    assert len(alice_books.get("/fapi/v1/openOrders", {"symbol": SYMBOL})) == 1

    cancelled = alice_api.post(f"{ORDERS}{placed.json()['id']}/cancel/")

    assert cancelled.status_code == 202, cancelled.content
    assert alice_books.get("/fapi/v1/openOrders", {"symbol": SYMBOL}) == []
    exchange = alice_books.get("/fapi/v1/order", {"symbol": SYMBOL, "origClientOrderId": placed.json()["client_order_id"]})
    assert exchange["status"] == "CANCELED"


@pytest.mark.django_db
def test_a_position_is_closed_and_the_fills_are_listed(alice_api, alice_account, alice_books):
    from trading.services.reconciliation import reconcile

    entry = alice_api.post(ORDERS, ticket(alice_account, quantity="0.003"), format="json").json()
    order_send(order_id=entry["id"])
    reconcile(account=alice_account, trigger="manual")  # positions and fills as the exchange has them

    closing = alice_api.post(f"/api/trading/accounts/{alice_account.id}/positions/close/",
                             {"symbol": SYMBOL, "position_side": "BOTH"}, format="json")

    assert closing.status_code == 202, closing.content
    close = closing.json()
    assert (close["side"], close["reduce_only"], close["type"]) == ("SELL", True, "MARKET")
    order_send(order_id=close["id"])
    positions = alice_books.get("/fapi/v2/positionRisk", {"symbol": SYMBOL})
    assert all(Decimal(row["positionAmt"]) == 0 for row in positions)

    reconcile(account=alice_account, trigger="manual")
    trades = alice_books.get("/fapi/v1/userTrades", {"symbol": SYMBOL})
    fills = alice_api.get("/api/trading/fills/", {"account": alice_account.id, "symbol": SYMBOL}).json()["results"]
    assert sorted(f["trade_id"] for f in fills) == sorted(t["id"] for t in trades)
    by_id = {t["id"]: t for t in trades}
    for fill in fills:
        trade = by_id[fill["trade_id"]]
        assert Decimal(fill["price"]) == Decimal(trade["price"])
        assert Decimal(fill["quantity"]) == Decimal(trade["qty"])
        assert Decimal(fill["commission"]) == Decimal(trade["commission"])
        assert Decimal(fill["realized_pnl"]) == Decimal(trade["realizedPnl"])
    detail = alice_api.get(f"{ORDERS}{entry['id']}/").json()
    assert sum(Decimal(f["quantity"]) for f in detail["fills"]) == Decimal("0.003")
    runs = alice_api.get("/api/trading/reconciliation-runs/", {"account": alice_account.id}).json()["results"]
    assert len(runs) == 2 and all(run["trigger"] == "manual" for run in runs)


@pytest.mark.django_db
def test_a_filled_order_cannot_be_cancelled(alice_api, alice_account):
    placed = alice_api.post(ORDERS, ticket(alice_account), format="json").json()
    order_send(order_id=placed["id"])

    response = alice_api.post(f"{ORDERS}{placed['id']}/cancel/")

    assert response.status_code in (400, 409), response.content
    assert response.json()["detail"]


@pytest.mark.django_db
def test_filters_and_risk_refusals_name_the_field_or_limit(alice_api, alice_account, sandbox_process):
    tiny = alice_api.post(ORDERS, ticket(alice_account, quantity="0.0000001"), format="json")
    assert tiny.status_code == 400, tiny.content
    assert tiny.json()["field"] == "quantity"

    # 5000 USDT is the default max_position_notional: twice that, whatever the price.
    too_big = (Decimal(10_000) / last_price(sandbox_process)).quantize(Decimal("0.001"))
    refused = alice_api.post(ORDERS, ticket(alice_account, quantity=str(too_big)), format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["limit"] == "max_position_notional"
    assert not Order.objects.filter(account=alice_account).exists()


@pytest.mark.django_db
def test_a_failed_key_cannot_trade(alice_api, alice_account):
    alice_account.status, alice_account.status_detail = "failed", "Invalid API-key"
    alice_account.save()

    response = alice_api.post(ORDERS, ticket(alice_account), format="json")

    assert response.status_code == 400
    assert "Verify the account again" in response.json()["detail"]
    assert not Order.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_manual_order(alice_api, alice_account, alice_books, celery_worker_process):
    from trading.tests.harness.processes import wait_until

    placed = alice_api.post(ORDERS, ticket(alice_account, direction="SHORT"), format="json")
    assert placed.status_code == 202, placed.content

    def settled():
        body = alice_api.get(f"{ORDERS}{placed.json()['id']}/").json()
        return body if body["status"] not in (OrderStatus.PENDING, OrderStatus.SENDING) else None

    done = wait_until(settled, timeout=60, what="the worker to send the order")
    exchange = alice_books.get("/fapi/v1/order", {"symbol": SYMBOL, "origClientOrderId": done["client_order_id"]})
    assert (done["status"], exchange["status"], exchange["side"]) == ("FILLED", "FILLED", "SELL")


@pytest.mark.django_db
def test_percent_of_balance_sizes_the_order_from_the_sandbox_wallet(alice_api, alice_account, sandbox_process):
    from decimal import ROUND_DOWN

    price = last_price(sandbox_process)  # the sandbox's mark price is its last price
    # 1 % of the 10,000 USDT starting wallet as margin, at 2x: 200 USDT of BTC, down to the 0.001 step.
    expected = (Decimal(10_000) * Decimal("0.01") * 2 / price).quantize(Decimal("0.001"), rounding=ROUND_DOWN)

    body = {k: v for k, v in ticket(alice_account, percent_of_balance="1", leverage=2).items() if k != "quantity"}
    placed = alice_api.post(ORDERS, body, format="json")

    assert placed.status_code == 202, placed.content
    assert Decimal(placed.json()["quantity"]) == expected


@pytest.mark.django_db
def test_in_hedge_mode_a_short_ticket_sells_on_the_short_side(alice_api, alice_account):
    switched = alice_api.post(f"/api/trading/accounts/{alice_account.id}/position-mode/", {"hedge": True}, format="json")
    assert switched.status_code == 200

    placed = alice_api.post(ORDERS, ticket(alice_account, direction="SHORT"), format="json")

    assert placed.status_code == 202, placed.content
    assert (placed.json()["side"], placed.json()["position_side"]) == ("SELL", "SHORT")


@pytest.mark.django_db
def test_ids_beyond_any_row_are_404_not_500(alice_api, alice_account):
    huge = 10**30
    assert alice_api.post(ORDERS, ticket(alice_account, account=huge), format="json").status_code == 404
    assert alice_api.get(f"{ORDERS}{huge}/").status_code == 404
    assert alice_api.post(f"{ORDERS}{huge}/cancel/").status_code == 404
    assert alice_api.get(f"/api/trading/accounts/{huge}/").status_code == 404
    assert alice_api.get(ORDERS, {"account": huge}).status_code == 404


@pytest.mark.django_db
def test_fills_and_runs_of_another_user_are_never_listed(alice_api, bob_api, alice_account, bob_account):
    from trading.services.reconciliation import reconcile

    placed = bob_api.post(ORDERS, ticket(bob_account), format="json").json()
    order_send(order_id=placed["id"])
    reconcile(account=bob_account, trigger="manual")
    assert bob_api.get("/api/trading/fills/").json()["results"], "bob's fill is stored"
    assert bob_api.get("/api/trading/reconciliation-runs/").json()["results"]

    assert alice_api.get("/api/trading/fills/").json()["results"] == []
    assert alice_api.get("/api/trading/reconciliation-runs/").json()["results"] == []
    assert alice_api.get(ORDERS).json()["results"] == []
