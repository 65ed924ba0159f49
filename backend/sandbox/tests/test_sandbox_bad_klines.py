"""The ws_bad_kline fault: kline stream frames made wrong in one known way (bad market data)."""
from __future__ import annotations

from decimal import Decimal

import aiohttp
import orjson
import pytest

from sandbox.control import step
from sandbox.dataset import CANDLE_MS
from sandbox.kline_faults import corrupt

HOUR = 3_600_000
FRAME = orjson.dumps({"e": "kline", "E": 1766000123456, "s": "BTCUSDT", "k": {
    "t": 1766000100000, "T": 1766000399999, "s": "BTCUSDT", "i": "5m", "f": 1, "L": 9,
    "o": "87000.10", "c": "87010.00", "h": "87020.50", "l": "86990.00", "v": "1.000", "n": 9, "x": True,
    "q": "87000.00000", "V": "0.500", "Q": "43500.00000", "B": "0"}})


def test_variants_on_a_frame():
    k = orjson.loads(corrupt(FRAME, "null_open", 0))["k"]
    assert k["o"] is None and k["c"] == "87010.00"
    k = orjson.loads(corrupt(FRAME, "high_below_low", 0))["k"]
    assert (k["h"], k["l"]) == ("86989.99", "86990.00")  # one tick of the last decimal below the low
    now = 1766000123456
    k = orjson.loads(corrupt(FRAME, "future_open_time", now))["k"]
    assert (k["t"], k["T"]) == (1766000400000, 1766000699999) and k["t"] > now  # the next 5m slot
    k = orjson.loads(corrupt(FRAME, "misaligned_open_time", now))["k"]
    assert k["t"] % (5 * 60_000) != 0 and k["T"] - k["t"] == 5 * 60_000 - 1
    event = orjson.loads(corrupt(FRAME, "misaligned_open_time", now))
    assert list(event) == ["e", "E", "s", "k"] and list(event["k"]) == list(orjson.loads(FRAME)["k"])
    with pytest.raises(ValueError):
        corrupt(FRAME, "nope", now)


def test_validation():
    from sandbox.faults import FaultInjector

    faults = FaultInjector()
    for bad in ({"kind": "ws_bad_kline"}, {"kind": "ws_bad_kline", "variant": "zero_volume"},
                {"kind": "ws_stall", "seconds": 1, "variant": "null_open"}):
        with pytest.raises(ValueError):
            faults.add(bad)
    assert faults.add(kind="ws_bad_kline", variant="high_below_low", count=2).public(0)["variant"] == "high_below_low"


async def _kline(ws, *, closed: bool | None = None) -> dict:
    while True:
        msg = await ws.receive(timeout=5)
        assert msg.type == aiohttp.WSMsgType.TEXT
        data = orjson.loads(msg.data)
        k = (data.get("data") or data)["k"]
        if closed is None or k["x"] is closed:
            return data


@pytest.fixture
async def session(sandbox_server):
    base_url, app = sandbox_server
    async with aiohttp.ClientSession(base_url=base_url) as s:
        yield s, app


async def test_null_open_hits_closed_klines_only(session):
    s, app = session
    async with s.ws_connect("/ws/btcusdt@kline_5m") as ws:
        await _kline(ws)
        fault = app["faults"].add(kind="ws_bad_kline", variant="null_open", path_prefix="/ws/", count=1)
        for _ in range(3):  # forming candles pass untouched and do not use the count up
            assert (await _kline(ws, closed=False))["k"]["o"] is not None
        assert fault.hits == 0
        step(app, CANDLE_MS)
        bad = await _kline(ws, closed=True)
        assert bad["k"]["o"] is None and bad["k"]["c"] is not None
        step(app, CANDLE_MS)
        good = await _kline(ws, closed=True)
        assert good["k"]["o"] is not None and good["k"]["t"] == bad["k"]["t"] + CANDLE_MS


async def test_high_below_low_and_times_on_combined_streams(session):
    s, app = session
    async with s.ws_connect("/stream?streams=btcusdt@kline_1h") as ws:
        await _kline(ws)
        app["faults"].add(kind="ws_bad_kline", variant="high_below_low", count=1)
        frame = await _kline(ws)
        assert list(frame) == ["stream", "data"] and frame["stream"] == "btcusdt@kline_1h"
        assert Decimal(frame["data"]["k"]["h"]) < Decimal(frame["data"]["k"]["l"])

        app["faults"].add(kind="ws_bad_kline", variant="future_open_time", count=1)
        k = (await _kline(ws))["data"]["k"]
        now = app["market"].now_ms()  # the clock is paused: the frame was made at this time
        assert k["t"] == (now // HOUR + 1) * HOUR and k["t"] > now and k["T"] == k["t"] + HOUR - 1

        app["faults"].add(kind="ws_bad_kline", variant="misaligned_open_time", count=1)
        k = (await _kline(ws))["data"]["k"]
        assert k["t"] % HOUR != 0
        k = (await _kline(ws))["data"]["k"]
        assert k["t"] % HOUR == 0 and Decimal(k["h"]) >= Decimal(k["l"])  # count used up: real data again


async def test_prefix_limits_the_damage(session):
    s, app = session
    async with s.ws_connect("/ws/btcusdt@kline_5m") as usdm, s.ws_connect("/spot/ws/btcusdt@kline_5m") as spot:
        await _kline(usdm)
        await _kline(spot)
        app["faults"].add(kind="ws_bad_kline", variant="high_below_low", path_prefix="/spot/")
        step(app, CANDLE_MS)
        for _ in range(2):
            k = (await _kline(usdm))["k"]
            assert Decimal(k["h"]) >= Decimal(k["l"])
            k = (await _kline(spot))["k"]
            assert Decimal(k["h"]) < Decimal(k["l"])
