"""/api/symbols/ (the universe, from the sandbox exchange) and /api/klines/ (from the candle store)."""
import dataclasses
import random

import pytest
from rest_framework.test import APIClient

from market.binance.schemas import Candle
from market.services import candles_upsert, universe_refresh

pytestmark = pytest.mark.django_db
T0 = 1_765_929_600_000


def _ip() -> str:
    # Throttle counters live in the shared Redis cache: a fresh address per caller keeps runs apart.
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def test_symbols_list_the_universe_by_rank(sandbox_process):
    universe_refresh(size=5)
    rows = APIClient().get("/api/symbols/").json()
    assert [r["rank"] for r in rows[:5]] == [1, 2, 3, 4, 5]
    assert all(r["in_universe"] for r in rows[:5])
    assert {"symbol", "tick_size", "step_size", "quote_volume"} <= set(rows[0])


def _store(symbol: str, interval: str, count: int, step_ms: int) -> list[Candle]:
    # Hand-made candles: open i + 100.5, high +1.25, low -0.75, close +0.125, volume 10 + i.
    candles = [Candle(symbol, interval, T0 + i * step_ms, T0 + (i + 1) * step_ms - 1, f"{100.5 + i}", f"{101.75 + i}",
                      f"{99.75 + i}", f"{100.625 + i}", f"{10 + i}", "1000", 5, "1", "100") for i in range(count)]
    candles_upsert(candles)
    return candles


def test_klines_come_from_the_candle_store_never_the_exchange(sandbox_process, settings):
    universe_refresh(size=5)
    _store("ETHUSDT", "15m", 80, 15 * 60_000)
    # The exchange is out of reach from here on: the answer can only come from the store.
    settings.BINANCE = dataclasses.replace(settings.BINANCE, sandbox_url="http://127.0.0.1:9")
    response = APIClient(REMOTE_ADDR=_ip()).get("/api/klines/?symbol=ETHUSDT&interval=15m&limit=50")
    assert response.status_code == 200, response.content
    candles = response.json()
    assert len(candles) == 50
    assert candles[0] == {"t": T0 + 30 * 15 * 60_000, "o": 130.5, "h": 131.75, "l": 129.75, "c": 130.625, "v": 40.0,
                          "closed": True}
    assert candles[-1]["t"] == T0 + 79 * 15 * 60_000 and candles[-1]["c"] == 179.625
    assert all(b["t"] - a["t"] == 15 * 60_000 for a, b in zip(candles, candles[1:]))


def test_klines_the_store_lacks_answer_with_what_it_has(sandbox_process):
    universe_refresh(size=5)
    _store("ETHUSDT", "15m", 3, 15 * 60_000)
    client = APIClient(REMOTE_ADDR=_ip())
    assert len(client.get("/api/klines/?symbol=ETHUSDT&interval=15m&limit=300").json()) == 3
    assert client.get("/api/klines/?symbol=ETHUSDT&interval=1h").json() == []  # streamed, none stored yet


def test_an_interval_the_stream_process_does_not_stream_is_a_400_naming_the_streamed_ones(sandbox_process):
    universe_refresh(size=5)
    answer = APIClient(REMOTE_ADDR=_ip()).get("/api/klines/?symbol=ETHUSDT&interval=1m")
    assert answer.status_code == 400
    assert answer.json()["interval"] == ["one of 5m, 15m, 1h, 4h (the streamed intervals)"]


def test_klines_are_throttled_per_client_ip_with_retry_after(sandbox_process, settings):
    universe_refresh(size=5)
    settings.MARKET_API_RATES = dataclasses.replace(settings.MARKET_API_RATES, market_anon="3/min")
    first, second = _ip(), _ip()
    client = APIClient(REMOTE_ADDR=first)
    assert [client.get("/api/klines/?symbol=ETHUSDT").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/klines/?symbol=ETHUSDT", HTTP_X_FORWARDED_FOR=second)
    assert refused.status_code == 429, "a caller's own X-Forwarded-For does not make it someone else"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert APIClient(REMOTE_ADDR=second).get("/api/klines/?symbol=ETHUSDT").status_code == 200


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget(sandbox_process, settings):
    universe_refresh(size=5)
    settings.MARKET_API_RATES = dataclasses.replace(settings.MARKET_API_RATES, market_anon="2/min")
    proxy, a, b = _ip(), _ip(), _ip()
    settings.TRUSTED_PROXIES = [proxy]
    client = APIClient(REMOTE_ADDR=proxy)
    codes_a = [client.get("/api/klines/?symbol=ETHUSDT", HTTP_X_FORWARDED_FOR=f"{b}, {a}").status_code
               for _ in range(3)]
    assert codes_a == [200, 200, 429], "the hop the proxy saw is the client, not the spoofable left one"
    assert client.get("/api/klines/?symbol=ETHUSDT", HTTP_X_FORWARDED_FOR=b).status_code == 200


@pytest.mark.parametrize(
    "query, field",
    [("symbol=eth%20usdt", "symbol"), ("symbol=ETHUSDT&interval=2m", "interval"),
     ("symbol=ETHUSDT&limit=0", "limit"), ("symbol=ETHUSDT&limit=x", "limit"), ("", "symbol")],
)
def test_bad_kline_queries_are_400(query, field):
    response = APIClient().get(f"/api/klines/?{query}")
    assert response.status_code == 400 and field in response.json()


def test_unknown_symbol_is_400_without_asking_the_exchange(sandbox_process):
    universe_refresh(size=5)
    response = APIClient(REMOTE_ADDR=_ip()).get("/api/klines/?symbol=NOPEUSDT")
    assert response.status_code == 400
    assert "NOPEUSDT is not a known symbol" in response.json()["detail"]
