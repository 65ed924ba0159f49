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
    market_consumer._relay = None
    yield
    market_consumer._relay = None


async def _connect(query: str) -> WebsocketCommunicator:
    client = WebsocketCommunicator(application, f"/ws/market/?{query}", headers=HEADERS)
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
