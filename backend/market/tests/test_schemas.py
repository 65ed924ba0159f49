"""Decoders on real recorded Binance payloads (tests/payloads/README.md says where each comes from)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import orjson
import pytest

from market.binance.errors import DecodeError
from market.binance.schemas import (
    candles_decode, error_body_decode, exchange_info_decode, kline_frame_decode, klines_decode,
    tickers_24hr_decode,
)

PAYLOADS = Path(__file__).parent / "payloads"


def _read(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def test_usdm_klines_decode_into_exact_float_columns():
    raw = _read("fapi_v1_klines_BTCUSDT_5m_limit500_2025-11.json")
    rows = orjson.loads(raw)
    k = klines_decode(raw, symbol="BTCUSDT", interval="5m")
    assert len(k) == 500
    assert k.open_time.dtype == np.int64 and k.close.dtype == np.float64 and k.trades.dtype == np.int64
    assert k.open_time[0] == rows[0][0] == 1762346100000
    assert k.close_time[0] == 1762346399999
    assert k.open[0] == 102325.60 and k.high[0] == 102480.00 and k.close[0] == 102419.20
    assert k.quote_volume[0] == 23374918.90950 and k.trades[0] == 14479
    # Every value equals Python's own parse of the string Binance sent.
    for column, index in (("open", 1), ("high", 2), ("low", 3), ("close", 4), ("volume", 5), ("taker_buy_quote", 10)):
        assert getattr(k, column).tolist() == [float(r[index]) for r in rows]
    assert np.all(np.diff(k.open_time) == 300_000)
    assert k.close.flags["C_CONTIGUOUS"] and k.open_time.flags["C_CONTIGUOUS"]


def test_spot_klines_pretty_printed_decode_too():
    raw = _read("api_v3_klines_BTCUSDT_15m_2024-10.json")
    k = klines_decode(raw, symbol="BTCUSDT", interval="15m")
    assert len(k) == 779
    assert k.open_time[0] == 1729928700000 and k.open[0] == 67018.39 and k.volume[0] == 74.15802
    assert np.all(k.low <= np.minimum(k.open, k.close)) and np.all(k.high >= np.maximum(k.open, k.close))


def test_empty_and_malformed_klines():
    assert len(klines_decode(b"[]", symbol="X", interval="5m")) == 0
    with pytest.raises(DecodeError):
        klines_decode(b'{"code":-1121,"msg":"Invalid symbol."}', symbol="X", interval="5m")
    with pytest.raises(DecodeError):
        klines_decode(b'[[1,"2","3"],[1]]', symbol="X", interval="5m")
    with pytest.raises(DecodeError):
        klines_decode(b'[[1,"x","3","4","5","6",7,"8",9,"10","11","0"]]', symbol="X", interval="5m")


def test_candles_keep_the_exact_strings():
    candles = candles_decode(_read("fapi_v1_klines_BTCUSDT_5m_limit500_2025-11.json"), symbol="BTCUSDT", interval="5m")
    first = candles[0]
    assert (first.open_time, first.close_time, first.open, first.close, first.trades) == (
        1762346100000, 1762346399999, "102325.60", "102419.20", 14479)


def test_recorded_kline_frames():
    frames = [orjson.loads(line) for line in _read("ws_kline_frames.jsonl").splitlines()]
    updates = [kline_frame_decode(f) for f in frames]
    spot = updates[0]
    assert spot.candle.symbol == "BTCUSDT" and spot.candle.interval == "1m" and spot.closed is False
    assert spot.candle.open_time == 1653818760000 and spot.candle.close == "29038.47000000"
    assert spot.event_time == 1653818762502
    assert {u.candle.interval for u in updates} == {"1m", "1M"}
    # The raw (non-combined) form decodes the same; non-kline frames are ignored.
    assert kline_frame_decode(frames[0]["data"]) == spot
    assert kline_frame_decode({"result": None, "id": 1}) is None
    with pytest.raises(DecodeError):
        kline_frame_decode({"stream": "x", "data": {"e": "kline", "E": 1, "k": {"t": 1}}})


def test_usdm_exchange_info():
    info = exchange_info_decode(_read("fapi_v1_exchangeInfo_MAINNET_2024-10-20_subset.json"))
    limit = info.request_weight_limit()
    assert (limit.limit, limit.window_ms) == (2400, 60_000)
    btc = next(s for s in info.symbols if s.symbol == "BTCUSDT")
    assert (btc.status, btc.base_asset, btc.quote_asset, btc.contract_type) == ("TRADING", "BTC", "USDT", "PERPETUAL")
    assert (btc.tick_size, btc.step_size, btc.min_notional) == (Decimal("0.10"), Decimal("0.001"), Decimal("100"))
    assert {s.contract_type for s in info.symbols} >= {"PERPETUAL", "CURRENT_QUARTER", "NEXT_QUARTER", ""}


def test_spot_exchange_info():
    info = exchange_info_decode(_read("spot_api_v3_exchangeInfo_TESTNET-likely_2024-09-08_subset.json"))
    assert info.request_weight_limit().limit == 6000
    eth_btc = next(s for s in info.symbols if s.symbol == "ETHBTC")
    assert eth_btc.contract_type is None
    assert (eth_btc.tick_size, eth_btc.min_notional) == (Decimal("0.00001000"), Decimal("0.00010000"))


def test_spot_tickers():
    tickers = tickers_24hr_decode(_read("spot_api_v3_ticker_24hr_USDT_MAINNET_2024-01-05.json"))
    assert len(tickers) == 477
    btc = next(t for t in tickers if t.symbol == "BTCUSDT")
    assert btc.quote_volume > 1e9 and btc.count > 0 and btc.close_time > btc.open_time
    first = orjson.loads(_read("spot_api_v3_ticker_24hr_USDT_MAINNET_2024-01-05.json"))[0]
    single = tickers_24hr_decode(orjson.dumps(first))
    assert len(single) == 1
    with pytest.raises(DecodeError):
        tickers_24hr_decode(b'[{"symbol":"X"}]')


def test_error_bodies():
    assert error_body_decode(b'{"code":-1121,"msg":"Invalid symbol."}') == (-1121, "Invalid symbol.")
    assert error_body_decode(b"<html>502 Bad Gateway</html>") == (None, "<html>502 Bad Gateway</html>")
