"""/api/trading/accounts/...: owner only, risk limits, position mode and leverage against the sandbox
process (Binance's refusals surfaced with their codes), kill switch behind a confirmation.

The sandbox's side is read and written with plain signed HTTP (harness/books.py), never with the
platform's client, so every check compares with the exchange's own books."""
from __future__ import annotations

import json
import urllib.request
from decimal import Decimal

import pytest

from trading.models import TradingState
from trading.tests.api_helpers import (  # noqa: F401 (fixtures)
    alice, alice_account, alice_api, alice_books, bob, bob_account, bob_api,
)

pytestmark = pytest.mark.django_db
SYMBOL = "BTCUSDT"


def url(account_id: int, tail: str = "") -> str:
    return f"/api/trading/accounts/{account_id}/{tail}"


def last_price(sandbox, symbol: str = SYMBOL) -> Decimal:
    with urllib.request.urlopen(f"{sandbox.url}/fapi/v1/ticker/price?symbol={symbol}", timeout=10) as response:
        return Decimal(json.loads(response.read())["price"])


# Every account route with a body it would accept: another user's account is a 404 for each.
ROUTES = [
    ("get", "", None),
    ("get", "risk/", None),
    ("put", "risk/", {"max_leverage": 5, "max_position_notional": "1", "max_total_notional": "1",
                      "max_open_positions": 1, "max_orders_per_minute": 1, "daily_loss_limit": None}),
    ("post", "position-mode/", {"hedge": True}),
    ("post", "leverage/", {"symbol": SYMBOL, "leverage": 3}),
    ("post", "kill-switch/", {"confirm": True}),
    ("post", "resume/", {}),
    ("post", "positions/close/", {"symbol": SYMBOL, "position_side": "BOTH"}),
    ("post", "reconcile/", {}),
]


def test_signed_in_only(client, alice_account):
    assert client.get("/api/trading/accounts/").status_code == 401
    assert client.get(url(alice_account.id)).status_code == 401
    assert client.post(url(alice_account.id, "kill-switch/"), {"confirm": True}, format="json").status_code == 401


def test_the_list_holds_the_callers_accounts_only(alice_api, alice_account, bob_account):
    response = alice_api.get("/api/trading/accounts/")

    assert response.status_code == 200
    assert response.json() == [{"id": alice_account.id, "label": "Paper", "venue": "sandbox", "is_paper": True,
                                "hedge_mode": False, "paused": False, "pause_reason": ""}]


@pytest.mark.parametrize("method, tail, body", ROUTES)
def test_another_users_account_is_not_found(alice_api, bob_account, method, tail, body):
    for account_id in (bob_account.id, 999_999_999):
        response = getattr(alice_api, method)(url(account_id, tail), body, format="json")
        assert response.status_code == 404, (method, tail, response.content)
        assert response.json() == {"detail": "No such exchange account."}
    state = TradingState.objects.filter(account=bob_account).first()
    assert state is None or not state.paused


def test_detail_shows_the_sandbox_wallet_after_a_reconciliation(alice_api, alice_account):
    from trading.services.reconciliation import reconcile

    reconcile(account=alice_account, trigger="manual")
    body = alice_api.get(url(alice_account.id)).json()

    assert body["account"]["id"] == alice_account.id
    usdt = next(b for b in body["balances"] if b["asset"] == "USDT")
    assert Decimal(usdt["wallet_balance"]) == Decimal("10000")  # the sandbox's starting balance
    assert body["positions"] == [] and body["open_orders"] == 0
    assert body["risk"] == {"max_leverage": 20, "max_position_notional": "5000", "max_total_notional": "20000",
                            "max_open_positions": 10, "max_orders_per_minute": 60, "daily_loss_limit": "500"}
    assert body["last_reconciliation"]["trigger"] == "manual"


def test_risk_limits_are_replaced_and_read_back(alice_api, alice_account):
    limits = {"max_leverage": 7, "max_position_notional": "1500.5", "max_total_notional": "3000",
              "max_open_positions": 2, "max_orders_per_minute": 30, "daily_loss_limit": None}

    response = alice_api.put(url(alice_account.id, "risk/"), limits, format="json")

    assert response.status_code == 200, response.content
    read = alice_api.get(url(alice_account.id, "risk/")).json()
    assert read["max_leverage"] == 7 and read["max_open_positions"] == 2 and read["daily_loss_limit"] is None
    assert Decimal(read["max_position_notional"]) == Decimal("1500.5")
    assert Decimal(read["max_total_notional"]) == Decimal("3000")


