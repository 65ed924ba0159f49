"""/ws/signals/: events published from sync code reach a connected client through Redis."""
import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from config.asgi import application
from realtime import dispatcher
from realtime.events import Event

# Channels closes stale database connections around every consumer call, so these tests touch
# the database layer even though the consumers store nothing.
pytestmark = pytest.mark.django_db(transaction=True)


async def _connect() -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, "/ws/signals/", headers=[(b"host", b"localhost"), (b"origin", b"http://localhost")])
    connected, _ = await communicator.connect()
    assert connected
    welcome = await communicator.receive_json_from()
    assert welcome["type"] == "welcome" and isinstance(welcome["seq"], int)
    return communicator


async def test_layer_is_redis():
    assert type(get_channel_layer()).__name__ == "RedisPubSubChannelLayer"


async def test_published_event_reaches_every_client_with_growing_sequence():
    first, second = await _connect(), await _connect()
    try:
        seq_a = await sync_to_async(dispatcher.publish)(Event("scanner_status", {"state": "idle"}))
        seq_b = await sync_to_async(dispatcher.publish)(Event("scanner_status", {"state": "running"}))
        assert seq_b == seq_a + 1
        for client in (first, second):
            got_a = await client.receive_json_from(timeout=5)
            got_b = await client.receive_json_from(timeout=5)
            assert (got_a["type"], got_a["seq"], got_a["data"]) == ("scanner_status", seq_a, {"state": "idle"})
            assert (got_b["seq"], got_b["data"]["state"]) == (seq_b, "running")
    finally:
        await first.disconnect()
        await second.disconnect()


async def test_ping_pong_and_bad_frames_keep_the_socket_open():
    client = await _connect()
    try:
        await client.send_json_to({"type": "ping"})
        assert (await client.receive_json_from())["type"] == "pong"
        await client.send_to(text_data="{not json")
        assert (await client.receive_json_from())["type"] == "error"
        await client.send_json_to({"type": "subscribe"})
        assert (await client.receive_json_from())["type"] == "error"
        await client.send_json_to({"type": "ping"})
        assert (await client.receive_json_from())["type"] == "pong"
    finally:
        await client.disconnect()


async def test_a_client_that_left_gets_nothing_and_the_others_still_do():
    leaving, staying = await _connect(), await _connect()
    await leaving.disconnect()
    await asyncio.sleep(0.05)
    await sync_to_async(dispatcher.publish)(Event("scanner_status", {"state": "after"}))
    try:
        assert (await staying.receive_json_from(timeout=5))["data"] == {"state": "after"}
        assert await leaving.receive_nothing(timeout=0.2)
    finally:
        await staying.disconnect()


def test_unknown_event_type_is_rejected():
    with pytest.raises(ValueError, match="unknown event type"):
        Event("signal_exploded", {})


async def test_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/signals/", headers=[(b"host", b"localhost"), (b"origin", b"http://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_batched_events_arrive_as_one_frame_with_consecutive_seqs():
    client = await _connect()
    try:
        def publish_three():
            with dispatcher.batched():
                for state in ("a", "b", "c"):
                    assert dispatcher.publish(Event("scanner_status", {"state": state})) is None

        await sync_to_async(publish_three)()
        frame = await client.receive_json_from(timeout=5)
        assert frame["type"] == "batch"
        seqs = [f["seq"] for f in frame["events"]]
        assert [f["data"]["state"] for f in frame["events"]] == ["a", "b", "c"]
        assert seqs == [seqs[0], seqs[0] + 1, seqs[0] + 2]
    finally:
        await client.disconnect()


async def test_a_batch_of_one_is_a_plain_frame():
    client = await _connect()
    try:
        def publish_one():
            with dispatcher.batched():
                dispatcher.publish(Event("scanner_status", {"state": "solo"}))

        await sync_to_async(publish_one)()
        frame = await client.receive_json_from(timeout=5)
        assert (frame["type"], frame["data"]["state"]) == ("scanner_status", "solo")
    finally:
        await client.disconnect()
