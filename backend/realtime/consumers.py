"""WebSocket edges. Thin: join a group, relay events, answer heartbeats."""
from __future__ import annotations

import time

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from asgiref.sync import sync_to_async

from realtime.dispatcher import current_sequence
from realtime.events import SIGNALS_GROUP


class SignalsConsumer(AsyncJsonWebsocketConsumer):
    """`/ws/signals/`: every signal and scanner event of `signals_global`.

    On connect: `{"type": "welcome", "ts": ms, "seq": last sequence number sent}`.
    Client frames: `{"type": "ping"}` is answered with `{"type": "pong", "ts": ms}`.
    Anything else gets an `error` frame; the connection stays open.
    """

    groups = [SIGNALS_GROUP]

    async def connect(self) -> None:
        await self.accept()
        # The current sequence number lets a client tell a gap from a fresh start.
        seq = await sync_to_async(current_sequence)(SIGNALS_GROUP)
        await self.send_json({"type": "welcome", "ts": _now_ms(), "seq": seq})

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong", "ts": _now_ms()})
            return
        await self.send_json({"type": "error", "message": "unsupported frame; send {\"type\": \"ping\"}"})

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        # Malformed JSON must not kill the socket with a server error.
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:
            await self.send_json({"type": "error", "message": "frames must be JSON objects"})

    async def realtime_event(self, message) -> None:
        await self.send(text_data=message["text"])


def _now_ms() -> int:
    return int(time.time() * 1000)
