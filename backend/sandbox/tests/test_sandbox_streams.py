"""WebSocket market streams: payloads against captured frames, control messages, limits, ping/pong, cut."""
from __future__ import annotations

import asyncio
import json
import warnings
from pathlib import Path

import aiohttp
import orjson
import pytest
from aiohttp import web

from sandbox.app import create_app
from sandbox.control import step
from sandbox.dataset import CANDLE_MS

# Captured frames (see fixtures/README.md).
WS_FRAMES = Path(__file__).resolve().parent / "fixtures/binance/ws/crypto-msg-parser_binance_raw_messages.jsonl"


def shape(value):
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value[:1]]
    return type(value).__name__


def captured(module: str, test: str, stream_part: str) -> dict:
    for line in WS_FRAMES.read_text().splitlines():
        row = json.loads(line)
        if row["module"] == module and row["test"] == test and stream_part in row["raw"]:
            return json.loads(row["raw"])
    raise LookupError(stream_part)


async def next_json(ws, timeout=2.0, skip=lambda m: False):
    while True:
        msg = await ws.receive(timeout=timeout)
        assert msg.type == aiohttp.WSMsgType.TEXT, msg
        data = orjson.loads(msg.data)
        if not skip(data):
            return data


def is_event(data) -> bool:
    return isinstance(data, list) or "e" in data or "stream" in data


async def reply(ws, request: dict) -> dict:
    await ws.send_str(json.dumps(request))
    return await next_json(ws, skip=is_event)


@pytest.fixture
async def session(sandbox_server):
    base_url, app = sandbox_server
    async with aiohttp.ClientSession(base_url=base_url) as s:
        yield s, app


async def test_kline_open_then_closed_like_binance(session):
    s, app = session
    real = captured("candlestick", "linear_swap", "kline")["data"]
    market = app["market"]
    spec = market.spec("BTCUSDT")
    i = market.replay.index_at(spec, market.now_ms())
    o, h, lo, c, v = market.dataset.sources[spec.source].table(1, False)[:5, i].tolist()
    async with s.ws_connect("/ws/btcusdt@kline_5m") as ws:
        first = await next_json(ws)
        assert shape(first) == shape(real) and list(first["k"]) == list(real["k"])
        assert first["k"]["x"] is False and first["k"]["i"] == "5m"
        step(app, CANDLE_MS)
        closed = await next_json(ws, skip=lambda d: not d["k"]["x"])
        price = market.styles["usdm"].price
        k = closed["k"]
        assert (k["o"], k["h"], k["l"], k["c"]) == tuple(price(spec, x) for x in (o, h, lo, c))
        assert k["v"] == market.styles["usdm"].qty(spec, v) and k["T"] == k["t"] + CANDLE_MS - 1
        following = await next_json(ws)
        assert following["k"]["x"] is False and following["k"]["t"] == k["T"] + 1
        assert following["k"]["f"] == k["L"] + 1


async def test_combined_wrapper_and_mini_ticker(session):
    s, _ = session
    real = captured("candlestick", "linear_swap", "kline")
    async with s.ws_connect("/stream?streams=btcusdt@kline_1h/ethusdt@miniTicker") as ws:
        seen = {}
        while len(seen) < 2:
            frame = await next_json(ws)
            assert list(frame) == ["stream", "data"]
            seen[frame["stream"]] = frame
        assert shape(seen["btcusdt@kline_1h"]) == shape(real)
        mini = seen["ethusdt@miniTicker"]["data"]
        assert list(mini) == ["e", "E", "s", "c", "o", "h", "l", "v", "q"] and mini["e"] == "24hrMiniTicker"
        assert all(isinstance(mini[k], str) for k in "cohlvq")


async def test_all_market_mini_tickers_and_mark_price(session):
    s, _ = session
    async with s.ws_connect("/ws/!miniTicker@arr") as ws:
        frame = await next_json(ws)
        assert isinstance(frame, list) and len(frame) == 50 and frame[0]["e"] == "24hrMiniTicker"
    real = captured("funding_rate", "linear_swap", "btcusdt@markPrice")
    async with s.ws_connect("/stream?streams=btcusdt@markPrice@1s") as ws:
        frame = await next_json(ws)
        assert shape(frame["data"]) == shape(real["data"]) and list(frame["data"]) == list(real["data"])
        assert frame["data"]["s"] == "BTCUSDT"


