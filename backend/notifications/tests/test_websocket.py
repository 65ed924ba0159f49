"""The dashboard receives exactly one signal_notification per high-confidence signal."""
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from config.asgi import application
from notifications.services import signal_notifications_send
from notifications.tests.factories import signal_create, websocket_rule
from signals.models import Direction

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_builtin_rules")]


async def _connect() -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, "/ws/signals/", headers=[(b"host", b"localhost"), (b"origin", b"http://localhost")]
    )
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "welcome"
    return communicator


async def test_one_event_per_signal_across_runs():
    await sync_to_async(websocket_rule)()
    signal = await sync_to_async(signal_create)(
        symbol="ETHUSDT", timeframe="4h", direction=Direction.SHORT, confidence=88.4
    )
    await sync_to_async(signal_create)(symbol="XRPUSDT", confidence=70.0)  # below 85: no event
    client = await _connect()
    try:
        for _ in range(3):
            await sync_to_async(signal_notifications_send)()
        frame = await client.receive_json_from(timeout=5)
        assert frame["type"] == "signal_notification" and isinstance(frame["seq"], int)
        assert frame["data"]["signal"] == {
            "id": signal.id, "key": signal.key, "symbol": "ETHUSDT", "timeframe": "4h", "direction": "SHORT",
            "score": 88.4, "probability": None, "entry": 65000.0, "stop_loss": 64500.0, "take_profit": 65833.33,
        }
        assert frame["data"]["message"].startswith(
            "SHORT ETHUSDT 4h, score 88, P(take-profit) not enough history: entry 65,000.00"
        )
        assert await client.receive_nothing(timeout=0.5)
    finally:
        await client.disconnect()
        # The ORM ran in asgiref's worker thread: close its connection, or the test database
        # cannot be dropped at the end of the session.
        await sync_to_async(connections.close_all)()
