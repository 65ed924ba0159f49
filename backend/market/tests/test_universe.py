"""The universe choice on real exchangeInfo and tickers, and the weight table."""
from __future__ import annotations

from pathlib import Path

import pytest

from market.binance.schemas import Ticker24h, exchange_info_decode, tickers_24hr_decode
from market.binance.weights import request_weight
from market.universe import universe_select

PAYLOADS = Path(__file__).parent / "payloads"
STABLES = ["USDC", "FDUSD", "TUSD", "BUSD", "USDP", "DAI"]


def _ticker(symbol: str, quote_volume: float) -> Ticker24h:
    return Ticker24h(symbol, 1.0, 0.0, 1.0, quote_volume, 0, 1, 1)


def test_usdm_universe_keeps_trading_usdt_perpetuals_without_stablecoins():
    info = exchange_info_decode((PAYLOADS / "fapi_v1_exchangeInfo_MAINNET_2024-10-20_subset.json").read_bytes())
    tickers = [_ticker(s.symbol, 1000.0 + i) for i, s in enumerate(info.symbols)]
    chosen = universe_select(info.symbols, tickers, market="usdm", size=0, stablecoins=STABLES)
    names = [e.info.symbol for e in chosen]
    assert "BTCUSDT" in names and "SOLUSDT" in names
    for excluded in ("USDCUSDT", "WAVESUSDT", "BTCSTUSDT", "BTCUSDC", "ETHBTC", "BTCUSDT_241227", "BTCUSDT_250328"):
        assert excluded not in names
    assert [e.rank for e in chosen] == list(range(1, len(chosen) + 1))
    volumes = [e.quote_volume_24h for e in chosen]
    assert volumes == sorted(volumes, reverse=True)


def test_spot_universe_is_the_top_n_by_quote_volume():
    raw = (PAYLOADS / "spot_api_v3_exchangeInfo_TESTNET-likely_2024-09-08_subset.json").read_bytes()
    info = exchange_info_decode(raw)
    tickers = tickers_24hr_decode((PAYLOADS / "spot_api_v3_ticker_24hr_USDT_MAINNET_2024-01-05.json").read_bytes())
    chosen = universe_select(info.symbols, tickers, market="spot", size=3, stablecoins=STABLES)
    assert [e.info.symbol for e in chosen] == ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
    everything = universe_select(info.symbols, tickers, market="spot", size=0, stablecoins=STABLES)
    assert {e.info.symbol for e in everything} == {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT"}  # not USDC/FDUSD


@pytest.mark.parametrize("path, params, weight", [
    ("/fapi/v1/klines", {"limit": 99}, 1), ("/fapi/v1/klines", {"limit": 100}, 2),
    ("/fapi/v1/klines", {"limit": 200}, 2), ("/fapi/v1/klines", {"limit": 500}, 5),
    ("/fapi/v1/klines", {"limit": 1000}, 5), ("/fapi/v1/klines", {"limit": 1500}, 10),
    ("/fapi/v1/klines", {}, 5), ("/api/v3/klines", {"limit": 1000}, 2),
    ("/fapi/v1/ticker/24hr", {}, 40), ("/fapi/v1/ticker/24hr", {"symbol": "BTCUSDT"}, 1),
    ("/api/v3/ticker/24hr", {}, 80), ("/api/v3/ticker/24hr", {"symbol": "BTCUSDT"}, 2),
    ("/api/v3/ticker/24hr", {"symbols": '["A","B"]'}, 2),
    ("/fapi/v1/exchangeInfo", {}, 1), ("/api/v3/exchangeInfo", {}, 20), ("/fapi/v1/time", {}, 1),
])
def test_documented_weights(path, params, weight):
    assert request_weight(path, params) == weight


def test_unknown_endpoint_has_no_guessed_weight():
    with pytest.raises(KeyError):
        request_weight("/fapi/v1/somethingNew")