async def test_subscribe_list_unsubscribe(session):
    s, app = session
    async with s.ws_connect("/ws") as ws:
        assert await reply(ws, {"method": "SUBSCRIBE", "params": ["btcusdt@kline_1h", "ethusdt@miniTicker"],
                                "id": 1}) == {"result": None, "id": 1}
        frame = await next_json(ws)
        assert frame["e"] in ("kline", "24hrMiniTicker")
        assert await reply(ws, {"method": "LIST_SUBSCRIPTIONS", "id": 3}) == {
            "result": ["btcusdt@kline_1h", "ethusdt@miniTicker"], "id": 3}
        assert await reply(ws, {"method": "UNSUBSCRIBE", "params": ["btcusdt@kline_1h"], "id": 312}) == {
            "result": None, "id": 312}
        assert await reply(ws, {"method": "LIST_SUBSCRIPTIONS", "id": 4}) == {
            "result": ["ethusdt@miniTicker"], "id": 4}
        # Well formed but not produced here (or unknown symbol): accepted, silent, as on Binance.
        assert await reply(ws, {"method": "SUBSCRIBE", "params": ["btcusdt@depth", "nopeusdt@kline_5m"],
                                "id": 5}) == {"result": None, "id": 5}
    assert not app["hub"].topics


async def test_error_frames(session):
    s, _ = session
    async with s.ws_connect("/ws") as ws:
        no_method = await reply(ws, {"x": 1})
        assert no_method["error"]["code"] == 2 and "missing field `method`" in no_method["error"]["msg"]
        await ws.send_str("{nope")
        frame = await next_json(ws)
        assert frame["error"]["code"] == 3 and frame["error"]["msg"].startswith("Invalid JSON: expected value")
        assert "id" not in frame
        assert await reply(ws, {"method": "SUBSCRIBE", "params": ["not a stream"], "id": 7}) == {
            "error": {"code": 2, "msg": "Invalid request: invalid stream"}, "id": 7}
        unknown = await reply(ws, {"method": "SUBSCRIB", "params": [], "id": 8})
        assert unknown["error"]["code"] == 2 and "unknown variant `SUBSCRIB`" in unknown["error"]["msg"]
        assert await reply(ws, {"method": "LIST_SUBSCRIPTIONS", "id": "abc"}) == {
            "error": {"code": 2, "msg": "Invalid request: request ID must be an unsigned integer"}}
        assert (await reply(ws, {"method": "GET_PROPERTY", "params": ["colour"], "id": 9}))["error"] == {
            "code": 0, "msg": "Unknown property"}
        assert (await reply(ws, {"method": "SET_PROPERTY", "params": ["combined", "yes"], "id": 10}))["error"] == {
            "code": 1, "msg": "Invalid value type: expected Boolean"}


async def test_set_property_switches_to_combined(session):
    s, _ = session
    async with s.ws_connect("/ws/btcusdt@kline_5m") as ws:
        assert "stream" not in await next_json(ws)
        assert await reply(ws, {"method": "GET_PROPERTY", "params": ["combined"], "id": 1}) == {"result": False, "id": 1}
        assert await reply(ws, {"method": "SET_PROPERTY", "params": ["combined", True], "id": 2}) == {
            "result": None, "id": 2}
        frame = await next_json(ws, skip=lambda d: "stream" not in d)
        assert frame["stream"] == "btcusdt@kline_5m"


async def test_spot_streams_use_spot_formats(session):
    s, _ = session
    async with s.ws_connect("/spot/ws") as ws:
        assert await reply(ws, {"method": "SUBSCRIBE", "params": ["btcusdt@kline_5m"], "id": "req1"}) == {
            "result": None, "id": "req1"}
        frame = await next_json(ws, timeout=3.0)
        assert frame["k"]["o"].endswith("0") and len(frame["k"]["o"].split(".")[1]) == 8


