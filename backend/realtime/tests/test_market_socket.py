"""/ws/market/: the forming candle relayed from the sandbox exchange's kline stream."""
import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from realtime import market_consumer

# Channels closes stale database connections around every consumer call, so these tests touch
# the database layer even though the consumers store nothing.
pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = [(b"host", b"localhost"), (b"origin", b"http://localhost")]


@pytest.fixture
def fresh_relay(sandbox_process):
    from market.services import universe_refresh

    universe_refresh(size=5)  # the sandbox's five most traded pairs, BTCUSDT and ETHUSDT among them
    market_consumer._relay = None
    yield
    market_consumer._relay = None


async def _connect(query: str, *, ip: str = "10.0.0.1") -> WebsocketCommunicator:
    client = WebsocketCommunicator(application, f"/ws/market/?{query}", headers=HEADERS)
    client.scope["client"] = (ip, 40000)
    assert (await client.connect())[0]
    return client


async def _next_kline(client, sandbox_process, timeout=10.0):
    loop_until = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < loop_until:
        await sync_to_async(sandbox_process.control)("POST", "clock/step", {"seconds": 30})
        try:
            return await client.receive_json_from(timeout=0.5)
        except asyncio.TimeoutError:
            continue
    raise AssertionError("no kline frame arrived")


async def test_two_charts_share_one_upstream_and_see_the_candle_move(fresh_relay, sandbox_process):
    first = await _connect("symbol=BTCUSDT&interval=5m")
    second = await _connect("symbol=btcusdt&interval=5m")
    try:
        frame = await _next_kline(first, sandbox_process)
        assert frame["type"] == "kline"
        candle = frame["data"]
        assert set(candle) == {"t", "o", "h", "l", "c", "v", "closed"}
        assert candle["l"] <= min(candle["o"], candle["c"]) <= max(candle["o"], candle["c"]) <= candle["h"]
        assert (await second.receive_json_from(timeout=5))["type"] == "kline"
        assert market_consumer.kline_relay().upstreams() == [("BTCUSDT", "5m")]
    finally:
        await first.disconnect()
        await second.disconnect()
    await asyncio.sleep(0.05)
    assert market_consumer.kline_relay().upstreams() == []


@pytest.mark.parametrize("query", ["symbol=BTC-USDT&interval=5m", "symbol=BTCUSDT&interval=7m", "interval=5m"])
async def test_bad_query_gets_an_error_and_a_close(fresh_relay, query):
    client = await _connect(query)
    frame = await client.receive_json_from()
    assert frame["type"] == "error" and "BTCUSDT" in frame["message"]
    assert (await client.receive_output())["code"] == 4400


async def test_symbol_outside_the_universe_is_refused_with_the_reason(fresh_relay):
    client = await _connect("symbol=NOPEUSDT&interval=5m")
    frame = await client.receive_json_from()
    assert frame["type"] == "error" and "NOPEUSDT is not in the scanned universe" in frame["message"]
    assert (await client.receive_output())["code"] == 4400
    assert market_consumer.kline_relay().upstreams() == [], "no upstream was opened for it"


async def _assert_open(client) -> None:
    # Kline frames may arrive (the forming candle); neither an error frame nor a close may.
    # (receive_nothing, not a receive with a timeout: that would cancel the consumer.)
    if await client.receive_nothing(timeout=0.3):
        return
    output = await client.receive_output()
    assert output["type"] == "websocket.send" and '"kline"' in output["text"], output


async def test_sockets_per_client_ip_are_capped(fresh_relay, settings):
    import dataclasses

    settings.MARKET_API_RATES = dataclasses.replace(settings.MARKET_API_RATES, market_sockets_per_ip=2)
    first = await _connect("symbol=BTCUSDT&interval=5m", ip="10.9.9.9")
    second = await _connect("symbol=ETHUSDT&interval=5m", ip="10.9.9.9")
    third = await _connect("symbol=BTCUSDT&interval=15m", ip="10.9.9.9")
    frame = await third.receive_json_from()
    assert frame["type"] == "error" and "at most 2" in frame["message"]
    assert (await third.receive_output())["code"] == 4429
    other = await _connect("symbol=BTCUSDT&interval=15m", ip="10.8.8.8")
    await _assert_open(other)
    await first.disconnect()
    again = await _connect("symbol=BTCUSDT&interval=15m", ip="10.9.9.9")
    await _assert_open(again)  # a closed socket frees its place
    for client in (second, other, again):
        await client.disconnect()
    assert market_consumer._open_by_ip == {}
