"""/sandbox/* control endpoints: clock, status, and clear 400s for bad bodies."""
from __future__ import annotations

import aiohttp
import pytest

from sandbox.dataset import CANDLE_MS


@pytest.fixture
async def client(sandbox_server):
    base_url, app = sandbox_server
    async with aiohttp.ClientSession(base_url=base_url) as session:
        yield session, app


async def test_clock_read_set_and_step(client):
    session, app = client
    async with session.get("/sandbox/clock") as resp:
        clock = await resp.json()
    assert clock["now"] == app["market"].now_ms() and clock["speed"] == 0 and clock["loop"] == "ping-pong"
    async with session.post("/sandbox/clock/step", json={"candles": 2}) as resp:
        assert (await resp.json())["now"] == clock["now"] + 2 * CANDLE_MS
    async with session.post("/sandbox/clock/step", json={"seconds": 1.5}) as resp:
        assert (await resp.json())["now"] == clock["now"] + 2 * CANDLE_MS + 1500
    async with session.post("/sandbox/clock", json={"time": "2025-12-20T00:00:00Z", "speed": 60}) as resp:
        body = await resp.json()
        assert body["iso"].startswith("2025-12-20T00:00") and body["speed"] == 60
    async with session.get("/fapi/v1/time") as resp:
        assert (await resp.json())["serverTime"] >= body["now"]


@pytest.mark.parametrize("path,body", [
    ("/sandbox/clock", {"time": 0}),  # backwards
    ("/sandbox/clock", {"time": 1.5e12}),
    ("/sandbox/clock", {"time": "soon"}),
    ("/sandbox/clock", {"speed": -1}),
    ("/sandbox/clock", {"speed": None}),
    ("/sandbox/clock", [1, 2]),
    ("/sandbox/clock/step", {"ms": -5}),
    ("/sandbox/clock/step", {"ms": "5"}),
    ("/sandbox/clock/step", {"ms": 1, "candles": 1}),
    ("/sandbox/clock/step", {"weeks": 1}),
    ("/sandbox/ws/drop", {"path_prefix": 3}),
])
async def test_bad_control_bodies_are_400(client, path, body):
    session, _ = client
    async with session.post(path, json=body) as resp:
        assert resp.status == 400 and "error" in await resp.json()
    async with session.post(path, data=b"\xff{") as resp:
        assert resp.status == 400


async def test_status(client):
    session, _ = client
    async with session.get("/fapi/v1/ping"):
        pass
    async with session.get("/sandbox/status") as resp:
        status = await resp.json()
    assert status["symbols"] == 50 and status["weights"]["usdm"]["127.0.0.1"]["used"] == 1
