"""First-frame authentication for sockets that carry more than public market data.

The browser cannot set headers on a WebSocket and a token in the URL ends up in proxy and
server logs, so the access token travels in the first frame instead:

    client: {"type": "auth", "token": "<access token>"}          (within REALTIME_AUTH_TIMEOUT_S)
    server: {"type": "welcome", "ts": ms, "seq": N, "expires_at": ms}

Sending `auth` again with a fresh token of the same user extends the socket's life
(`{"type": "reauthenticated", "expires_at": ms}`); the group and its sequence numbers are kept,
so the client misses nothing. When `expires_at` passes without a re-auth the server closes.

Every refusal is `{"type": "error", "code": 4401, "message": reason}` followed by a close with
code 4401 and the same reason. The frame is there because Daphne drops the close reason
(django/daphne#374): a browser behind Daphne sees code 4401 and an empty `reason`.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import redis
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken

from common import metrics
from realtime.dispatcher import current_position

UNAUTHORIZED = 4401
MISSING_TOKEN = "missing token"
INVALID_TOKEN = "invalid token"
EXPIRED_TOKEN = "token expired"
UNKNOWN_USER = "unknown or inactive user"
OTHER_USER = "token of another user"
AUTH_TIMEOUT = "authentication timeout"
AUTH_FIRST = 'authenticate first: {"type": "auth", "token": "<access token>"}'


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Grant:
    user_id: int
    expires_at_ms: int


def access_token_grant(raw) -> Grant:
    """Who an access token belongs to and until when; `Refused` for anything unusable.

    simplejwt's own AccessToken checks the signature, the expiry and the token type (a refresh
    token is refused); the user must still exist and be active.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise Refused(MISSING_TOKEN)
    try:
        token = AccessToken(raw.strip())
    except ExpiredTokenError:
        raise Refused(EXPIRED_TOKEN) from None
    except TokenError:
        raise Refused(INVALID_TOKEN) from None
    user_id = token.get(api_settings.USER_ID_CLAIM)
    if user_id is None:
        raise Refused(INVALID_TOKEN)
    users = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}, is_active=True)
    if not users.exists():
        raise Refused(UNKNOWN_USER)
    return Grant(user_id=int(user_id), expires_at_ms=int(token["exp"]) * 1000)


class FirstFrameAuthConsumer(AsyncJsonWebsocketConsumer):
    """Accepts, waits for the auth frame, then joins `group_for(user_id)`.

    Subclasses say which group an authenticated socket joins; everything else (deadline,
    re-auth, expiry, ping) is here so every private socket speaks the same protocol.
    """

    user_id: int | None = None
    group: str | None = None
    refused = False
    _deadline: asyncio.Task | None = None
    _expiry: asyncio.Task | None = None

    def group_for(self, user_id: int) -> str:
        raise NotImplementedError

    async def connect(self) -> None:
        await self.accept()
        metrics.socket_opened(self)
        self._deadline = asyncio.create_task(self._refuse_after(settings.REALTIME_AUTH_TIMEOUT_S, AUTH_TIMEOUT))

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if self.refused:
            return
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:
            await self._not_understood("frames must be JSON objects")

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "auth":
            await self._authenticate(content.get("token"))
        elif kind == "ping" and self.user_id is not None:
            await self.send_json(await sequenced_pong(self))
        else:
            await self._not_understood('unsupported frame; send {"type": "ping"} or {"type": "auth", ...}')

    async def realtime_event(self, message) -> None:
        if not self.refused:
            await self.send(text_data=message["text"])

    async def sockets_close(self, message) -> None:
        # dispatcher.user_sockets_close: the user's sessions ended (password changed or reset).
        await self._refuse(message["reason"])

    async def disconnect(self, code) -> None:
        metrics.socket_closed(self)
        self._stop_timers()
        await self._leave_group()

    async def _authenticate(self, token) -> None:
        try:
            grant = await database_sync_to_async(access_token_grant)(token)
        except Refused as refused:
            await self._refuse(refused.reason)
            return
        if self.refused:  # the deadline or the old token's expiry fired during the check
            return
        if self.user_id is None:
            self.user_id, self.group = grant.user_id, self.group_for(grant.user_id)
            self._deadline.cancel()
            # Join before reading the sequence: an event published in between then arrives with
            # seq <= welcome.seq (already covered by the resync that follows a welcome), never lost.
            await self.channel_layer.group_add(self.group, self.channel_name)
            epoch, seq = await sync_to_async(current_position)(self.group)
            self._expire_at(grant.expires_at_ms)
            await self.send_json({"type": "welcome", "ts": now_ms(), "seq": seq, "epoch": epoch,
                                  "expires_at": grant.expires_at_ms})
        elif grant.user_id != self.user_id:
            await self._refuse(OTHER_USER)
        else:
            self._expire_at(grant.expires_at_ms)
            await self.send_json({"type": "reauthenticated", "expires_at": grant.expires_at_ms})

    async def _not_understood(self, message: str) -> None:
        if self.user_id is None:
            await self._refuse(AUTH_FIRST)
        else:
            await self.send_json({"type": "error", "message": message})

    def _expire_at(self, expires_at_ms: int) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
        delay = max(0.0, expires_at_ms / 1000 - time.time())
        self._expiry = asyncio.create_task(self._refuse_after(delay, EXPIRED_TOKEN))

    async def _refuse_after(self, seconds: float, reason: str) -> None:
        await asyncio.sleep(seconds)
        await self._refuse(reason)

    async def _refuse(self, reason: str) -> None:
        if self.refused:
            return
        self.refused = True
        self._stop_timers()
        await self._leave_group()
        await self.send_json({"type": "error", "code": UNAUTHORIZED, "message": reason})
        await self.close(code=UNAUTHORIZED, reason=reason)

    def _stop_timers(self) -> None:
        current = asyncio.current_task()
        for task in (self._deadline, self._expiry):
            if task is not None and task is not current:
                task.cancel()

    async def _leave_group(self) -> None:
        if self.group is not None:
            group, self.group = self.group, None
            await self.channel_layer.group_discard(group, self.channel_name)


def now_ms() -> int:
    return int(time.time() * 1000)


async def sequenced_pong(consumer) -> dict:
    """The answer to a ping on a sequenced socket: `{"type": "pong", "ts", "epoch", "seq"}`.

    The socket joins its group again first: a Redis restart drops the channel layer's group
    memberships with the counters, and without this an open socket would hear nothing more.
    The (epoch, seq) then tells an idle client whether it missed events (seq ahead of its own)
    or the counter restarted (another epoch); either way it resyncs. With Redis away the pong
    is plain, and the client's next one tells."""
    try:
        await consumer.channel_layer.group_add(consumer.group, consumer.channel_name)
        epoch, seq = await sync_to_async(current_position)(consumer.group)
    except (redis.exceptions.RedisError, OSError):
        return {"type": "pong", "ts": now_ms()}
    return {"type": "pong", "ts": now_ms(), "epoch": epoch, "seq": seq}
