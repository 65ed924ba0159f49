"""The USD-M user data stream of one account, and the mark-price stream.

    stream = UserDataStream(client, credentials)
    try:
        async for event in stream:
            if isinstance(event, StreamGap): reconcile(...)      # events may have been missed
            elif isinstance(event, OrderUpdate): ...
    finally:
        await stream.aclose()                                   # closes the listen key too

Rules (private_websocket_api.md, "User Data Streams"): a listen key (`POST /fapi/v1/listenKey`)
lives 60 minutes unless extended (`PUT`), the connection is `<ws base>/ws/<listenKey>`, a
connection lives at most 24 hours, and a key that expires sends one `listenKeyExpired` and
nothing more. So the stream:

* asks for the key (`POST`: the live one extended, or a new one) before every connect, connects,
  and yields `StreamGap("connected")` once the socket is open: every event after the gap is
  delivered, so a reconciliation started on the gap misses nothing;
* extends the key every `keepalive_s` (30 minutes); a keep-alive answered -1125 (no such key)
  drops the key and reconnects with a new one;
* on a drop, a close, the 24 h cut or a refused connect, reconnects after a jittered
  exponential backoff (`reconnect_base_s` doubling up to `reconnect_cap_s`; the first retry
  after a connection that delivered events or lived `reconnect_cap_s` waits only the base) and
  yields `StreamGap("reconnected")`;
* on `listenKeyExpired` makes a new key, reconnects, yields `StreamGap("listen_key_expired")`;
* with no data frame for `stall_s` seconds treats the socket as stalled: reconnects, yields
  `StreamGap("stall")`. A user stream is silent while nothing happens on the account, so this is
  long by default (10 minutes; the platform reconciles every minute anyway); a dead connection
  is found sooner by our own pings (`heartbeat_s`: no pong within half of it closes the socket,
  which reconnects as above);
* a frame that is not JSON, or not the documented shape: reconnects, `StreamGap("malformed_frame")`.

`aclose()` stops the keep-alive, closes the socket and closes the listen key (DELETE).

`mark_price_stream(client, symbols)` yields `(symbol, mark_price, event_time_ms)` from the
combined `<symbol>@markPrice@1s` streams, reconnecting the same way (no gaps to report: a mark
price is a level, the next one replaces it).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import aiohttp
import orjson

from market.binance.errors import BinanceError, DecodeError, PermanentError
from market.binance.signing import Credentials
from market.binance.user_events import (  # noqa: F401  (re-exported: the stream's event types)
    AccountUpdate, AlgoUpdate, BalanceUpdate, ConfigUpdate, ListenKeyExpired, MarginCall, MarginCallPosition,
    OrderUpdate, PositionUpdate, StreamGap, UserEvent, user_event_decode,
)

if TYPE_CHECKING:
    from market.binance.client import BinanceClient

logger = logging.getLogger(__name__)

NO_SUCH_LISTEN_KEY = -1125
_CLOSED = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)


class _Backoff:
    def __init__(self, base_s: float, cap_s: float) -> None:
        self.base_s, self.cap_s, self.failures = base_s, cap_s, 0

    async def wait(self) -> None:
        """Full jitter, growing with consecutive failures."""
        delay = min(self.cap_s, self.base_s * 2 ** self.failures)
        self.failures += 1
        await asyncio.sleep(random.uniform(delay / 2, delay))


class UserDataStream:
    def __init__(self, client: BinanceClient, credentials: Credentials, *, keepalive_s: float = 1800.0,
                 stall_s: float = 600.0, heartbeat_s: float | None = 60.0, reconnect_base_s: float = 0.5,
                 reconnect_cap_s: float = 30.0) -> None:
        self.client = client
        self.credentials = credentials
        self.keepalive_s = keepalive_s
        self.stall_s = stall_s
        self.heartbeat_s = heartbeat_s
        self.listen_key: str | None = None
        self.connects = 0
        self._backoff = _Backoff(reconnect_base_s, reconnect_cap_s)
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._keepalive: asyncio.Task | None = None
        self._key_lost = False  # set by the keep-alive: reconnect with a new key
        self._closed = False
        self._events = self._run()

    def __aiter__(self) -> UserDataStream:
        return self

    async def __anext__(self) -> UserEvent | StreamGap:
        if self._closed:
            raise StopAsyncIteration
        return await self._events.__anext__()

    async def aclose(self) -> None:
        """Stop: no more events, the keep-alive ends, the socket and the listen key are closed."""
        if self._closed:
            return
        self._closed = True
        if self._keepalive is not None:
            self._keepalive.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keepalive
        if self._ws is not None:
            await self._ws.close()
        with contextlib.suppress(RuntimeError):  # a generator still running elsewhere ends at its next step
            await self._events.aclose()
        if self.listen_key is not None:
            try:
                await self.client.trading.listen_key_close(self.credentials)
            except BinanceError as exc:
                logger.info("user stream: closing the listen key failed (%s)", exc)
            self.listen_key = None

    async def _connect(self) -> aiohttp.ClientWebSocketResponse:
        # Every (re)connect asks for the key: the live one comes back extended, or a new one if it
        # expired or was closed meanwhile (a dead key would only get its socket closed again).
        self.listen_key = await self.client.trading.listen_key_create(self.credentials)
        self._key_lost = False
        url = f"{self.client.venue.ws_url}/ws/{self.listen_key}"
        ws = await self.client.session.ws_connect(url, autoping=True, heartbeat=self.heartbeat_s,
                                                  max_msg_size=1 << 22)
        self.connects += 1
        if self._keepalive is None:
            self._keepalive = asyncio.create_task(self._keepalive_loop())
        return ws

    async def _run(self) -> AsyncIterator[UserEvent | StreamGap]:
        reason, detail = "connected", ""
        while not self._closed:
            try:
                ws = await self._connect()
            except (BinanceError, aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                logger.warning("user stream: connect failed (%s); retrying", exc)
                await self._backoff.wait()
                continue
            self._ws = ws
            connected_at = time.monotonic()
            try:
                yield StreamGap(reason, detail)
                reason, detail = "reconnected", ""
                while True:
                    try:
                        message = await ws.receive(timeout=self.stall_s)
                    except asyncio.TimeoutError:
                        reason, detail = "stall", f"no frame for {self.stall_s:g} s"
                        break
                    if message.type in _CLOSED or self._key_lost:
                        reason = "listen_key_expired" if self._key_lost else "reconnected"
                        detail = f"socket closed ({message.type.name})"
                        break
                    if message.type != aiohttp.WSMsgType.TEXT:
                        continue
                    try:
                        event = user_event_decode(orjson.loads(message.data))
                    except (orjson.JSONDecodeError, DecodeError) as exc:
                        reason, detail = "malformed_frame", str(exc)[:200]
                        break
                    if isinstance(event, ListenKeyExpired):
                        self._key_lost = True
                        reason, detail = "listen_key_expired", ""
                        break
                    if event is not None:
                        self._backoff.failures = 0  # a working connection: the next drop retries soon
                        yield event
            finally:
                self._ws = None
                await ws.close()
            if time.monotonic() - connected_at >= self._backoff.cap_s:
                self._backoff.failures = 0  # it worked for a while: the next attempt is soon
            if not self._closed:
                logger.info("user stream: reconnecting (%s %s)", reason, detail)
                await self._backoff.wait()

    async def _keepalive_loop(self) -> None:
        while not self._closed:
            await asyncio.sleep(self.keepalive_s)
            extended = self.listen_key
            try:
                await self.client.trading.listen_key_keepalive(self.credentials)
            except PermanentError as exc:
                if exc.code != NO_SUCH_LISTEN_KEY:
                    logger.warning("user stream: keep-alive refused (%s)", exc)
                    continue
                if self.listen_key != extended:
                    continue  # a new key was made meanwhile: this answer is about the old one
                self._key_lost = True  # expired: reconnect with a new key
                if self._ws is not None:
                    await self._ws.close()
            except BinanceError as exc:
                logger.warning("user stream: keep-alive failed (%s); next try in %.0f s", exc, self.keepalive_s)


async def mark_price_stream(client: BinanceClient, symbols: list[str], *, stall_s: float = 30.0,
                            reconnect_base_s: float = 0.5,
                            reconnect_cap_s: float = 30.0) -> AsyncIterator[tuple[str, Decimal, int]]:
    """`(symbol, mark_price, event_time_ms)` from `<symbol>@markPrice@1s`, until the caller stops."""
    if not symbols:
        return
    names = "/".join(f"{s.lower()}@markPrice@1s" for s in symbols)
    url = f"{client.venue.ws_url}/stream?streams={names}"
    backoff = _Backoff(reconnect_base_s, reconnect_cap_s)
    while True:
        try:
            ws = await client.session.ws_connect(url, autoping=True, heartbeat=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            logger.warning("mark price stream: connect failed (%s); retrying", exc)
            await backoff.wait()
            continue
        try:
            while True:
                try:
                    message = await ws.receive(timeout=stall_s)
                except asyncio.TimeoutError:
                    break
                if message.type in _CLOSED:
                    break
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    frame = orjson.loads(message.data)
                    data = frame.get("data", frame)
                    if data.get("e") != "markPriceUpdate":
                        continue
                    update = (str(data["s"]), Decimal(str(data["p"])), int(data["E"]))
                except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError, InvalidOperation):
                    logger.warning("mark price stream: malformed frame dropped")
                    continue
                backoff.failures = 0
                yield update
        finally:
            await ws.close()
        await backoff.wait()
