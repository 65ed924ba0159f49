"""The backtest API's answers that need no worker: list, another user's run, CSV before DONE,
compare, the admin."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from backtest.models import BacktestRun

pytestmark = pytest.mark.django_db
PARAMS = {"symbols": ["BTCUSDT"], "timeframe": "5m", "start_ms": 0, "end_ms": 300_000}


def signed_in(name: str):
    user = get_user_model().objects.create_user(username=name, password="pw-123456789")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return user, api


def test_list_detail_csv_and_compare_are_the_owners_alone():
    alice, api = signed_in("bt-alice")
    bob, _ = signed_in("bt-bob")
    done = BacktestRun.objects.create(owner=alice, kind="scanner", parameters=PARAMS, status="DONE", progress=100,
                                      results={"metrics": {"trades": 3, "total_pnl": 1.5}}, trades_csv="symbol\nBTCUSDT\n")
    queued = BacktestRun.objects.create(owner=alice, kind="scanner", parameters=PARAMS)
    theirs = BacktestRun.objects.create(owner=bob, kind="scanner", parameters=PARAMS)
    assert [r["id"] for r in api.get("/api/backtests/").json()] == [queued.id, done.id]
    assert api.get(f"/api/backtests/{theirs.id}/").status_code == 404
    assert api.post(f"/api/backtests/{theirs.id}/cancel/").status_code == 404
    assert api.get(f"/api/backtests/{theirs.id}/trades.csv").status_code == 404
    early = api.get(f"/api/backtests/{queued.id}/trades.csv")
    assert early.status_code == 409 and "QUEUED" in early.json()["detail"]
    csv = api.get(f"/api/backtests/{done.id}/trades.csv")
    assert csv["Content-Type"] == "text/csv" and csv.content == b"symbol\nBTCUSDT\n"
    compare = api.get(f"/api/backtests/compare/?ids={done.id},{queued.id}").json()["runs"]
    assert [(r["id"], r["metrics"]) for r in compare] == [(done.id, {"trades": 3, "total_pnl": 1.5}), (queued.id, None)]
    assert api.get(f"/api/backtests/compare/?ids={done.id},{theirs.id}").status_code == 404
    assert api.get("/api/backtests/compare/?ids=").status_code == 400
    assert api.get("/api/backtests/compare/?ids=99999999999999999999999").status_code == 404
    assert APIClient().get("/api/backtests/").status_code == 401


def test_admin_lists_and_shows_runs_read_only(client):
    admin, _ = signed_in("bt-admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    run = BacktestRun.objects.create(owner=admin, kind="scanner", parameters=PARAMS, status="FAILED",
                                     error="candles missing: BTCUSDT")
    client.force_login(admin)
    listing = client.get("/admin/backtest/backtestrun/")
    assert listing.status_code == 200 and b"FAILED" in listing.content
    page = client.get(f"/admin/backtest/backtestrun/{run.id}/change/")
    assert page.status_code == 200 and b"candles missing" in page.content
    assert client.get("/admin/backtest/backtestrun/add/").status_code == 403


def test_candles_of_the_window_for_one_of_the_runs_symbols():
    from django.conf import settings

    from market.models import Candle

    alice, api = signed_in("bt-candles")
    _, bob_api = signed_in("bt-candles-bob")
    step = 300_000
    Candle.objects.bulk_create([
        Candle(market=settings.BINANCE.market, symbol="BTCUSDT", interval="5m", open_time=i * step,
               close_time=i * step + step - 1, open=100 + i, high=101 + i, low=99 + i, close=100.5 + i, volume=7,
               quote_volume=0, trades=0, taker_buy_base=0, taker_buy_quote=0, history=True)
        for i in range(10)])  # fmt: skip
    run = BacktestRun.objects.create(owner=alice, kind="scanner", status="DONE",
                                     parameters={**PARAMS, "start_ms": 2 * step, "end_ms": 5 * step})
    rows = api.get(f"/api/backtests/{run.id}/candles/?symbol=btcusdt").json()
    assert [r["t"] for r in rows] == [2 * step, 3 * step, 4 * step]  # the window [start, end), nothing outside
    assert rows[0] == {"t": 2 * step, "o": 102.0, "h": 103.0, "l": 101.0, "c": 102.5, "v": 7.0}
    other = api.get(f"/api/backtests/{run.id}/candles/?symbol=ETHUSDT")
    assert other.status_code == 400 and "BTCUSDT" in other.json()["detail"]
    assert bob_api.get(f"/api/backtests/{run.id}/candles/?symbol=BTCUSDT").status_code == 404
