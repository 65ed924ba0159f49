"""WebSocket market-stream endpoints: ``/ws``, ``/ws/<streams>``, ``/stream?streams=a/b`` (USD-M,
like fstream.binance.com) and the same under ``/spot`` (like stream.binance.com).

Connection rules, as documented by Binance (network_connectivity / web-socket-streams):
* SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY / GET_PROPERTY with Binance's replies;
  error frames are ``{"error":{"code":..,"msg":..},"id":..}`` (as captured from Binance);
* more than ``max_messages`` incoming frames (text, ping, pong) within one second: closed with
  1008 "Too many requests"; more than ``ws_max_streams`` streams: closed with 1008 as well (Binance
  does not document the answer; disconnecting is the strict reading);
* the server pings every ``ping_interval`` s and closes the connection when no pong arrives within
  ``pong_timeout`` s; connections are cut after ``ws_cut_seconds`` (24 h by default);
* a slow reader whose queue passes ``MAX_QUEUE`` frames is disconnected.
"""
from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass

import orjson
from aiohttp import WSCloseCode, WSMsgType, web

from .stream_hub import StreamHub, valid_stream_name

MAX_QUEUE = 10_000
METHODS = ("SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY")


@dataclass(frozen=True)
class Profile:
    ping_interval: float
    pong_timeout: float
    max_messages: int
    max_streams: int
    cut_seconds: float


class TooManyStreams(Exception):
    pass


