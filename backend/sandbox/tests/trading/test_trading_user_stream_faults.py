"""ws_drop, ws_stall and ws_malformed reach user data stream sockets (/ws/<listenKey>, path_prefix "/ws/")."""

from __future__ import annotations

import asyncio

import aiohttp
import orjson

BTC = "BTCUSDT"


async def _user_socket(client):
    _, body = await client.stream_key("POST")
    url = client.base_url.replace("http", "ws", 1) + f"/ws/{body['listenKey']}"
    return body["listenKey"], await client.session.ws_connect(url)


async def _market_order(client, client_id: str) -> None:
    await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="MARKET", quantity="0.010",
                    newClientOrderId=client_id)


async def _closed(ws) -> bool:
    while True:
        msg = await ws.receive(timeout=5)
        if msg.type != aiohttp.WSMsgType.TEXT:
            return msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.ERROR)


async def test_ws_drop_on_the_ws_prefix_tears_user_sockets_down(client):
    _key, user_ws = await _user_socket(client)
    market_ws = await client.session.ws_connect(client.base_url.replace("http", "ws", 1) + "/ws/btcusdt@kline_5m")
    fault = client.app["faults"].add(kind="ws_drop", path_prefix="/ws/")
    assert fault.hits == 2  # the user stream and the market stream
    assert await _closed(user_ws) and await _closed(market_ws)
    assert user_ws.close_code != 1000
    await asyncio.sleep(0.05)
    _, again = await _user_socket(client)  # the key still works: the client reconnects
    await _market_order(client, "after-drop")
    assert orjson.loads((await again.receive(timeout=5)).data)["o"]["c"] == "after-drop"
    await again.close()


async def test_ws_drop_of_one_listen_key_only(client):
    key, user_ws = await _user_socket(client)
    market_ws = await client.session.ws_connect(client.base_url.replace("http", "ws", 1) + "/ws/btcusdt@kline_5m")
    assert client.app["faults"].add(kind="ws_drop", path_prefix=f"/ws/{key}").hits == 1
    assert await _closed(user_ws)
    assert (await market_ws.receive(timeout=5)).type == aiohttp.WSMsgType.TEXT
    await market_ws.close()


async def test_ws_stall_loses_user_events_and_keeps_the_socket(client):
    _key, ws = await _user_socket(client)
    stall = client.app["faults"].add(kind="ws_stall", path_prefix="/ws/", seconds=60)
    await _market_order(client, "stalled")
    await asyncio.sleep(0.2)  # the sender loop has seen (and dropped) the events
    client.app["faults"].remove(stall.id)
    await _market_order(client, "after-stall")
    first = orjson.loads((await ws.receive(timeout=5)).data)
    assert first["e"] == "ORDER_TRADE_UPDATE" and first["o"]["c"] == "after-stall"  # "stalled" never came
    assert not ws.closed
    await ws.close()


async def test_ws_malformed_cuts_user_events(client):
    _key, ws = await _user_socket(client)
    client.app["faults"].add(kind="ws_malformed", path_prefix="/ws/", count=1)
    await _market_order(client, "cut")
    frames = [(await ws.receive(timeout=5)).data for _ in range(4)]  # NEW, TRADE_LITE, TRADE, ACCOUNT_UPDATE
    bad = 0
    for frame in frames:
        try:
            orjson.loads(frame)
        except orjson.JSONDecodeError:
            bad += 1
    assert bad == 1 and orjson.loads(frames[-1])["e"] == "ACCOUNT_UPDATE"
    await ws.close()
