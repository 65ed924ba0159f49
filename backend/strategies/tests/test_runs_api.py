"""/api/strategies/<id>/runs/ and /api/strategies/runs/...: start (400s naming the field),
list, pause/resume/stop (409 on an illegal transition), logs, decisions, owner-only."""
from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import AccountStatus, ExchangeAccount, Venue
from strategies.models import StrategyDecision, StrategyLog
from strategies.services import strategy_create

from .test_api import client_of, ema_cross, user_make

pytestmark = pytest.mark.django_db


def account_of(user, status=AccountStatus.VERIFIED):
    return ExchangeAccount.objects.create(owner=user, label="Paper", venue=Venue.SANDBOX, is_paper=True,
                                          api_key_encrypted="x", api_key_last4="abcd", fingerprint="f" * 12,
                                          api_secret_encrypted="x", status=status, verified_at=timezone.now())


@pytest.fixture
def setup():
    user = user_make("runner")
    strategy = strategy_create(owner=user, name="EMA", workspace=ema_cross())
    return user, client_of(user), strategy, account_of(user)


def start(client, strategy, **body):
    return client.post(f"/api/strategies/{strategy.id}/runs/", body, format="json")


def good(account, **over):
    return {"version": 1, "exchange_account": account.id, "symbols": ["BTCUSDT"], "timeframe": "5m", **over}


def test_start_list_and_the_lifecycle(setup):
    user, client, strategy, account = setup
    answer = start(client, strategy, **good(account))
    assert answer.status_code == 201, answer.json()
    run = answer.json()
    assert (run["status"], run["version"], run["tag"]) == ("RUNNING", 1, f"s{run['id']}")
    assert [r["id"] for r in client.get("/api/strategies/runs/").json()] == [run["id"]]
    url = f"/api/strategies/runs/{run['id']}/"
    assert client.post(url + "resume/").status_code == 409
    assert client.post(url + "pause/").json()["status"] == "PAUSED"
    assert client.post(url + "pause/").status_code == 409
    assert client.post(url + "resume/").json()["status"] == "RUNNING"
    assert client.post(url + "stop/").json()["status"] == "STOPPED"
    refused = client.post(url + "resume/")
    assert refused.status_code == 409 and refused.json()["detail"] == "a stopped run cannot resume"
    detail = client.get(url).json()
    assert detail["pnl"] == {"realized": "0", "unrealized": "0", "commission": "0"}
    assert detail["stopped_at"] is not None


@pytest.mark.parametrize("over, field", [
    ({"version": 2}, "version"), ({"version": "1"}, "version"), ({"version": None}, "version"),
    ({"exchange_account": 10**30}, "exchange_account"), ({"exchange_account": "x"}, "exchange_account"),
    ({"symbols": []}, "symbols"), ({"symbols": "BTCUSDT"}, "symbols"), ({"symbols": ["btc usdt"]}, "symbols"),
    ({"symbols": [f"S{i}USDT" for i in range(21)]}, "symbols"), ({"symbols": ["BTCUSDT", "BTCUSDT"]}, "symbols"),
    ({"symbols": [{"a": 1}]}, "symbols"), ({"timeframe": "7m"}, "timeframe"), ({"timeframe": None}, "timeframe"),
])
def test_bad_starts_are_400s_naming_the_field(setup, over, field):
    _, client, strategy, account = setup
    answer = start(client, strategy, **good(account, **over))
    assert answer.status_code == 400 and answer.json()["field"] == field and answer.json()["detail"]


def test_bad_bodies_and_accounts(setup):
    user, client, strategy, account = setup
    assert client.generic("POST", f"/api/strategies/{strategy.id}/runs/", "[1,", content_type="application/json"
                          ).status_code == 400
    assert client.post(f"/api/strategies/{strategy.id}/runs/", [1], format="json").status_code == 400
    unverified = account_of(user_make("x"))  # someone else's
    assert start(client, strategy, **good(unverified)).json()["field"] == "exchange_account"
    mine_unverified = ExchangeAccount.objects.create(
        owner=user, label="Live", venue=Venue.SANDBOX, api_key_encrypted="x", api_key_last4="abcd",
        fingerprint="e" * 12, api_secret_encrypted="x")
    assert start(client, strategy, **good(mine_unverified)).json()["detail"] == "This exchange account is not verified."


def test_owner_only(setup):
    user, client, strategy, account = setup
    run = start(client, strategy, **good(account)).json()
    other = client_of(user_make("mallory"))
    for url in (f"/api/strategies/runs/{run['id']}/", f"/api/strategies/runs/{run['id']}/logs/",
                f"/api/strategies/runs/{run['id']}/decisions/", f"/api/strategies/runs/{2**70}/"):
        assert other.get(url).status_code == 404
    assert other.post(f"/api/strategies/runs/{run['id']}/stop/").status_code == 404
    assert start(other, strategy, **good(account)).status_code == 404
    assert other.get("/api/strategies/runs/").json() == []
    assert client_of(None).get("/api/strategies/runs/").status_code == 401


def test_logs_and_decisions(setup):
    user, client, strategy, account = setup
    run_id = start(client, strategy, **good(account)).json()["id"]
    StrategyLog.objects.create(run_id=run_id, level="info", message="hello", symbol="BTCUSDT", candle_time=1)
    StrategyDecision.objects.create(run_id=run_id, symbol="BTCUSDT", candle_time=1, seq=0, kind="open",
                                    payload={"direction": "LONG"}, outcome="not placed: paused")
    logs = client.get(f"/api/strategies/runs/{run_id}/logs/").json()
    assert [(r["level"], r["message"]) for r in logs] == [("info", "hello")]
    decisions = client.get(f"/api/strategies/runs/{run_id}/decisions/").json()
    assert [(d["kind"], d["outcome"], d["order_id"]) for d in decisions] == [("open", "not placed: paused", None)]


def test_admin_lists_and_shows_runs_read_only(setup, client):
    user, api, strategy, account = setup
    run_id = start(api, strategy, **good(account)).json()["id"]
    StrategyLog.objects.create(run_id=run_id, level="error", message="boom", symbol="BTCUSDT", candle_time=1)
    admin = user_make("admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    listing = client.get("/admin/strategies/strategyrun/")
    assert listing.status_code == 200 and b"RUNNING" in listing.content
    page = client.get(f"/admin/strategies/strategyrun/{run_id}/change/")
    assert page.status_code == 200 and b"boom" in page.content
    assert client.get("/admin/strategies/strategyrun/add/").status_code == 403