class Connection:
    def __init__(self, ws: web.WebSocketResponse, request: web.Request, market: str, combined: bool,
                 profile: Profile, hub: StreamHub):
        self.ws, self.path, self.market, self.combined = ws, request.path, market, combined
        self.profile, self.hub = profile, hub
        self.transport = request.transport
        self.streams: dict[str, None] = {}
        self.opened = self.last_ping = time.monotonic()
        self.ping_sent_at: float | None = None
        self.incoming: deque[float] = deque()
        self.queue: deque[tuple] = deque()
        self.wake = asyncio.Event()
        self.closing = False

    # -- outbound --------------------------------------------------------------------------
    def send(self, frame: bytes, opcode: WSMsgType = WSMsgType.TEXT) -> None:
        if self.closing:
            return
        if len(self.queue) >= MAX_QUEUE:
            self.close(WSCloseCode.POLICY_VIOLATION, "Slow consumer")
            return
        self.queue.append((opcode, frame))
        self.wake.set()

    def close(self, code: int, message: str = "") -> None:
        if not self.closing:
            self.closing = True
            self.queue.append((None, (code, message.encode())))
            self.wake.set()

    def abort(self) -> None:
        self.closing = True
        if self.transport is not None:
            self.transport.abort()

    async def writer(self) -> None:
        try:
            while True:
                await self.wake.wait()
                self.wake.clear()
                while self.queue:
                    opcode, payload = self.queue.popleft()
                    if opcode is None:
                        await self.ws.close(code=payload[0], message=payload[1])
                        return
                    await self.ws.send_frame(payload, opcode)
        except ConnectionError:
            self.closing = True

    # -- limits ----------------------------------------------------------------------------
    def housekeeping(self, wall: float) -> None:
        profile = self.profile
        if wall - self.opened >= profile.cut_seconds:
            self.close(WSCloseCode.OK)
        elif self.ping_sent_at is not None and wall - self.ping_sent_at >= profile.pong_timeout:
            self.close(WSCloseCode.POLICY_VIOLATION, "Pong timeout")
        elif wall - self.last_ping >= profile.ping_interval:
            self.last_ping = wall
            if self.ping_sent_at is None:
                self.ping_sent_at = wall
            self.send(b"", WSMsgType.PING)

    def over_rate(self) -> bool:
        now = time.monotonic()
        self.incoming.append(now)
        while self.incoming and self.incoming[0] <= now - 1.0:
            self.incoming.popleft()
        return len(self.incoming) > self.profile.max_messages

    def add_streams(self, names: list[str]) -> None:
        fresh = [n for n in names if n not in self.streams]
        if len(self.streams) + len(fresh) > self.profile.max_streams:
            raise TooManyStreams
        for name in fresh:
            self.streams[name] = None
            self.hub.subscribe(self, name)

    def remove_streams(self, names: list[str]) -> None:
        for name in names:
            if self.streams.pop(name, 0) is None:
                self.hub.unsubscribe(self, name)

    # -- control frames --------------------------------------------------------------------
    def reply(self, body: dict) -> None:
        self.send(orjson.dumps(body))

    def error(self, code: int, msg: str, request_id=...) -> None:
        """Binance's error frame; without ``request_id`` (unparseable request) the frame has no id."""
        body = {"error": {"code": code, "msg": msg}}
        if request_id is not ...:
            body["id"] = request_id
        self.reply(body)

    def _valid_id(self, request: dict) -> bool:
        value = request.get("id", ...)
        if isinstance(value, bool):
            return False
        if self.market == "usdm":  # fstream: "request ID must be an unsigned integer"
            return isinstance(value, int) and 0 <= value < 2 ** 64
        if value is ... or value is None:
            return True
        if isinstance(value, int):
            return -(2 ** 63) <= value < 2 ** 63
        return isinstance(value, str) and len(value) <= 36 and value.isalnum()

    def handle_text(self, text: str) -> None:
        try:
            request = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            self.error(3, f"Invalid JSON: expected value at line {exc.lineno} column {exc.colno}")
            return
        if not isinstance(request, dict):
            self.error(2, "Invalid request: expected an object")
            return
        method = request.get("method")
        if method is None:
            self.error(2, f"Invalid request: missing field `method` at line 1 column {len(text)}")
            return
        if method not in METHODS:
            self.error(2, f"Invalid request: unknown variant `{method}`, expected one of "
                          f"`{'`, `'.join(METHODS)}` at line 1 column {text.find(str(method)) + len(str(method)) + 1}")
            return
        if not self._valid_id(request):
            self.error(2, "Invalid request: request ID must be an unsigned integer")
            return
        request_id = request.get("id")
        params = request.get("params", [])
        self._dispatch(method, params, request_id)

    def _dispatch(self, method: str, params, request_id) -> None:
        if method == "LIST_SUBSCRIPTIONS":
            self.reply({"result": list(self.streams), "id": request_id})
        elif method in ("SUBSCRIBE", "UNSUBSCRIBE"):
            if not isinstance(params, list) or not all(valid_stream_name(p) for p in params):
                self.error(2, "Invalid request: invalid stream", request_id)
                return
            if method == "SUBSCRIBE":
                try:
                    self.add_streams(params)
                except TooManyStreams:
                    self.close(WSCloseCode.POLICY_VIOLATION, "Too many streams")
                    return
            else:
                self.remove_streams(params)
            self.reply({"result": None, "id": request_id})
        else:
            self._property(method, params, request_id)

    def _property(self, method: str, params, request_id) -> None:
        if not isinstance(params, list) or not params or not isinstance(params[0], str):
            self.error(2, "Invalid request: property name must be a string", request_id)
        elif params[0] != "combined":
            self.error(0, "Unknown property", request_id)
        elif method == "GET_PROPERTY":
            self.reply({"result": self.combined, "id": request_id})
        elif len(params) != 2 or not isinstance(params[1], bool):
            self.error(1, "Invalid value type: expected Boolean", request_id)
        else:
            self.combined = params[1]
            self.reply({"result": None, "id": request_id})


async def serve(request: web.Request, market: str, combined: bool, names: list[str]) -> web.StreamResponse:
    ws = web.WebSocketResponse(autoping=False, compress=False, max_msg_size=1 << 20)
    if not ws.can_prepare(request).ok:
        return web.Response(status=400)
    await ws.prepare(request)
    hub: StreamHub = request.app["hub"]
    conn = Connection(ws, request, market, combined, request.app["ws_profiles"][market], hub)
    hub.add(conn)
    writer = asyncio.get_running_loop().create_task(conn.writer())
    try:
        try:
            conn.add_streams([n for n in names if n])
        except TooManyStreams:
            conn.close(WSCloseCode.POLICY_VIOLATION, "Too many streams")
        async for msg in ws:
            if conn.closing:
                break
            if conn.over_rate():
                conn.close(WSCloseCode.POLICY_VIOLATION, "Too many requests")
                break
            if msg.type == WSMsgType.TEXT:
                conn.handle_text(msg.data)
            elif msg.type == WSMsgType.PING:
                conn.send(msg.data, WSMsgType.PONG)
            elif msg.type == WSMsgType.PONG:
                conn.ping_sent_at = None
        if conn.closing:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(writer), timeout=5)
    finally:
        hub.remove(conn)
        writer.cancel()
    return ws
