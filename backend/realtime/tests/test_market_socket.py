"""/ws/market/: the forming candle, from the stream process through the channel layer.

The stream process (`stream_market_run`, here in the test's event loop) is the only reader of the
sandbox's kline streams; chart sockets join a channel layer group and open no exchange connection
of their own, however many there are.
"""
import asyncio
import contextlib

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from market.streaming import stream_market_run
from realtime import market_consumer

# Channels closes stale database connections around every consumer call, so these tests touch
# the database layer even though the consumers store nothing.
pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = [(b"host", b"localhost"), (b"origin", b"http://localhost")]


@pytest.fixture
def universe(sandbox_process):
    from market.services import universe_refresh

    universe_refresh(size=5)  # the sandbox's five most traded pairs, BTCUSDT and ETHUSDT among them


async def _connect(query: str, *, ip: str = "10.0.0.1") -> WebsocketCommunicator:
    client = WebsocketCommunicator(application, f"/ws/market/?{query}", headers=HEADERS)
    client.scope["client"] = (ip, 40000)
    assert (await client.connect())[0]
    return client


@contextlib.asynccontextmanager
async def _stream_process():
    stop = asyncio.Event()
    task = asyncio.create_task(stream_market_run(stop, universe_poll_s=3600, status_s=3600))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


async def _sandbox_connections(sandbox_process) -> int:
    return (await sync_to_async(sandbox_process.control)("GET", "status"))["connections"]


async def _next_kline(client, sandbox_process, timeout=20.0) -> dict:
    loop_until = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < loop_until:
        await sync_to_async(sandbox_process.control)("POST", "clock/step", {"seconds": 30})
        try:
            return await client.receive_json_from(timeout=0.5)
        except asyncio.TimeoutError:
            continue
    raise AssertionError("no kline frame arrived")


async def test_charts_get_the_stream_process_candles_without_an_exchange_connection_of_their_own(
        universe, sandbox_process):
    async with _stream_process():
        for _ in range(100):
            streaming = await _sandbox_connections(sandbox_process)
            if streaming:
                break
            await asyncio.sleep(0.1)
        assert streaming >= 1, "the stream process never connected"
        charts = [await _connect("symbol=BTCUSDT&interval=5m"), await _connect("symbol=btcusdt&interval=5m"),
                  await _connect("symbol=ETHUSDT&interval=15m", ip="10.0.0.2")]
        try:
            frames = [await _next_kline(chart, sandbox_process) for chart in charts]
            for frame in frames:
                assert frame["type"] == "kline"
                candle = frame["data"]
                assert set(candle) == {"t", "o", "h", "l", "c", "v", "closed"}
                assert candle["l"] <= min(candle["o"], candle["c"]) <= max(candle["o"], candle["c"]) <= candle["h"]
            assert frames[2]["data"]["t"] % (15 * 60_000) == 0  # the 15m chart got 15m candles
            assert await _sandbox_connections(sandbox_process) == streaming  # the charts opened none
        finally:
            for chart in charts:
                await chart.disconnect()


@pytest.mark.parametrize("query", ["symbol=BTC-USDT&interval=5m", "symbol=BTCUSDT&interval=7m",
                                   "symbol=BTCUSDT&interval=1d", "interval=5m"])
async def test_bad_query_gets_an_error_and_a_close(universe, query):
    client = await _connect(query)
    frame = await client.receive_json_from()
    assert frame["type"] == "error" and "BTCUSDT" in frame["message"]
    assert (await client.receive_output())["code"] == 4400


async def test_symbol_outside_the_universe_is_refused_with_the_reason(universe):
    client = await _connect("symbol=NOPEUSDT&interval=5m")
    frame = await client.receive_json_from()
    assert frame["type"] == "error" and "NOPEUSDT is not in the scanned universe" in frame["message"]
    assert (await client.receive_output())["code"] == 4400


async def _assert_open(client) -> None:
    # Neither an error frame nor a close may arrive. (receive_nothing, not a receive with a
    # timeout: that would cancel the consumer.)
    if await client.receive_nothing(timeout=0.3):
        return
    output = await client.receive_output()
    assert output["type"] == "websocket.send" and '"kline"' in output["text"], output


async def test_sockets_per_client_ip_are_capped(universe, settings):
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
