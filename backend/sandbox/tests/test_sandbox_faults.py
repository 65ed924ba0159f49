"""Every fault kind, switched on over HTTP (/sandbox/faults) and from Python (app["faults"])."""
from __future__ import annotations

import asyncio
import time

import aiohttp
import orjson
import pytest

KLINES = "/fapi/v1/klines?symbol=BTCUSDT&interval=5m&limit=5"


@pytest.fixture
async def client(sandbox_server):
    base_url, app = sandbox_server
    async with aiohttp.ClientSession(base_url=base_url) as session:
        yield session, app


async def add_fault(session, **spec):
    async with session.post("/sandbox/faults", json=spec) as resp:
        assert resp.status == 201, await resp.text()
        return (await resp.json())[0]


async def timed_get(session, path, **kw):
    started = time.perf_counter()
    async with session.get(path, **kw) as resp:
        body = await resp.read()
        return resp.status, body, resp.headers, time.perf_counter() - started


async def test_fixed_and_jittered_latency(client):
    session, _ = client
    await add_fault(session, kind="latency", ms=200, path_prefix="/fapi/")
    status, _, _, took = await timed_get(session, KLINES)
    assert status == 200 and took >= 0.2
    _, _, _, took = await timed_get(session, "/api/v3/ping")  # other prefix: untouched
    assert took < 0.15
    async with session.delete("/sandbox/faults"):
        pass
    await add_fault(session, kind="latency", ms=100, jitter_ms=100)
    delays = [(await timed_get(session, "/fapi/v1/ping"))[3] for _ in range(6)]
    assert all(d < 0.3 for d in delays) and max(delays) - min(delays) > 0.02


async def test_server_errors_with_binance_bodies(client):
    session, _ = client
    await add_fault(session, kind="error", status=503, count=2)
    for _ in range(2):
        status, body, headers, _ = await timed_get(session, KLINES)
        assert status == 503 and orjson.loads(body)["code"] == -1008
        assert "X-MBX-USED-WEIGHT-1M" in headers
    status, _, _, _ = await timed_get(session, KLINES)
    assert status == 200
    async with session.get("/sandbox/faults") as resp:
        assert await resp.json() == []  # used up
    await add_fault(session, kind="error", status=504, rate=0.5)
    statuses = [(await timed_get(session, "/fapi/v1/time"))[0] for _ in range(40)]
    assert 8 <= statuses.count(504) <= 32 and set(statuses) == {200, 504}


async def test_hang_never_answers(client):
    session, _ = client
    await add_fault(session, kind="hang", path_prefix="/fapi/v1/klines")
    with pytest.raises(asyncio.TimeoutError):
        await timed_get(session, KLINES, timeout=aiohttp.ClientTimeout(total=0.5))
    status, _, _, _ = await timed_get(session, "/fapi/v1/ping")
    assert status == 200


async def test_429_storm_for_the_next_requests(client):
    session, _ = client
    await add_fault(session, kind="rate_limit", count=3, retry_after=7)
    results = [await timed_get(session, "/fapi/v1/ping") for _ in range(4)]
    assert [r[0] for r in results] == [429, 429, 429, 200]
    assert results[0][2]["Retry-After"] == "7" and orjson.loads(results[0][1])["code"] == -1003


async def test_forced_ban(client):
    session, _ = client
    await add_fault(session, kind="ban", seconds=0.6, path_prefix="/api/")
    status, body, headers, _ = await timed_get(session, "/api/v3/ping")
    assert status == 418 and headers["Retry-After"] == "1"
    assert "Way too much request weight used; IP banned until" in orjson.loads(body)["msg"]
    assert (await timed_get(session, "/fapi/v1/ping"))[0] == 200
    await asyncio.sleep(0.7)
    assert (await timed_get(session, "/api/v3/ping"))[0] == 200


async def test_python_api_and_validation(client):
    session, app = client
    fault = app["faults"].add(kind="error", status=500)
    assert (await timed_get(session, "/fapi/v1/ping"))[0] == 500
    assert app["faults"].remove(fault.id)
    assert (await timed_get(session, "/fapi/v1/ping"))[0] == 200
    for bad in ({"kind": "explode"}, {"kind": "error", "status": 404}, {"kind": "latency", "rate": 2},
                {"kind": "ban"}, {"kind": "latency", "bogus": 1}, ["not", "objects"]):
        async with session.post("/sandbox/faults", json=bad) as resp:
            assert resp.status == 400 and "error" in await resp.json()
    async with session.post("/sandbox/faults", data=b"{nope") as resp:
        assert resp.status == 400
    async with session.delete("/sandbox/faults/999") as resp:
        assert resp.status == 404


async def ws_next(ws, timeout=2.0):
    msg = await ws.receive(timeout=timeout)
    return msg


async def test_ws_drop_tears_connections_down(client):
    session, app = client
    async with session.ws_connect("/ws/btcusdt@kline_5m") as ws:
        assert (await ws_next(ws)).type == aiohttp.WSMsgType.TEXT
        async with session.post("/sandbox/ws/drop", json={}) as resp:
            assert (await resp.json())["dropped"] == 1
        msg = await ws_next(ws)
        while msg.type == aiohttp.WSMsgType.TEXT:
            msg = await ws_next(ws)
        assert msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE)
        assert ws.close_code != 1000
    await asyncio.sleep(0.05)
    assert not app["hub"].connections


async def test_ws_stall_keeps_the_socket_silent(client):
    session, _ = client
    async with session.ws_connect("/ws/btcusdt@kline_5m") as ws:
        await ws_next(ws)
        await add_fault(session, kind="ws_stall", seconds=0.8)
        await asyncio.sleep(0.1)
        while True:  # drain frames already queued before the stall
            try:
                await ws.receive(timeout=0.05)
            except asyncio.TimeoutError:
                break
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive(timeout=0.5)
        assert not ws.closed
        msg = await ws_next(ws, timeout=2.0)
        assert msg.type == aiohttp.WSMsgType.TEXT and orjson.loads(msg.data)["e"] == "kline"


async def test_ws_malformed_frames(client):
    session, app = client
    async with session.ws_connect("/ws/btcusdt@kline_5m") as ws:
        await ws_next(ws)
        app["faults"].add(kind="ws_malformed", count=2)
        bad = 0
        for _ in range(4):
            msg = await ws_next(ws)
            try:
                orjson.loads(msg.data)
            except orjson.JSONDecodeError:
                bad += 1
        assert bad == 2
