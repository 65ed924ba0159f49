"""WebSocket edges. Thin: join a group, relay events, answer heartbeats."""
from __future__ import annotations

from asgiref.sync import sync_to_async
from django.conf import settings

from common import metrics
from realtime.dispatcher import current_position
from realtime.events import SIGNALS_GROUP, user_group
from realtime.socket_auth import FirstFrameAuthConsumer, now_ms, sequenced_pong


class SignalsConsumer(FirstFrameAuthConsumer):
    """`/ws/signals/`: every signal and scanner event of `signals_global`.

    Public (PUBLIC_MARKET_DATA=true, the default): on connect
    `{"type": "welcome", "ts": ms, "seq": last sequence number sent, "epoch": counter's epoch}`;
    `{"type": "ping"}` is answered with `{"type": "pong", "ts": ms, "epoch", "seq"}`; anything else gets an `error` frame and the
    connection stays open. With PUBLIC_MARKET_DATA=false the socket first asks for an access
    token, exactly as `/ws/account/` does (see realtime/socket_auth.py).
    """

    public = False

    def group_for(self, user_id: int) -> str:
        return SIGNALS_GROUP

    async def connect(self) -> None:
        if not settings.PUBLIC_MARKET_DATA:
            await super().connect()
            return
        self.public = True
        await self.accept()
        metrics.socket_opened(self)
        self.group = SIGNALS_GROUP
        await self.channel_layer.group_add(SIGNALS_GROUP, self.channel_name)
        # The current sequence number lets a client tell a gap from a fresh start.
        epoch, seq = await sync_to_async(current_position)(SIGNALS_GROUP)
        await self.send_json({"type": "welcome", "ts": now_ms(), "seq": seq, "epoch": epoch})

    async def receive_json(self, content, **kwargs) -> None:
        if not self.public:
            await super().receive_json(content, **kwargs)
        elif isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json(await sequenced_pong(self))
        else:
            await self._not_understood('unsupported frame; send {"type": "ping"}')

    async def _not_understood(self, message: str) -> None:
        if self.public:
            await self.send_json({"type": "error", "message": message})
        else:
            await super()._not_understood(message)


class AccountConsumer(FirstFrameAuthConsumer):
    """`/ws/account/`: the signed-in user's orders, positions, balances, strategy logs,
    reconciliations and exchange accounts, on the user's own group and sequence."""

    def group_for(self, user_id: int) -> str:
        return user_group(user_id)
