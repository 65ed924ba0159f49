"""Faults on the order endpoint: "after" faults execute the request and lose its answer; order-rate
429s. Proved on the account's own books (query by origClientOrderId), not on the answers."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

BTC = "BTCUSDT"
UNKNOWN_503 = {"code": -1000, "msg": "Unknown error, please check your request or try again later."}


def _order(client_id: str) -> dict:
    return {"symbol": BTC, "side": "BUY", "type": "MARKET", "quantity": "0.010", "newClientOrderId": client_id}


async def _lookup(client, client_id: str) -> tuple[int, dict]:
    status, _, body = await client.call("GET", "/fapi/v1/order", symbol=BTC, origClientOrderId=client_id)
    return status, body


async def _position(client) -> str:
    rows = await client.ok("GET", "/fapi/v2/positionRisk", symbol=BTC)
    return rows[0]["positionAmt"]


async def test_error_after_execution_placed_the_order(client):
    client.app["faults"].add(kind="error", status=503, when="after", path_prefix="/fapi/v1/order", count=1)
    status, headers, body = await client.call("POST", "/fapi/v1/order", **_order("after-503"))
    assert (status, body) == (503, UNKNOWN_503) and "X-MBX-USED-WEIGHT-1M" in headers
    status, order = await _lookup(client, "after-503")
    assert status == 200 and (order["status"], order["executedQty"]) == ("FILLED", "0.010")
    assert await _position(client) == "0.010"


async def test_error_before_execution_placed_nothing(client):
    client.app["faults"].add(kind="error", status=503, path_prefix="/fapi/v1/order", count=1)
    status, _, body = await client.call("POST", "/fapi/v1/order", **_order("before-503"))
    assert status == 503 and body["code"] == -1008  # overloaded: a certain failure
    status, body = await _lookup(client, "before-503")
    assert (status, body["code"]) == (400, -2013)
    assert await _position(client) == "0.000"


@pytest.mark.parametrize(("status", "code"), [(500, -1001), (502, -1001), (504, -1007)])
async def test_other_5xx_after_execution(client, status, code):
    client.app["faults"].add(kind="error", status=status, when="after", path_prefix="/fapi/v1/order", count=1)
    answer_status, _, body = await client.call("POST", "/fapi/v1/order", **_order(f"after-{status}"))
    assert (answer_status, body["code"]) == (status, code)
    assert (await _lookup(client, f"after-{status}"))[1]["status"] == "FILLED"


async def test_hang_after_execution_answer_never_comes(client):
    client.app["faults"].add(kind="hang", when="after", path_prefix="/fapi/v1/order", count=1)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(client.call("POST", "/fapi/v1/order", **_order("after-hang")), 0.5)
    status, order = await _lookup(client, "after-hang")
    assert status == 200 and order["status"] == "FILLED"


async def test_hang_before_execution_placed_nothing(client):
    client.app["faults"].add(kind="hang", path_prefix="/fapi/v1/order", count=1)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(client.call("POST", "/fapi/v1/order", **_order("before-hang")), 0.5)
    assert (await _lookup(client, "before-hang"))[1]["code"] == -2013


async def test_latency_after_execution_the_order_exists_before_the_answer(client):
    client.app["faults"].add(kind="latency", ms=1500, when="after", path_prefix="/fapi/v1/order", count=1)
    sending = asyncio.create_task(client.call("POST", "/fapi/v1/order", **_order("after-late")))
    for _ in range(100):  # watch the engine's books (an HTTP lookup would meet the fault first)
        book = client.engine.orders.get(client.key.api_key, {})
        placed = [o for o in book.values() if o.client_order_id == "after-late"]
        if placed:
            break
        await asyncio.sleep(0.01)
    assert placed and placed[0].status == "FILLED"
    assert not sending.done()  # executed, answer still held
    status, _, answer = await sending
    assert status == 200 and answer["clientOrderId"] == "after-late"


async def test_latency_before_execution_lands_even_when_the_client_gave_up(client):
    """A request held on its way (before latency) still reaches the exchange after its client
    timed out, as a request that left cannot be called back (a hang, by contrast, never lands)."""
    client.app["faults"].add(kind="latency", ms=800, path_prefix="/fapi/v1/order", count=1)
    with pytest.raises(asyncio.TimeoutError):  # signed form body: read before the delay
        await asyncio.wait_for(client.call("POST", "/fapi/v1/order", body=True, **_order("late-before")), 0.2)
    assert (await _lookup(client, "late-before"))[1]["code"] == -2013  # not yet: still on its way
    for _ in range(100):
        status, order = await _lookup(client, "late-before")
        if status == 200:
            break
        await asyncio.sleep(0.05)
    assert status == 200 and order["status"] == "FILLED"
    client.app["faults"].add(kind="latency", ms=50, path_prefix="/fapi/v1/order", count=1)
    status, _, answer = await client.call("POST", "/fapi/v1/order", body=True, **_order("late-answered"))
    assert status == 200 and answer["clientOrderId"] == "late-answered"


async def test_when_is_validated(client):
    faults = client.app["faults"]
    for bad in ({"kind": "error", "when": "later"}, {"kind": "rate_limit", "when": "after"},
                {"kind": "ws_stall", "seconds": 1, "when": "after"}, {"kind": "latency", "when": None}):
        with pytest.raises(ValueError):
            faults.add(bad)
    async with client.session.post(f"{client.base_url}/sandbox/faults", json={"kind": "ban", "seconds": 1,
                                                                              "when": "after"}) as resp:
        assert resp.status == 400 and "when" in (await resp.json())["error"]
    async with client.session.post(f"{client.base_url}/sandbox/faults",
                                   json={"kind": "hang", "when": "after", "path_prefix": "/nothing"}) as resp:
        assert resp.status == 201 and (await resp.json())[0]["when"] == "after"


async def test_rate_limit_on_the_order_endpoint(client):
    faults = client.app["faults"]
    faults.add(kind="rate_limit", path_prefix="/fapi/v1/order", retry_after=2, count=1)  # the IP limit
    status, headers, body = await client.call("POST", "/fapi/v1/order", **_order("rl-ip"))
    assert (status, headers["Retry-After"], body["code"]) == (429, "2", -1003)
    assert (await _lookup(client, "rl-ip"))[1]["code"] == -2013  # refused before execution
    faults.add(kind="rate_limit", scope="orders", path_prefix="/fapi/v1/order", retry_after=3, count=1)
    status, headers, body = await client.call("POST", "/fapi/v1/order", **_order("rl-orders"))
    assert (status, headers["Retry-After"], body["code"]) == (429, "3", -1015)
    assert body["msg"] == "Too many new orders; current limit is 300 orders per 10 SECOND."
    assert (await _lookup(client, "rl-orders"))[1]["code"] == -2013
    faults.add(kind="rate_limit", scope="orders", path_prefix="/fapi/v1/batchOrders", count=1)
    status, _, body = await client.call("POST", "/fapi/v1/batchOrders", batchOrders='[{"symbol":"BTCUSDT"}]')
    assert (status, body["code"]) == (429, -1015)
    assert (await client.call("POST", "/fapi/v1/order", **_order("rl-after")))[0] == 200
    for bad in ({"kind": "rate_limit", "scope": "account"}, {"kind": "error", "scope": "orders"}):
        with pytest.raises(ValueError):
            faults.add(bad)


async def test_hung_requests_do_not_block_others(client):
    client.app["faults"].add(kind="hang", when="after", path_prefix="/fapi/v1/order", count=1)
    hung = asyncio.create_task(client.call("POST", "/fapi/v1/order", **_order("hung")))
    await asyncio.sleep(0.1)
    assert await client.ok("GET", "/fapi/v2/balance")
    hung.cancel()
    with pytest.raises((asyncio.CancelledError, aiohttp.ClientError)):
        await hung
