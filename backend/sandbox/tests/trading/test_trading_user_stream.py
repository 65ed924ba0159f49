"""Listen keys and the user data stream over /ws/<listenKey>, on a real loopback port."""

from __future__ import annotations

import asyncio
from decimal import Decimal as D

import doc_examples as ex
import orjson
from doc_examples import same_shape

from sandbox.trading.user_stream import LISTEN_KEY_TTL_MS

BTC = "BTCUSDT"


async def _next(ws, timeout: float = 5.0) -> dict:
    msg = await asyncio.wait_for(ws.receive(), timeout)
    return orjson.loads(msg.data)


async def _connect(client, listen_key: str):
    url = client.base_url.replace("http", "ws", 1) + f"/ws/{listen_key}"
    return await client.session.ws_connect(url)


async def test_listen_key_lifecycle(client):
    status, first = await client.stream_key("POST")
    assert status == 200 and same_shape(first, ex.LISTEN_KEY) == [] and len(first["listenKey"]) == 64
    key = first["listenKey"]
    streams = client.app["user_streams"]
    expires = streams.expiry_ms(key)
    client.step(10 * 60_000)
    assert (await client.stream_key("POST"))[1] == first            # same key, validity extended
    assert streams.expiry_ms(key) == expires + 10 * 60_000
    client.step(10 * 60_000)
    assert (await client.stream_key("PUT"))[1] == first
    assert streams.expiry_ms(key) == client.market.now_ms() + LISTEN_KEY_TTL_MS
    assert (await client.stream_key("DELETE")) == (200, {})
    status, payload = await client.stream_key("PUT")
    assert status == 400 and payload["code"] == -1125
    _, fresh = await client.stream_key("POST")
    assert fresh["listenKey"] != key
    assert (await client.stream_key("POST", api_key=""))[1]["code"] == -2014


async def test_order_and_account_events_in_binance_shapes(client):
    _, body = await client.stream_key("POST")
    ws = await _connect(client, body["listenKey"])
    await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="MARKET", quantity="0.01",
                    newClientOrderId="evt-1")
    new, lite, trade, account = [await _next(ws) for _ in range(4)]
    assert (new["e"], lite["e"], trade["e"], account["e"]) == \
        ("ORDER_TRADE_UPDATE", "TRADE_LITE", "ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE")
    assert same_shape(new, ex.ORDER_TRADE_UPDATE, ignore=ex.TRAILING_ONLY | ex.COMMISSION_ONLY) == []
    assert same_shape(trade, ex.ORDER_TRADE_UPDATE, ignore=ex.TRAILING_ONLY) == []
    assert same_shape(lite, ex.TRADE_LITE) == [] and same_shape(account, ex.ACCOUNT_UPDATE) == []
    assert (new["o"]["x"], new["o"]["X"], new["o"]["c"]) == ("NEW", "NEW", "evt-1")
    assert (trade["o"]["x"], trade["o"]["X"], trade["o"]["z"]) == ("TRADE", "FILLED", "0.010")
    balance = (await client.ok("GET", "/fapi/v2/balance"))[0]
    assert account["a"]["B"][0]["wb"] == balance["balance"]
    assert account["a"]["P"][0]["pa"] == "0.01" and account["a"]["P"][0]["ps"] == "BOTH"

    answer = await client.ok("POST", "/fapi/v1/leverage", symbol=BTC, leverage=7)
    config = await _next(ws)
    assert same_shape(config, ex.ACCOUNT_CONFIG_UPDATE) == [] and config["ac"] == {"s": BTC, "l": answer["leverage"]}

    high = str((client.price() * D("1.5")).quantize(D("0.1")))
    placed = await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="SELL", type="LIMIT", timeInForce="GTC",
                             quantity="0.01", price=high)
    assert (await _next(ws))["o"]["X"] == "NEW"
    await client.ok("DELETE", "/fapi/v1/order", symbol=BTC, orderId=placed["orderId"])
    canceled = await _next(ws)
    assert (canceled["o"]["x"], canceled["o"]["X"], canceled["o"]["i"]) == ("CANCELED", "CANCELED", placed["orderId"])
    await ws.close()


async def test_events_reach_only_the_owner(client):
    from trading_client import Signed

    other = Signed(client.session, client.base_url, client.app, label="other")
    _, mine = await client.stream_key("POST")
    ws = await _connect(client, mine["listenKey"])
    await other.ok("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="MARKET", quantity="0.01")
    await client.ok("POST", "/fapi/v1/leverage", symbol=BTC, leverage=3)
    assert (await _next(ws))["e"] == "ACCOUNT_CONFIG_UPDATE"  # the other account's fill never shows up
    await ws.close()


async def test_expiry_pushes_listen_key_expired_then_silence(client):
    _, body = await client.stream_key("POST")
    key = body["listenKey"]
    ws = await _connect(client, key)
    expires = client.app["user_streams"].expiry_ms(key)
    client.step(LISTEN_KEY_TTL_MS + 1000)
    expired = await _next(ws)
    assert same_shape(expired, ex.LISTEN_KEY_EXPIRED) == [] and expired["listenKey"] == key
    assert int(expired["E"]) >= expires
    await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="MARKET", quantity="0.01")
    try:
        msg = await asyncio.wait_for(ws.receive(), 0.5)
        raise AssertionError(f"no event expected after listenKeyExpired, got {msg}")
    except asyncio.TimeoutError:
        pass
    assert (await client.stream_key("PUT"))[1]["code"] == -1125
    await ws.close()


async def test_delete_closes_the_stream(client):
    _, body = await client.stream_key("POST")
    ws = await _connect(client, body["listenKey"])
    await client.stream_key("DELETE")
    msg = await asyncio.wait_for(ws.receive(), 5)
    assert msg.type.name in ("CLOSE", "CLOSED", "CLOSING")
    stale = await _connect(client, body["listenKey"])  # a dead key is refused at once
    msg = await asyncio.wait_for(stale.receive(), 5)
    assert msg.type.name in ("CLOSE", "CLOSED", "CLOSING")


async def test_connection_is_cut_after_its_lifetime(sandbox_factory):
    import aiohttp
    from trading_client import Signed

    base_url, app = await sandbox_factory(ws_cut_seconds=0.3)
    async with aiohttp.ClientSession() as session:
        client = Signed(session, base_url, app)
        _, body = await client.stream_key("POST")
        ws = await _connect(client, body["listenKey"])
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.type.name in ("CLOSE", "CLOSED", "CLOSING")