async def test_message_rate_limit_disconnects(session):
    s, _ = session
    async with s.ws_connect("/ws") as ws:
        for i in range(11):
            await ws.send_str(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": i}))
        while (msg := await ws.receive(timeout=2)).type == aiohttp.WSMsgType.TEXT:
            pass
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert ws.close_code == 1008


async def test_stream_count_limit(sandbox_factory):
    base_url, _ = await sandbox_factory(ws_max_streams=3)
    async with aiohttp.ClientSession(base_url=base_url) as s:
        async with s.ws_connect("/stream?streams=a@kline_5m/b@kline_5m/c@kline_5m/d@kline_5m") as ws:
            msg = await ws.receive(timeout=2)
            assert msg.type == aiohttp.WSMsgType.CLOSE and ws.close_code == 1008
        async with s.ws_connect("/ws/a@kline_5m/b@kline_5m") as ws:
            await ws.send_str(json.dumps({"method": "SUBSCRIBE", "params": ["c@kline_5m"], "id": 1}))
            assert (await next_json(ws)) == {"result": None, "id": 1}
            await ws.send_str(json.dumps({"method": "SUBSCRIBE", "params": ["d@kline_5m"], "id": 2}))
            msg = await ws.receive(timeout=2)
            assert msg.type == aiohttp.WSMsgType.CLOSE and ws.close_code == 1008


async def test_ping_without_pong_disconnects(sandbox_factory):
    base_url, _ = await sandbox_factory(ping_interval=0.1, pong_timeout=0.3)
    async with aiohttp.ClientSession(base_url=base_url) as s:
        async with s.ws_connect("/ws", autoping=False) as ws:
            msg = await ws.receive(timeout=2)
            assert msg.type == aiohttp.WSMsgType.PING
            while msg.type == aiohttp.WSMsgType.PING:
                msg = await ws.receive(timeout=2)
            assert msg.type == aiohttp.WSMsgType.CLOSE and ws.close_code == 1008
        async with s.ws_connect("/ws") as ws:  # aiohttp answers pings: stays up
            with pytest.raises(asyncio.TimeoutError):  # (receive's own timeout restarts at each ping)
                await asyncio.wait_for(ws.receive(), 0.8)
            assert not ws.closed


async def test_connections_are_cut_after_the_configured_lifetime(sandbox_factory):
    base_url, app = await sandbox_factory(ws_cut_seconds=0.4)
    async with aiohttp.ClientSession(base_url=base_url) as s:
        async with s.ws_connect("/ws") as ws:
            msg = await ws.receive(timeout=2)
            assert msg.type == aiohttp.WSMsgType.CLOSE and ws.close_code == 1000
    await asyncio.sleep(0.05)
    assert not app["hub"].connections


async def test_fan_out_computes_each_stream_once(session):
    s, app = session
    sockets = [await s.ws_connect("/ws/btcusdt@kline_5m") for _ in range(3)]
    try:
        frames = [await next_json(ws) for ws in sockets]
        assert len(app["hub"].topics) == 1
        (topic,) = app["hub"].topics.values()
        assert len(topic.subscribers) == 3
        assert frames[0] == frames[1] == frames[2]
    finally:
        for ws in sockets:
            await ws.close()


async def test_closed_candles_are_never_skipped_when_the_clock_jumps(session):
    s, app = session
    async with s.ws_connect("/ws/ethusdt@kline_5m") as ws:
        await next_json(ws)
        step(app, 7 * CANDLE_MS + 1000)
        closed = []
        while len(closed) < 7:
            frame = await next_json(ws)
            if frame["k"]["x"]:
                closed.append(frame["k"]["t"])
        assert closed == [closed[0] + j * CANDLE_MS for j in range(7)]


async def test_listen_keys_go_to_the_user_stream_handler(sandbox_config):
    class FakeUserStreams:
        def owns(self, name):
            return len(name) == 60

        async def handle(self, request, name):
            return web.json_response({"user": name})

    app = create_app(sandbox_config)
    with warnings.catch_warnings():  # the agreed interface uses a plain string key
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["user_streams"] = FakeUserStreams()
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        async with aiohttp.ClientSession() as s:
            async with s.get(f"http://{host}:{port}/ws/{'k' * 60}") as resp:
                assert await resp.json() == {"user": "k" * 60}
    finally:
        await runner.cleanup()
