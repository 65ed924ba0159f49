"""ccxt's binance and binanceusdm, unchanged but for the base URLs, against a real loopback server."""
from __future__ import annotations

import ccxt.async_support as ccxt
import pytest

from sandbox.control import step

HOSTS = ("https://api.binance.com", "https://fapi.binance.com")


def pointed_at(exchange, base_url: str):
    """Swap Binance's hosts for the sandbox in every REST base URL ccxt knows."""
    for name, url in list(exchange.urls["api"].items()):
        for host in HOSTS:
            if isinstance(url, str) and url.startswith(host):
                exchange.urls["api"][name] = base_url + url[len(host):]
    return exchange


@pytest.mark.parametrize("cls,types,symbol,tick", [
    (ccxt.binance, ["spot"], "BTC/USDT", 0.01),  # spot's BTCUSDT tick; the replayed prices fit it
    (ccxt.binanceusdm, ["linear"], "BTC/USDT:USDT", 0.1),
])
async def test_ccxt_reads_the_sandbox(sandbox_server, cls, types, symbol, tick):
    base_url, app = sandbox_server
    exchange = pointed_at(cls({"options": {"fetchMarkets": {"types": types}, "fetchCurrencies": False}}),
                          base_url)
    try:
        markets = await exchange.load_markets()
        assert len(markets) == 50 and symbol in markets
        btc = markets[symbol]
        assert btc["precision"]["price"] == tick and btc["limits"]["amount"]["min"] > 0
        ticker = await exchange.fetch_ticker(symbol)
        last = app["market"].last_price("BTCUSDT")
        assert ticker["last"] == pytest.approx(last) and ticker["baseVolume"] > 0
        tickers = await exchange.fetch_tickers([symbol, symbol.replace("BTC", "ETH")])
        assert set(tickers) == {symbol, symbol.replace("BTC", "ETH")}
        candles = await exchange.fetch_ohlcv(symbol, "5m", limit=200)
        assert len(candles) == 200 and all(len(c) == 6 for c in candles)
        assert [c[0] for c in candles] == sorted(c[0] for c in candles)
        first = app["market"].dataset.first_open_time
        hourly = await exchange.fetch_ohlcv(symbol, "1h", since=first, limit=3)
        assert [c[0] for c in hourly] == [first + h * 3_600_000 for h in range(3)]
        step(app, 300_000)
        later = await exchange.fetch_ohlcv(symbol, "5m", limit=2)
        assert later[0][0] == candles[-1][0]
    finally:
        await exchange.close()
