"""USD-M user data streams: listen keys and `/ws/<listenKey>` connections.

Rules (private_websocket_api.md, "User Data Streams"):
* `POST /fapi/v1/listenKey` returns the account's active key (extending it 60 minutes) or a new one.
* `PUT` extends the active key by 60 minutes; with none active it is -1125.
* `DELETE` closes the stream: the key stops working and its connections are closed.
* A key not extended within 60 minutes expires: connected sockets receive one `listenKeyExpired`
  event and nothing more (the socket itself stays open, as on Binance).
* Events for an account go to every socket connected with its active key, in the order they
  happened (one FIFO queue per socket). A connection is cut after 24 hours (config ws_cut_seconds)
  and pinged every 3 minutes (config ping_interval), as on USD-M.

Time is the market's clock (`now_ms`), the same clock as the REST `timestamp` checks, so a test
that steps the replay clock past 60 minutes sees the key expire.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import string
from dataclasses import dataclass, field
from typing import Callable

import orjson
from aiohttp import WSCloseCode, WSMsgType, web

from . import errors, payloads

log = logging.getLogger(__name__)

LISTEN_KEY_TTL_MS = 60 * 60 * 1000
SERVER_PING_SECONDS = 180.0  # USD-M pings every 3 minutes (LIMITS.md)
_ALPHABET = string.ascii_letters + string.digits


@dataclass
class ListenKey:
    key: str
    account_id: str
    expires_ms: int
    live: bool = True
    sockets: set = field(default_factory=set)


class UserStreams:
    """The object C's `/ws/{name}` handler delegates listen keys to (`owns` + `handle`)."""

    def __init__(self, now_ms: Callable[[], int], *, heartbeat: float = SERVER_PING_SECONDS,
                 max_lifetime: float = 86_400.0, faults=None):
        self._now = now_ms
        self._faults = faults  # the core's FaultInjector: ws_drop / ws_stall / ws_malformed reach these too
        self._transports: dict = {}  # ws -> (transport, request path), for ws_drop
        self._heartbeat = heartbeat
        self._max_lifetime = max_lifetime  # "a single connection is only valid for 24 hours"
        self._keys: dict[str, ListenKey] = {}
        self._active: dict[str, ListenKey] = {}  # account_id -> its live key

    # -- REST side -------------------------------------------------------------------------------

    def start(self, account_id: str) -> str:
        self.expire_due()
        current = self._active.get(account_id)
        if current is None:
            current = ListenKey("".join(secrets.choice(_ALPHABET) for _ in range(64)), account_id, 0)
            self._keys[current.key] = current
            self._active[account_id] = current
        current.expires_ms = self._now() + LISTEN_KEY_TTL_MS
        return current.key

    def keepalive(self, account_id: str) -> str:
        self.expire_due()
        current = self._active.get(account_id)
        if current is None:
            raise errors.invalid_listen_key()
        current.expires_ms = self._now() + LISTEN_KEY_TTL_MS
        return current.key

    async def close(self, account_id: str) -> None:
        current = self._active.pop(account_id, None)
        if current is None:
            return
        current.live = False
        for ws, _queue in list(current.sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"listenKey closed")

    def expiry_ms(self, listen_key: str) -> int | None:
        entry = self._keys.get(listen_key)
        return entry.expires_ms if entry and entry.live else None

    # -- events ----------------------------------------------------------------------------------

    def publish(self, account_id: str, payload: dict) -> None:
        self.expire_due()
        current = self._active.get(account_id)
        if current is None:
            return
        for _ws, queue in current.sockets:
            queue.put_nowait(payload)

    def expire_due(self) -> None:
        now = self._now()
        for account_id, entry in list(self._active.items()):
            if now >= entry.expires_ms:
                entry.live = False
                del self._active[account_id]
                event = payloads.listen_key_expired(entry.key, now)
                for _ws, queue in entry.sockets:
                    queue.put_nowait(event)

    # -- WebSocket side --------------------------------------------------------------------------

    def owns(self, name: str) -> bool:
        return name in self._keys

    async def handle(self, request: web.Request, name: str) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=self._heartbeat)
        await ws.prepare(request)
        self.expire_due()
        entry = self._keys.get(name)
        if entry is None or not entry.live:
            await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"invalid listenKey")
            return ws
        queue: asyncio.Queue = asyncio.Queue()
        member = (ws, queue)
        entry.sockets.add(member)
        self._transports[ws] = (request.transport, request.path)
        sender = asyncio.create_task(self._send_loop(ws, queue, request.path))
        cut = asyncio.get_running_loop().call_later(
            self._max_lifetime, lambda: asyncio.ensure_future(ws.close(code=WSCloseCode.GOING_AWAY)))
        try:
            async for msg in ws:  # clients only ping/pong/close on this stream
                if msg.type == WSMsgType.ERROR:
                    break
        finally:
            cut.cancel()
            entry.sockets.discard(member)
            self._transports.pop(ws, None)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
        return ws

    def drop(self, path_prefix: str = "") -> int:
        """The ws_drop fault: TCP-abort the matching user-stream sockets (no close frame)."""
        victims = [t for t, path in self._transports.values() if path.startswith(path_prefix) and t is not None]
        for transport in victims:
            transport.abort()
        return len(victims)

    async def _send_loop(self, ws: web.WebSocketResponse, queue: asyncio.Queue, path: str) -> None:
        while True:
            payload = await queue.get()
            if ws.closed:
                return
            text = orjson.dumps(payload).decode()
            if self._faults is not None and self._faults.has_ws_faults():
                if self._faults.ws_stalled(path):
                    continue  # the ws_stall fault: the socket stays open, its events are lost
                if self._faults.ws_malformed(path):
                    text = text[: len(text) // 2]  # the ws_malformed fault: invalid JSON
            try:
                await ws.send_str(text)
            except ConnectionResetError:
                return

    async def shutdown(self) -> None:
        for entry in self._keys.values():
            for ws, _queue in list(entry.sockets):
                await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")
