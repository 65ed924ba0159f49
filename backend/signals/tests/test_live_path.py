"""End to end: sandbox replay -> kline stream process -> live engine process -> PostgreSQL ->
a WebSocket client receives `signal_created` for the candle that just closed."""
import asyncio
import os
import subprocess
import sys

import pytest
import redis
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection

from config.asgi import application
from common.testing import BACKEND_DIR, database_url_of
from market.services import universe_refresh
from signals.models import Signal

pytestmark = pytest.mark.django_db(transaction=True)
HEADERS = [(b"host", b"localhost"), (b"origin", b"http://localhost")]


@pytest.fixture
def live_processes(sandbox_process):
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("market:candles", "market:candles:last", "signals:live:last-id")
    universe_refresh(size=50)
    env = dict(os.environ, DATABASE_URL=database_url_of(connection.settings_dict), DJANGO_SETTINGS_MODULE="config.settings.test",
               BINANCE_ENV="sandbox", BINANCE_SANDBOX_URL=sandbox_process.url, MARKET_STREAM_INTERVALS="5m")
    processes = [
        subprocess.Popen([sys.executable, "manage.py", command], cwd=BACKEND_DIR, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for command in ("stream_market", "run_live_signals")
    ]
    yield client
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(20)


def _scanner_status() -> dict:
    from rest_framework.test import APIClient

    return APIClient().get("/api/scanner/status/").json()


async def _wait_for_seed(client, symbols: int, timeout: float = 60) -> None:
    """The stream process seeds 200 closed candles per symbol into the store before going live."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await sync_to_async(client.hlen)("market:candles:last") >= symbols:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the stream process did not seed the candle store")


async def test_a_closing_candle_becomes_a_live_signal_event(live_processes, sandbox_process):
    await _wait_for_seed(live_processes, 50)
    await asyncio.sleep(2)  # let the live process catch up with the seed
    for _ in range(40):  # the stream process reports every 10 s
        stream = (await sync_to_async(_scanner_status)())["stream"]
        if stream["connected"]:
            break
        await asyncio.sleep(0.5)
    assert stream["connected"] is True and stream["connections"] >= 1, stream
    socket = WebsocketCommunicator(application, "/ws/signals/", headers=HEADERS)
    assert (await socket.connect())[0]
    await socket.receive_json_from()  # welcome
    try:
        for _ in range(60):
            now = await sync_to_async(sandbox_process.step_candles)(1)
            closed_open_time = now // 300_000 * 300_000 - 300_000  # the candle that has just closed
            try:
                created = []
                while not created:
                    message = await socket.receive_json_from(timeout=5)
                    # The changes of one pass arrive together, as one batch frame.
                    frames = message["events"] if message["type"] == "batch" else [message]
                    created = [f for f in frames if f["type"] == "signal_created"]
            except asyncio.TimeoutError:
                continue
            signal = created[0]["data"]["signal"]
            # The signal comes from the candle that has just closed, i.e. from the stream.
            assert signal["candle_open_time"] == closed_open_time
            assert await sync_to_async(Signal.objects.filter(key=signal["key"], status="active").exists)()
            return
        raise AssertionError("no signal was created over 60 closing candles")
    finally:
        await socket.disconnect()


def test_the_live_process_survives_a_redis_outage(redis_server, settings):
    """Redis goes away under the live loop: the loop keeps waiting and retrying instead of dying
    (under honcho one dead process would stop the whole platform)."""
    import threading
    import time

    from signals.services import live

    settings.REDIS_URL = redis_server.url
    stop = threading.Event()
    runner = threading.Thread(target=live.live_signals_run, kwargs={"stop": stop, "block_ms": 100})
    runner.start()
    try:
        client = redis.Redis.from_url(redis_server.url)
        deadline = time.monotonic() + 5
        while not client.exists(live.HEARTBEAT_KEY):
            assert time.monotonic() < deadline, "no heartbeat"
            time.sleep(0.05)
        redis_server.stop()
        runner.join(2)
        assert runner.is_alive(), "the live loop died with Redis"
    finally:
        stop.set()
        runner.join(40)
    assert not runner.is_alive()


def test_scanner_status_says_when_the_live_path_is_down(settings, redis_server):
    settings.REDIS_URL = redis_server.url  # a Redis no stream or live process writes to
    stream = _scanner_status()["stream"]
    assert stream["connected"] is False and stream["connections"] == 0
