"""/api/symbols/ and /api/klines/ against the sandbox exchange process."""
import pytest
from rest_framework.test import APIClient

from market.services import universe_refresh

pytestmark = pytest.mark.django_db


def test_symbols_list_the_universe_by_rank(sandbox_process):
    universe_refresh(size=5)
    rows = APIClient().get("/api/symbols/").json()
    assert [r["rank"] for r in rows[:5]] == [1, 2, 3, 4, 5]
    assert all(r["in_universe"] for r in rows[:5])
    assert {"symbol", "tick_size", "step_size", "quote_volume"} <= set(rows[0])


def test_klines_for_a_chart(sandbox_process):
    candles = APIClient().get("/api/klines/?symbol=ETHUSDT&interval=15m&limit=50").json()
    assert len(candles) == 50
    assert [c["closed"] for c in candles[-2:]] == [True, False]
    assert all(b["t"] - a["t"] == 15 * 60_000 for a, b in zip(candles, candles[1:]))
    assert all(c["l"] <= c["o"] <= c["h"] and c["l"] <= c["c"] <= c["h"] for c in candles)


@pytest.mark.parametrize(
    "query, field",
    [("symbol=eth%20usdt", "symbol"), ("symbol=ETHUSDT&interval=2m", "interval"),
     ("symbol=ETHUSDT&limit=0", "limit"), ("symbol=ETHUSDT&limit=x", "limit"), ("", "symbol")],
)
def test_bad_kline_queries_are_400(query, field):
    response = APIClient().get(f"/api/klines/?{query}")
    assert response.status_code == 400 and field in response.json()


def test_unknown_symbol_is_400_with_the_exchanges_reason(sandbox_process):
    response = APIClient().get("/api/klines/?symbol=NOPEUSDT")
    assert response.status_code == 400
    assert "NOPEUSDT" in response.json()["detail"]
