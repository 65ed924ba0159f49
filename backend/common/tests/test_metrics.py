"""`/metrics`: real code paths run, the endpoint scraped and parsed with prometheus-client's parser.

This process keeps its metrics in memory (no PROMETHEUS_MULTIPROC_DIR), so a scrape shows what
this very process counted; every assertion is on the difference between two scrapes.
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from channels.testing import WebsocketCommunicator
from django.db import transaction
from prometheus_client.parser import text_string_to_metric_families

from common import metrics
from common.testing import BACKEND_DIR
from market.binance.schemas import Candle

pytestmark = pytest.mark.django_db(transaction=True)


def scrape(client, **extra) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def candle(symbol: str, interval: str, open_time: int, step: int) -> Candle:
    return Candle(symbol, interval, open_time, open_time + step - 1, 10.0, 11.0, 9.0, 10.5, 100.0, 1050.0, 7,
                  50.0, 525.0)


def test_candles_stored_by_a_stream_shard_are_counted_per_interval(client, settings):
    import redis

    from market.shard_leases import ShardLeases
    from market.streaming import ShardedStreams, _Shard

    leases = ShardLeases(redis.Redis.from_url(settings.REDIS_URL), owner="metrics-test", shards=1, ttl_ms=10_000)
    lease = leases.acquire(0)
    assert lease is not None
    streams = ShardedStreams(None, leases, None, ["5m", "1h"])
    five, hour = 300_000, 3_600_000
    now_ms = int(time.time() * 1000)
    items = [(candle("BTCUSDT", "5m", now_ms // five * five - k * five, five), "stream") for k in (3, 2, 1)]
    items.append((candle("ETHUSDT", "1h", now_ms // hour * hour - hour, hour), "stream"))
    before = scrape(client)
    try:
        streams._deliver_sync(_Shard(0, lease, None, None), items)
    finally:
        leases.release(0, lease)
    after = scrape(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("market_candles_ingested_total", market="usdm", interval="5m") == 3
    assert grew("market_candles_ingested_total", market="usdm", interval="1h") == 1
    assert grew("market_stream_delivery_seconds_count", interval="5m") == 3
    # The newest 5m candle closed at the last 5-minute boundary: the lag is under 5 minutes.
    assert 0 <= value(after, "market_stream_lag_seconds", interval="5m") < 300 + 5


def test_stream_lag_grows_while_no_candle_arrives_and_reconnects_are_counted(client):
    before = scrape(client)
    five = 300_000
    items = [(candle("BTCUSDT", "15m", t, five),) for t in (0, five, 2 * five)]
    # Newest close 15 min after the epoch, delivered at 20 min: lag 300 s; delays 600, 300 and 300 s
    # ... and 5 min later, with no new candle, the status tick shows 600 s.
    metrics.stream_delivered(items, now_s=1200.0)
    assert value(scrape(client), "market_stream_lag_seconds", interval="15m") == 300.0
    metrics.stream_status_observe({"connections": 2, "reconnects": {"stalled": 1}}, now_s=1500.0)
    metrics.stream_status_observe({"connections": 2, "reconnects": {"stalled": 3}}, now_s=1500.0)
    last = scrape(client)
    assert value(last, "market_stream_lag_seconds", interval="15m") == 600.0
    assert value(last, "market_stream_connections") == 2
    assert value(last, "market_stream_reconnects_total", reason="stalled") - \
        value(before, "market_stream_reconnects_total", reason="stalled") == 3
    delays = value(last, "market_stream_delivery_seconds_sum", interval="15m") - \
        value(before, "market_stream_delivery_seconds_sum", interval="15m")
    assert delays == (1200 - 300) + (1200 - 600) + (1200 - 900)
    # Its shards given to another process, this one streams nothing: no lag of its own any more.
    metrics.stream_status_observe({"connections": 0, "reconnects": {}, "held": []}, now_s=1800.0)
    metrics.stream_status_observe({"connections": 0, "reconnects": {}, "held": []}, now_s=2400.0)
    assert value(scrape(client), "market_stream_lag_seconds", interval="15m") == 0


def test_a_scan_counts_its_duration_symbols_and_the_weight_it_spent(client, sandbox_process):
    from market.services import universe_refresh
    from signals.models import ScanRun
    from signals.services.scanning import market_scan

    universe_refresh(size=3)
    before = scrape(client)
    run = ScanRun.objects.get(pk=market_scan(timeframe="5m")["scan_run"])
    after = scrape(client)
    assert run.status == "ok"
    assert value(after, "scanner_scan_duration_seconds_count", timeframe="5m", status="ok") - \
        value(before, "scanner_scan_duration_seconds_count", timeframe="5m", status="ok") == 1
    assert value(after, "scanner_scan_duration_seconds_sum", timeframe="5m", status="ok") - \
        value(before, "scanner_scan_duration_seconds_sum", timeframe="5m", status="ok") == \
        pytest.approx(run.duration_ms / 1000)
    assert value(after, "scanner_scan_symbols", timeframe="5m") == 3
    spent = value(after, "binance_request_weight_total", venue="sandbox-usdm") - \
        value(before, "binance_request_weight_total", venue="sandbox-usdm")
    assert spent == run.weight_used > 0


def test_a_429_from_the_exchange_is_counted(client, sandbox_process):
    from market.binance.client import BinanceClient

    async def server_time() -> int:
        async with BinanceClient.from_settings() as exchange:
            return await exchange.market_data.server_time()

    before = scrape(client)
    sandbox_process.control("POST", "faults", {"kind": "rate_limit", "count": 1, "retry_after": 1,
                                               "path_prefix": "/fapi/v1/time"})
    try:
        assert asyncio.run(server_time()) > 0  # the retry after Retry-After answers
    finally:
        sandbox_process.control("DELETE", "faults")
    after = scrape(client)
    assert value(after, "binance_rate_limited_total", venue="sandbox-usdm", status="429") - \
        value(before, "binance_rate_limited_total", venue="sandbox-usdm", status="429") == 1


async def test_connected_sockets_and_published_events(client):
    from asgiref.sync import sync_to_async

    from config.asgi import application
    from realtime.dispatcher import publish
    from realtime.events import SIGNALS_GROUP, Event

    async def sockets() -> float:
        return value(await sync_to_async(scrape)(client), "realtime_connected_sockets", endpoint="signals")

    start = await sockets()
    headers = [(b"host", b"localhost"), (b"origin", b"http://localhost")]
    first = WebsocketCommunicator(application, "/ws/signals/", headers=headers)
    second = WebsocketCommunicator(application, "/ws/signals/", headers=headers)
    for socket in (first, second):
        assert (await socket.connect())[0]
        assert (await socket.receive_json_from())["type"] == "welcome"
    assert await sockets() - start == 2
    events_before = value(await sync_to_async(scrape)(client), "realtime_events_published_total", group="signals")
    await sync_to_async(publish)(Event("scanner_status", {"state": "idle"}, group=SIGNALS_GROUP))
    assert (await first.receive_json_from(timeout=5))["type"] == "scanner_status"
    events_after = value(await sync_to_async(scrape)(client), "realtime_events_published_total", group="signals")
    assert events_after - events_before == 1
    await first.disconnect()
    assert await sockets() - start == 1
    await second.disconnect()
    assert await sockets() == start


async def test_a_refused_chart_socket_is_counted_while_open_only(client):
    from asgiref.sync import sync_to_async

    from config.asgi import application

    async def sockets() -> float:
        return value(await sync_to_async(scrape)(client), "realtime_connected_sockets", endpoint="market")

    start = await sockets()
    socket = WebsocketCommunicator(application, "/ws/market/?symbol=bad!&interval=5m",
                                   headers=[(b"host", b"localhost"), (b"origin", b"http://localhost")])
    assert (await socket.connect())[0]
    assert (await socket.receive_json_from())["type"] == "error"
    assert (await socket.receive_output(timeout=5))["code"] == 4400
    assert await sockets() == start + 1  # accepted, then refused: counted until it is gone
    await socket.disconnect()
    assert await sockets() == start


def test_orders_sent_and_canceled_count_their_final_status_once(client, sandbox_process):
    from decimal import Decimal

    from django.contrib.auth.models import User

    from trading.services.orders import order_cancel, order_create, order_send
    from trading.tests.harness import paper_account_create

    owner = User.objects.create_user(username="metrics@example.com", email="metrics@example.com")
    account = paper_account_create(owner, sandbox_process)
    before = scrape(client)
    filled = order_create(account=account, symbol="BTCUSDT", side="BUY", type="MARKET", quantity=Decimal("0.01"),
                          send=False)
    assert order_send(order_id=filled.pk).status == "FILLED"
    order_send(order_id=filled.pk)  # a redelivered send: nothing new
    unsent = order_create(account=account, symbol="BTCUSDT", side="BUY", type="MARKET", quantity=Decimal("0.01"),
                          send=False)
    assert order_cancel(order=unsent).status == "NOT_SENT"
    after = scrape(client)
    for status in ("FILLED", "NOT_SENT"):
        assert value(after, "trading_orders_finished_total", status=status) - \
            value(before, "trading_orders_finished_total", status=status) == 1, status

    from trading.services.reconciliation import reconcile

    run = reconcile(account=account, trigger="manual")
    last = scrape(client)
    assert value(last, "trading_reconciliation_drift_count", trigger="manual") - \
        value(after, "trading_reconciliation_drift_count", trigger="manual") == 1
    assert value(last, "trading_reconciliation_drift_sum", trigger="manual") - \
        value(after, "trading_reconciliation_drift_sum", trigger="manual") == len(run.diffs)


def test_orders_are_counted_once_committed_and_reconciliation_drift_per_run(client):
    before = scrape(client)
    with pytest.raises(RuntimeError), transaction.atomic():
        metrics.order_finished("FILLED", on_commit=transaction.on_commit)
        raise RuntimeError("rolled back: the order never finished")
    with transaction.atomic():
        metrics.order_finished("FILLED", on_commit=transaction.on_commit)
    metrics.reconciliation_observe(trigger="periodic", diffs=[{"kind": "order"}, {"kind": "order"}, {"kind": "fill"}])
    metrics.reconciliation_observe(trigger="periodic", diffs=[])
    after = scrape(client)
    assert value(after, "trading_orders_finished_total", status="FILLED") - \
        value(before, "trading_orders_finished_total", status="FILLED") == 1
    assert value(after, "trading_reconciliation_drift_count", trigger="periodic") - \
        value(before, "trading_reconciliation_drift_count", trigger="periodic") == 2
    assert value(after, "trading_reconciliation_drift_sum", trigger="periodic") - \
        value(before, "trading_reconciliation_drift_sum", trigger="periodic") == 3
    # Le bucket 0: only the clean run; le 5: both.
    assert value(after, "trading_reconciliation_drift_bucket", trigger="periodic", le="0.0") - \
        value(before, "trading_reconciliation_drift_bucket", trigger="periodic", le="0.0") == 1
    assert value(after, "trading_reconciliation_diffs_total", kind="order") - \
        value(before, "trading_reconciliation_diffs_total", kind="order") == 2


def test_a_broken_metric_never_breaks_the_code_it_watches():
    metrics.candles_ingested([("not a candle",)], market="usdm")
    metrics.socket_closed(SimpleNamespace())
    metrics.binance_response(venue=None, status=200, weight=1, used_weight="12")


def test_group_labels_never_carry_a_user_or_a_symbol():
    assert metrics.group_kind("signals_global") == "signals"
    assert metrics.group_kind("user.42") == "user"
    assert metrics.group_kind("chart.BTCUSDT.5m") == "chart"
    assert metrics.group_kind("something.else") == "other"


# --- who may scrape -------------------------------------------------------------------


def test_loopback_is_answered_and_another_address_is_refused(client):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    refused = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 403
    assert "METRICS_ALLOW" in refused.content.decode()
    # X-Forwarded-For is believed from TRUSTED_PROXIES only (none here): naming loopback does not help.
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 403
    assert client.post("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 405


def test_allowed_networks_and_the_bearer_token(client, settings):
    settings.METRICS_ALLOW = ["10.1.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    token = "scrape-token-0123456789abcdef"
    settings.METRICS_TOKEN = token
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    wrong = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer not-the-token-at-all")
    assert wrong.status_code == 401 and token not in wrong.content.decode()
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


@pytest.mark.parametrize("variable, value, message", [
    ("METRICS_ALLOW", "10.0.0.0/33", "METRICS_ALLOW"),
    ("METRICS_TOKEN", "short", "METRICS_TOKEN"),
    ("LOG_FORMAT", "xml", "LOG_FORMAT"),
])
def test_bad_settings_stop_start_up(monkeypatch, variable, value, message):
    from config import env
    monkeypatch.setenv(variable, value)
    with pytest.raises(env.EnvError, match=message):
        env.read_env()


def test_the_metrics_module_imports_no_django_and_no_database_or_exchange_client():
    code = ("import json, sys\nimport common.metrics\nprint(json.dumps(sorted(sys.modules)))\n")
    env = dict(os.environ, PYTHONPATH=str(BACKEND_DIR))
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    out = subprocess.run([sys.executable, "-c", code], cwd=BACKEND_DIR, env=env, capture_output=True, text=True,
                         check=True).stdout
    loaded = {name.split(".")[0] for name in json.loads(out)}
    assert not loaded & {"django", "redis", "psycopg", "aiohttp", "celery", "channels", "requests"}
