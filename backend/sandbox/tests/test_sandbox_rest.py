"""Market-data REST endpoints against the recorded Binance payloads: keys, JSON types, column order,
weights, parameters and error answers."""
from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest

from sandbox.control import step

# Recorded payloads, large ones cut down to a few entries (see fixtures/README.md).
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "binance"
REST = FIXTURES / "rest"
NAUTILUS = FIXTURES / "nautilus_trader"


def shape(value):
    """JSON type skeleton: dict -> key list, list -> element shapes, scalars -> type name."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


def decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


@pytest.fixture
async def get(sandbox_server):
    base_url, _app = sandbox_server
    async with aiohttp.ClientSession() as session:
        async def call(path: str, **params):
            async with session.get(base_url + path, params=params) as resp:
                body = await resp.read()
                return resp.status, (json.loads(body) if body else None), resp.headers
        yield call


@pytest.mark.parametrize("path,interval,real", [
    ("/api/v3/klines", "15m", "api_v3_klines_BTCUSDT_15m_2024-10.json"),
    ("/fapi/v1/klines", "5m", "fapi_v1_klines_BTCUSDT_5m_limit500_2025-11.json"),
])
async def test_klines_rows_match_the_real_columns(get, path, interval, real):
    recorded = json.loads((REST / real).read_text())
    status, rows, _ = await get(path, symbol="BTCUSDT", interval=interval, limit="50")
    assert status == 200 and len(rows) == 50
    assert shape(rows[0]) == shape(recorded[0])
    for ours, theirs in zip(rows[0], recorded[0]):
        if isinstance(theirs, str) and theirs != "0":
            assert decimals(ours) == decimals(theirs)  # 8 on spot; price/qty precision on USD-M
    assert rows[0][6] - rows[0][0] == recorded[0][6] - recorded[0][0]


async def test_ticker_24hr_matches_real_keys(get):
    spot = json.loads((REST / "spot_api_v3_ticker_24hr_ALL_MAINNET_2024-01-05.json").read_text())[0]
    status, body, _ = await get("/api/v3/ticker/24hr", symbol="BTCUSDT")
    assert status == 200 and list(body) == list(spot) and shape(body) == shape(spot)
    usdm = json.loads((NAUTILUS / "http_futures_market_ticker_24hr.json").read_text())
    status, body, _ = await get("/fapi/v1/ticker/24hr", symbol="BTCUSDT")
    assert status == 200 and list(body) == list(usdm) and shape(body) == shape(usdm)
    status, everything, _ = await get("/fapi/v1/ticker/24hr")
    assert len(everything) == 50 and shape(everything[0]) == shape(usdm)


@pytest.mark.parametrize("path,fixture", [
    ("/api/v3/ticker/price", "http_spot_market_ticker_price.json"),
    ("/fapi/v1/ticker/price", "http_futures_market_ticker_price.json"),
    ("/fapi/v1/premiumIndex", "http_futures_market_premium_index.json"),
    ("/api/v3/time", "http_spot_market_time.json"),
    ("/fapi/v1/time", "http_spot_market_time.json"),
    ("/api/v3/ping", "http_spot_market_ping.json"),
])
async def test_small_endpoints_match_fixtures(get, path, fixture):
    recorded = json.loads((NAUTILUS / fixture).read_text())
    params = {"symbol": "BTCUSDT"} if "symbol" in recorded else {}
    status, body, _ = await get(path, **params)
    assert status == 200 and set(body) == set(recorded) and shape(body) == shape(recorded)


@pytest.mark.parametrize("path,real", [
    ("/fapi/v1/exchangeInfo", "fapi_v1_exchangeInfo_MAINNET_2024-10-20.json"),
    ("/api/v3/exchangeInfo", "spot_api_v3_exchangeInfo_TESTNET-likely_2024-09-08.json"),
])
async def test_exchange_info_matches_the_snapshot(get, path, real):
    recorded = json.loads((REST / real).read_text())
    status, body, _ = await get(path)
    assert status == 200 and list(body) == list(recorded)
    assert len(body["symbols"]) == 50
    btc = next(s for s in body["symbols"] if s["symbol"] == "BTCUSDT")
    real_btc = next(s for s in recorded["symbols"] if s["symbol"] == "BTCUSDT")
    assert shape(btc) == shape(real_btc)
    assert body["rateLimits"][0]["limit"] == (2400 if path.startswith("/fapi") else 6000)


async def test_spot_exchange_info_parameters(get):
    status, body, _ = await get("/api/v3/exchangeInfo", symbol="ETHUSDT")
    assert status == 200 and [s["symbol"] for s in body["symbols"]] == ["ETHUSDT"]
    status, body, _ = await get("/api/v3/exchangeInfo", symbols='["ETHUSDT","BTCUSDT"]')
    assert [s["symbol"] for s in body["symbols"]] == ["ETHUSDT", "BTCUSDT"]
    status, body, _ = await get("/api/v3/exchangeInfo", permissions="SPOT", showPermissionSets="false")
    assert len(body["symbols"]) == 50 and all(s["permissionSets"] == [] for s in body["symbols"])
    status, body, _ = await get("/api/v3/exchangeInfo", symbol="NOPEUSDT")
    assert (status, body["code"]) == (400, -1121)
    status, body, _ = await get("/api/v3/exchangeInfo", symbol="ETHUSDT", permissions="SPOT")
    assert (status, body["code"]) == (400, -1128)


async def test_klines_stop_at_the_clock(sandbox_server, get):
    _, app = sandbox_server
    status, before, _ = await get("/fapi/v1/klines", symbol="ETHUSDT", interval="5m", limit="3")
    step(app, 5 * 60_000)
    status, after, _ = await get("/fapi/v1/klines", symbol="ETHUSDT", interval="5m", limit="3")
    assert after[-2][0] == before[-1][0] and after[-1][0] == before[-1][0] + 300_000
    now = app["market"].now_ms()
    assert after[-1][0] <= now < after[-1][6]
    status, default, _ = await get("/fapi/v1/klines", symbol="ETHUSDT", interval="5m")
    assert len(default) == 202  # default limit 500, but only 202 candles exist so far


@pytest.mark.parametrize("path,params,weight", [
    ("/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "5m", "limit": "99"}, 1),
    ("/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "5m", "limit": "100"}, 2),
    ("/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "5m"}, 5),
    ("/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "5m", "limit": "1000"}, 5),
    ("/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "5m", "limit": "1500"}, 10),
    ("/api/v3/klines", {"symbol": "BTCUSDT", "interval": "5m", "limit": "1000"}, 2),
    ("/api/v3/exchangeInfo", {}, 20), ("/fapi/v1/exchangeInfo", {}, 1),
    ("/api/v3/ticker/24hr", {"symbol": "BTCUSDT"}, 2), ("/api/v3/ticker/24hr", {}, 80),
    ("/api/v3/ticker/24hr", {"symbols": json.dumps(["BTCUSDT"] + [f"X{i:03d}USDT" for i in range(0)])}, 2),
    ("/fapi/v1/ticker/24hr", {"symbol": "BTCUSDT"}, 1), ("/fapi/v1/ticker/24hr", {}, 40),
    ("/api/v3/ticker/price", {"symbol": "BTCUSDT"}, 2), ("/api/v3/ticker/price", {}, 4),
    ("/fapi/v1/ticker/price", {"symbol": "BTCUSDT"}, 1), ("/fapi/v1/ticker/price", {}, 2),
    ("/fapi/v1/premiumIndex", {"symbol": "BTCUSDT"}, 1), ("/fapi/v1/premiumIndex", {}, 10),
    ("/api/v3/ping", {}, 1), ("/fapi/v1/time", {}, 1),
])
async def test_weights_and_header(get, sandbox_server, path, params, weight):
    for limiter in sandbox_server[1]["limiters"].values():  # one window: no minute boundary in between
        limiter.clock = lambda: 1_800_000_000.0
    status, _, headers = await get(path, **params)
    assert status == 200 and headers["X-MBX-USED-WEIGHT-1M"] == str(weight)
    _, _, headers = await get(path, **params)
    assert headers["X-MBX-USED-WEIGHT-1M"] == str(2 * weight)


async def test_spot_ticker_weight_by_symbol_count(sandbox_factory):
    base_url, _ = await sandbox_factory(extra_symbols=150)
    names = ["BTCUSDT"] + [f"X{i:03d}USDT" for i in range(1, 101)]
    async with aiohttp.ClientSession() as session:
        for count, weight in ((20, 2), (21, 40), (100, 40), (101, 80)):
            url = f"{base_url}/api/v3/ticker/24hr"
            async with session.get(url, params={"symbols": json.dumps(names[:count], separators=(",", ":"))}) as r:
                assert r.status == 200 and len(await r.json()) == count
            async with session.post(f"{base_url}/sandbox/limits/reset"):
                pass
            async with session.get(url, params={"symbols": json.dumps(names[:count], separators=(",", ":"))}) as r:
                assert r.headers["X-MBX-USED-WEIGHT-1M"] == str(weight)
            async with session.post(f"{base_url}/sandbox/limits/reset"):
                pass


async def test_spot_ticker_types_and_lists(get):
    status, mini, _ = await get("/api/v3/ticker/24hr", symbol="BTCUSDT", type="MINI")
    assert list(mini) == ["symbol", "openPrice", "highPrice", "lowPrice", "lastPrice", "volume", "quoteVolume",
                          "openTime", "closeTime", "firstId", "lastId", "count"]
    status, pair, _ = await get("/api/v3/ticker/price", symbols='["BTCUSDT","ETHUSDT"]')
    assert [p["symbol"] for p in pair] == ["BTCUSDT", "ETHUSDT"] and pair[0]["price"].endswith("0")
    status, body, _ = await get("/api/v3/ticker/24hr", symbol="BTCUSDT", type="HUGE")
    assert (status, body) == (400, {"code": -1139, "msg": "Invalid ticker type."})


@pytest.mark.parametrize("path,params,code", [
    ("/fapi/v1/klines", {"interval": "5m"}, -1102),
    ("/fapi/v1/klines", {"symbol": "BTCUSDT"}, -1102),
    ("/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "7m"}, -1120),
    ("/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "1s"}, -1120),
    ("/api/v3/klines", {"symbol": "BTCUSDT", "interval": "1m"}, -1120),  # valid on Binance, not replayed
    ("/fapi/v1/klines", {"symbol": "NOPEUSDT", "interval": "5m"}, -1121),
    ("/fapi/v1/klines", {"symbol": "btcusdt", "interval": "5m"}, -1100),
    ("/fapi/v1/klines", {"symbol": "BTC$USDT", "interval": "5m"}, -1100),
    ("/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "5m", "limit": "abc"}, -1100),
    ("/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "5m", "limit": "-5"}, -1100),
    ("/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "5m", "limit": "0"}, -1130),
    ("/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "5m", "limit": "1501"}, -1130),
    ("/api/v3/klines", {"symbol": "BTCUSDT", "interval": "5m", "limit": "1001"}, -1130),
    ("/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "5m", "startTime": "1e9"}, -1100),
    ("/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "5m", "startTime": "9", "endTime": "1"}, -1023),
    ("/api/v3/klines", {"symbol": "BTCUSDT", "interval": "5m", "timeZone": "25"}, -1130),
    ("/api/v3/ticker/24hr", {"symbols": '["BTCUSDT",'}, -1100),
    ("/api/v3/ticker/24hr", {"symbols": "BTCUSDT"}, -1100),
    ("/api/v3/ticker/24hr", {"symbols": '["NOPEUSDT"]'}, -1121),
    ("/api/v3/ticker/24hr", {"symbols": '["BTCUSDT","BTCUSDT"]'}, -1151),
    ("/api/v3/ticker/24hr", {"symbol": "BTCUSDT", "symbols": '["BTCUSDT"]'}, -1128),
    ("/api/v3/ticker/24hr", {"symbolStatus": "SLEEPING"}, -1122),
    ("/api/v3/ticker/price", {"symbol": "BTCUSDT", "symbolStatus": "HALT"}, -1220),
    ("/fapi/v1/ticker/24hr", {"symbol": "NOPE"}, -1121),
    ("/fapi/v1/premiumIndex", {"symbol": "\u00e9"}, -1100),
])
async def test_bad_input_gets_binance_errors(get, path, params, code):
    status, body, headers = await get(path, **params)
    assert status == 400 and body["code"] == code and isinstance(body["msg"], str)
    assert headers["Content-Type"].startswith("application/json")
    assert "X-MBX-USED-WEIGHT-1M" in headers


async def test_known_error_texts(get):
    _, body, _ = await get("/fapi/v1/klines", symbol="BTCUSDT")
    assert body == {"code": -1102, "msg": "Mandatory parameter 'interval' was not sent, was empty/null, or malformed."}
    _, body, _ = await get("/fapi/v1/klines", symbol="NOPE", interval="5m")
    assert body == {"code": -1121, "msg": "Invalid symbol."}
    _, body, _ = await get("/api/v3/klines", symbol="BTCUSDT", interval="5m", startTime="9", endTime="1")
    assert body == []  # spot answers an empty list where USD-M says -1023


async def test_duplicate_parameter_and_unknown_path(sandbox_server):
    base_url, _ = sandbox_server
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base_url}/fapi/v1/klines?symbol=BTCUSDT&symbol=ETHUSDT&interval=5m") as r:
            assert r.status == 400 and (await r.json())["code"] == -1101
        async with session.get(f"{base_url}/fapi/v1/nothing") as r:
            assert r.status == 404 and "X-MBX-USED-WEIGHT-1M" not in r.headers
        async with session.post(f"{base_url}/fapi/v1/klines") as r:
            assert r.status == 405


async def test_usdm_prices_use_price_precision(get):
    _, ticker, _ = await get("/fapi/v1/ticker/price", symbol="BTCUSDT")
    assert decimals(ticker["price"]) == 2
    _, ticker, _ = await get("/api/v3/ticker/price", symbol="BTCUSDT")
    assert decimals(ticker["price"]) == 8
    _, pepe, _ = await get("/fapi/v1/klines", symbol="1000PEPEUSDT", interval="1h", limit="1")
    assert decimals(pepe[0][1]) == 7


NASTY = ["", "%00", "\u00ff", "'; DROP TABLE x;--", "9" * 30, "-1", "1e3", "[", '["BTCUSDT"', "[]", "null",
         '{"a":1}', "BTCUSDT" * 10, " BTCUSDT", "5m\n", "0x10", "1.5"]
PARAMS = ["symbol", "symbols", "interval", "limit", "startTime", "endTime", "type", "timeZone",
          "permissions", "showPermissionSets", "symbolStatus"]


async def test_nasty_input_never_crashes(sandbox_server):
    base_url, app = sandbox_server
    paths = [path for path, *_ in __import__("sandbox.rest_market", fromlist=["ROUTES"]).ROUTES]
    async with aiohttp.ClientSession() as session:
        for n, path in enumerate(paths):
            for m, name in enumerate(PARAMS):
                value = NASTY[(n + m) % len(NASTY)]
                params = {"symbol": "BTCUSDT", "interval": "5m", name: value}
                async with session.get(base_url + path, params=params) as resp:
                    body = await resp.read()
                    assert resp.status in (200, 400), (path, name, value, resp.status, body)
                    if resp.status == 400:
                        error = json.loads(body)
                        assert set(error) == {"code", "msg"} and error["code"] < 0
            async with session.post(f"{base_url}/sandbox/limits/reset"):
                pass