@pytest.mark.parametrize("change, field", [
    ({"max_leverage": 126}, "max_leverage"),
    ({"max_leverage": "ten"}, "max_leverage"),
    ({"max_leverage": None}, "max_leverage"),
    ({"max_position_notional": "-1"}, "max_position_notional"),
    ({"max_position_notional": "NaN"}, "max_position_notional"),
    ({"max_total_notional": [1]}, "max_total_notional"),
    ({"max_open_positions": 0}, "max_open_positions"),
    ({"max_orders_per_minute": 1.5}, "max_orders_per_minute"),
    ({"daily_loss_limit": {"usdt": 5}}, "daily_loss_limit"),
])
def test_bad_risk_limits_are_refused_by_name(alice_api, alice_account, change, field):
    limits = {"max_leverage": 5, "max_position_notional": "100", "max_total_notional": "200",
              "max_open_positions": 1, "max_orders_per_minute": 10, "daily_loss_limit": "50", **change}

    response = alice_api.put(url(alice_account.id, "risk/"), limits, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert alice_api.get(url(alice_account.id, "risk/")).json()["max_leverage"] == 20  # unchanged


@pytest.mark.parametrize("tail", ["risk/", "position-mode/", "leverage/", "kill-switch/", "positions/close/"])
def test_malformed_json_is_a_400(alice_api, alice_account, tail):
    method = alice_api.put if tail == "risk/" else alice_api.post
    response = method(url(alice_account.id, tail), data='{"hedge": tru', content_type="application/json")

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_position_mode_follows_binances_rules(alice_api, alice_account, alice_books, sandbox_process):
    mode = url(alice_account.id, "position-mode/")
    assert alice_api.post(mode, {"hedge": "yes"}, format="json").status_code == 400  # never a guess

    # A new account is in One-way Mode: asking for it again is Binance's -4059.
    refused = alice_api.post(mode, {"hedge": False}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"detail": "The position mode is already One-way Mode.", "code": -4059}

    switched = alice_api.post(mode, {"hedge": True}, format="json")
    assert switched.status_code == 200 and switched.json()["hedge_mode"] is True
    assert alice_books.get("/fapi/v1/positionSide/dual") == {"dualSidePosition": True}

    # An open order (placed on the exchange directly) forbids the switch: -4067.
    far_below = (last_price(sandbox_process) * Decimal("0.5")).quantize(Decimal("0.1"))
    order = alice_books.request("POST", "/fapi/v1/order", {"symbol": SYMBOL, "side": "BUY", "positionSide": "LONG",
                                                           "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01",
                                                           "price": str(far_below)})
    refused = alice_api.post(mode, {"hedge": False}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == -4067 and "open orders" in refused.json()["detail"]

    # An open position forbids it too: -4068.
    alice_books.request("DELETE", "/fapi/v1/order", {"symbol": SYMBOL, "orderId": order["orderId"]})
    alice_books.request("POST", "/fapi/v1/order", {"symbol": SYMBOL, "side": "BUY", "positionSide": "LONG",
                                                   "type": "MARKET", "quantity": "0.01"})
    refused = alice_api.post(mode, {"hedge": False}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == -4068 and "open positions" in refused.json()["detail"]
    assert alice_books.get("/fapi/v1/positionSide/dual") == {"dualSidePosition": True}
    assert alice_api.get(url(alice_account.id)).json()["account"]["hedge_mode"] is True


def test_leverage_is_capped_by_the_risk_limit(alice_api, alice_account, alice_books):
    leverage = url(alice_account.id, "leverage/")

    refused = alice_api.post(leverage, {"symbol": SYMBOL, "leverage": 21}, format="json")  # max_leverage 20
    assert refused.status_code == 400 and refused.json()["limit"] == "max_leverage"

    assert alice_api.post(leverage, {"symbol": "btcusdt", "leverage": 5}, format="json").status_code == 400
    assert alice_api.post(leverage, {"symbol": SYMBOL, "leverage": 0}, format="json").status_code == 400
    unknown = alice_api.post(leverage, {"symbol": "NOPEUSDT", "leverage": 5}, format="json")
    assert unknown.status_code == 400 and "code" in unknown.json()

    done = alice_api.post(leverage, {"symbol": SYMBOL, "leverage": 5}, format="json")
    assert done.status_code == 200 and done.json() == {"symbol": SYMBOL, "leverage": 5}
    risk = alice_books.get("/fapi/v2/positionRisk", {"symbol": SYMBOL})
    assert {int(row["leverage"]) for row in risk} == {5}


def test_kill_switch_needs_a_confirmation_then_pauses_until_resumed(alice_api, alice_account):
    kill = url(alice_account.id, "kill-switch/")
    for body in ({}, {"confirm": False}, {"confirm": "true"}, {"confirm": 1}, {"confirm": None}):
        response = alice_api.post(kill, body, format="json")
        assert response.status_code == 400, body
        assert "confirm" in response.json()
    assert not TradingState.objects.filter(account=alice_account, paused=True).exists()

    response = alice_api.post(kill, {"confirm": True}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["paused"] is True and response.json()["pause_reason"]
    entry = alice_api.post("/api/trading/orders/", {"account": alice_account.id, "symbol": SYMBOL, "direction": "LONG",
                                                    "type": "MARKET", "quantity": "0.002"}, format="json")
    assert entry.status_code == 409, entry.content

    resumed = alice_api.post(url(alice_account.id, "resume/"), format="json")
    assert resumed.status_code == 200 and resumed.json()["paused"] is False


def test_reconcile_is_accepted(alice_api, alice_account):
    response = alice_api.post(url(alice_account.id, "reconcile/"), format="json")

    assert response.status_code == 202


@pytest.mark.django_db(transaction=True)
def test_kill_switch_leaves_the_account_flat_on_the_sandbox(alice_api, alice_account, alice_books, sandbox_process,
                                                           celery_worker_process):
    from trading.tests.harness.processes import wait_until

    far_below = (last_price(sandbox_process) * Decimal("0.6")).quantize(Decimal("0.1"))
    alice_books.request("POST", "/fapi/v1/order", {"symbol": SYMBOL, "side": "BUY", "type": "MARKET",
                                                   "quantity": "0.004"})
    alice_books.request("POST", "/fapi/v1/order", {"symbol": SYMBOL, "side": "BUY", "type": "LIMIT",
                                                   "timeInForce": "GTC", "quantity": "0.002", "price": str(far_below)})

    response = alice_api.post(url(alice_account.id, "kill-switch/"), {"confirm": True}, format="json")
    assert response.status_code == 202, response.content

    def flat() -> bool:
        positions = alice_books.get("/fapi/v2/positionRisk", {"symbol": SYMBOL})
        return (all(Decimal(p["positionAmt"]) == 0 for p in positions)
                and alice_books.get("/fapi/v1/openOrders", {"symbol": SYMBOL}) == [])

    wait_until(flat, timeout=60, what="the worker's kill switch to flatten the account")
    detail = alice_api.get(url(alice_account.id)).json()
    assert detail["account"]["paused"] is True
    assert wait_until(lambda: alice_api.get(url(alice_account.id)).json()["positions"] == [], timeout=30,
                      what="the platform's positions to follow the exchange")


@pytest.fixture
def sandbox_faults(sandbox_process):
    """Faults of the sandbox exchange, all switched off afterwards."""
    sandbox_process.control("DELETE", "faults")
    yield lambda **fault: sandbox_process.control("POST", "faults", fault)
    sandbox_process.control("DELETE", "faults")
    sandbox_process.control("POST", "limits/reset")


def test_an_exchange_that_does_not_answer_is_a_503_and_nothing_changes(alice_api, alice_account, alice_books,
                                                                      sandbox_faults):
    from trading.models import Order

    sandbox_faults(kind="error", status=503, path_prefix="/fapi/v1/leverage")
    response = alice_api.post(url(alice_account.id, "leverage/"), {"symbol": SYMBOL, "leverage": 4}, format="json")
    assert response.status_code == 503, response.content
    assert int(response["Retry-After"]) >= 1 and "nothing was changed" in response.json()["detail"]

    sandbox_faults(kind="error", status=502, path_prefix="/fapi/v2/positionRisk")
    response = alice_api.post("/api/trading/orders/", {"account": alice_account.id, "symbol": SYMBOL,
                                                       "direction": "LONG", "type": "MARKET", "quantity": "0.002"},
                              format="json")
    assert response.status_code == 503, response.content
    assert not Order.objects.filter(account=alice_account).exists()


def test_a_live_account_without_its_owners_confirmation_may_not_trade(alice_account):
    from accounts.models import ExchangeAccount, Venue
    from trading.api.errors import AccountNotTradable, account_tradable_check

    # The database refuses such a row (live_needs_confirmation); the API checks again on its own.
    unconfirmed = ExchangeAccount(owner=alice_account.owner, label="Main", venue=Venue.LIVE, live_confirmed=False,
                                  status="verified")
    with pytest.raises(AccountNotTradable, match="real money"):
        account_tradable_check(unconfirmed)
    account_tradable_check(ExchangeAccount(owner=alice_account.owner, label="Main", venue=Venue.LIVE,
                                           live_confirmed=True, status="verified"))
