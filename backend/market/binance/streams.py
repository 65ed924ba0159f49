"""Kline WebSocket streams of the universe, sharded over connections, gap-free.

    manager = KlineStreamManager(client, deliver, options=StreamOptions(...), resume={...})
    await manager.set_universe(["BTCUSDT", ...], ["5m", "1h"])
    await manager.run()            # until manager.stop()

* Sharding: `<symbol>@kline_<interval>` streams are packed into combined-stream connections
  (`/stream?streams=...`) of at most `streams_per_connection` (Binance allows 1024). The URL
  carries the first `url_streams`; the rest, and later universe changes, go as SUBSCRIBE /
  UNSUBSCRIBE frames paced at half of Binance's incoming-message limit (USD-M 10/s, spot 5/s).
* Liveness: pings are answered by aiohttp (`autoping`); a connection without a data frame
  for `stall_s` is declared stalled and replaced; a connection older than `max_age_s` is
  replaced before Binance's 24 h cut. Reconnects follow a drop at once (jittered), then
  back off exponentially with full jitter up to `reconnect_cap_s`.
* No missed candle: after every (re)connect, and every `audit_s`, the exchange clock is read
  and every stream behind it is backfilled over REST. `KlineSequencer` releases each closed
  candle exactly once and in order; released candles are delivered in batches to `deliver`
  (retried until it succeeds, so a store or Redis outage loses nothing).
"""
from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
import orjson

from market.binance.client import BinanceClient
from market.binance.errors import BinanceError, DecodeError
from market.binance.schemas import INTERVAL_MS, Candle, KlineUpdate, kline_frame_decode
from market.binance.outbox import CandleOutbox, Deliver
from market.binance.sequencer import KlineSequencer

logger = logging.getLogger(__name__)

INCOMING_LIMIT = {"usdm": 10, "spot": 5}  # messages per second Binance accepts from us


@dataclass(frozen=True)
class StreamOptions:
    streams_per_connection: int = 200  # Binance: at most 1024
    url_streams: int = 100  # in the connect URL; the rest are SUBSCRIBEd
    params_per_frame: int = 100  # streams per SUBSCRIBE frame
    stall_s: float = 30.0
    max_age_s: float = 85_800.0
    seed: int = 200
    reconnect_base_s: float = 0.5
    reconnect_cap_s: float = 30.0
    audit_s: float = 60.0
    audit_grace_ms: int = 3_000  # a candle closed less than this ago may still be on its way
    max_backfill: int = 5_000  # candles per stream and gap; older ones are given up (logged)
    flush_s: float = 0.02

    def __post_init__(self) -> None:
        if not 1 <= self.streams_per_connection <= 1024:
            raise ValueError(f"streams_per_connection must be 1..1024, got {self.streams_per_connection}")


@dataclass
class StreamStats:
    connects: int = 0
    reconnects: Counter = field(default_factory=Counter)  # reason -> count
    frames: int = 0
    control_frames_sent: int = 0
    connect_log: list[tuple[int, float]] = field(default_factory=list)  # (shard, monotonic time)
    disconnect_log: list[tuple[int, float, str]] = field(default_factory=list)  # (shard, time, reason)

    def reconnect_delays(self) -> list[float]:
        """Seconds from each disconnect to the next connect of the same shard."""
        delays = []
        for shard, lost_at, _ in self.disconnect_log:
            back = [t for s, t in self.connect_log if s == shard and t >= lost_at]
            if back:
                delays.append(min(back) - lost_at)
        return delays


def stream_name(symbol: str, interval: str) -> str:
    return f"{symbol.lower()}@kline_{interval}"


@dataclass
class _Shard:
    number: int
    streams: list[str] = field(default_factory=list)
    ws: aiohttp.ClientWebSocketResponse | None = None
    task: asyncio.Task | None = None
    sent: deque = field(default_factory=deque)  # send times of control frames (rate limit)


class KlineStreamManager:
    def __init__(self, client: BinanceClient, deliver: Deliver, *, options: StreamOptions | None = None,
                 resume: dict[tuple[str, str], int] | None = None,
                 on_update: Callable[[KlineUpdate], None] | None = None) -> None:
        self.client = client
        self._on_update = on_update  # every checked update, forming or closed (live charts)
        self.options = options or StreamOptions()
        self._resume = dict(resume or {})
        self.outbox = CandleOutbox(deliver, flush_s=self.options.flush_s, on_delivered=self._delivered)
        self.sequencer = KlineSequencer(self._backfill, self.outbox.put, seed=self.options.seed)
        self.stats = StreamStats()
        self._shards: list[_Shard] = []
        self._wanted: dict[str, tuple[str, str]] = {}  # stream name -> (symbol, interval)
        self._stopping = asyncio.Event()
        self._next_id = 0
        self._tasks: set[asyncio.Task] = set()
        self._rate = INCOMING_LIMIT[client.venue.market] / 2

    # --- public -------------------------------------------------------------------
    async def run(self) -> None:
        """Stream until `stop()`; shards run as tasks started by `set_universe`."""
        flusher = asyncio.create_task(self.outbox.run())
        auditor = asyncio.create_task(self._audit_loop())
        try:
            await self._stopping.wait()
        finally:
            for shard in self._shards:
                await self._close_shard(shard)
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            auditor.cancel()
            await self.sequencer.close()
            await asyncio.gather(auditor, return_exceptions=True)
            flusher.cancel()
            await asyncio.gather(flusher, return_exceptions=True)
            await self.outbox.flush()

    def stop(self) -> None:
        self._stopping.set()

    def _spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def connections(self) -> int:
        return sum(1 for s in self._shards if s.ws is not None and not s.ws.closed)

    async def set_universe(self, symbols: list[str], intervals: list[str]) -> None:
        """Follow exactly these streams: unsubscribe what left, subscribe what is new."""
        wanted = {stream_name(s, i): (s, i) for s in symbols for i in intervals}
        removed = set(self._wanted) - set(wanted)
        added = [name for name in wanted if name not in self._wanted]
        self._wanted = wanted
        for shard in self._shards:
            gone = [n for n in shard.streams if n in removed]
            if gone:
                shard.streams = [n for n in shard.streams if n not in removed]
                await self._control(shard, "UNSUBSCRIBE", gone)
        for name in removed:
            self.sequencer.untrack(*self._split(name))
        for name in added:
            symbol, interval = wanted[name]
            self.sequencer.track(symbol, interval, self._resume.get((symbol, interval)))
        while added:
            shard = next((s for s in self._shards if len(s.streams) < self.options.streams_per_connection), None)
            if shard is None:
                shard = _Shard(len(self._shards))
                self._shards.append(shard)
            room = self.options.streams_per_connection - len(shard.streams)
            chunk, added = added[:room], added[room:]
            shard.streams.extend(chunk)
            if shard.ws is not None and not shard.ws.closed:
                await self._control(shard, "SUBSCRIBE", chunk)
                self._spawn(self._catch_up(chunk))
        for shard in self._shards:
            if shard.streams and (shard.task is None or shard.task.done()):
                shard.task = asyncio.create_task(self._run_shard(shard))
            elif not shard.streams and shard.task is not None:
                await self._close_shard(shard)

    # --- connections --------------------------------------------------------------
    async def _run_shard(self, shard: _Shard) -> None:
        failures = 0
        while shard.streams and not self._stopping.is_set():
            reason = "connect_failed"
            try:
                ws = await self._connect(shard)
                self.stats.connects += 1
                self.stats.connect_log.append((shard.number, time.monotonic()))
                self._spawn(self._catch_up(list(shard.streams)))
                reason, healthy = await self._read(shard, ws)
                if healthy:
                    failures = 0
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                logger.warning("stream connection %d failed: %r", shard.number, exc)
            finally:
                if shard.ws is not None:
                    await shard.ws.close()
                    shard.ws = None
            if self._stopping.is_set() or not shard.streams:
                return
            self.stats.reconnects[reason] += 1
            self.stats.disconnect_log.append((shard.number, time.monotonic(), reason))
            if reason in ("aged", "stalled", "closed") and failures == 0:
                delay = random.uniform(0, 0.25)  # reconnect at once, jittered
            else:
                cap = min(self.options.reconnect_cap_s, self.options.reconnect_base_s * 2 ** failures)
                delay = random.uniform(0, cap)
            failures += 1
            logger.info("stream connection %d: %s; reconnecting in %.2f s", shard.number, reason, delay)
            await asyncio.sleep(delay)

    async def _connect(self, shard: _Shard) -> aiohttp.ClientWebSocketResponse:
        in_url = shard.streams[: self.options.url_streams]
        url = f"{self.client.venue.ws_url}/stream?streams={'/'.join(in_url)}"
        ws = await self.client.session.ws_connect(url, autoping=True, heartbeat=None, max_msg_size=1 << 22,
                                                  timeout=aiohttp.ClientWSTimeout(ws_close=2.0))
        shard.ws = ws
        # The universe may have changed while connecting: settle the difference with the URL.
        wanted = set(shard.streams)
        await self._control(shard, "UNSUBSCRIBE", [n for n in in_url if n not in wanted])
        await self._control(shard, "SUBSCRIBE", [n for n in shard.streams if n not in set(in_url)])
        return ws

    async def _read(self, shard: _Shard, ws: aiohttp.ClientWebSocketResponse) -> tuple[str, bool]:
        """Read frames until the connection ends; returns (why it ended, whether it carried data)."""
        opened = time.monotonic()
        healthy = False
        while True:
            age_left = opened + self.options.max_age_s - time.monotonic()
            if age_left <= 0:
                return "aged", healthy
            try:
                message = await ws.receive(timeout=min(self.options.stall_s, age_left))
            except asyncio.TimeoutError:
                return ("aged" if time.monotonic() - opened >= self.options.max_age_s else "stalled"), healthy
            if message.type == aiohttp.WSMsgType.TEXT:
                healthy = True
                self.stats.frames += 1
                self._on_text(message.data)
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING,
                                  aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                return "closed", healthy

    def _on_text(self, data: str) -> None:
        try:
            frame = orjson.loads(data)
            payload = frame.get("data", frame) if isinstance(frame, dict) else None
            kline = payload.get("k") if isinstance(payload, dict) else None
            # Decoded (and so checked: kline_checks) before any use, forming candles too: a
            # future-dated or off-grid open time must not reach the sequencer.
            update = kline_frame_decode(frame) if isinstance(frame, dict) else None
            if update is not None and self._on_update is not None:
                self._on_update(update)
            if update is not None and isinstance(kline, dict) and kline.get("x") is False:
                # The update of a forming candle proves the one before it has closed: if its
                # closed frame was lost, the sequencer backfills it now rather than at the next close.
                self.sequencer.opened(update.candle.symbol, update.candle.interval, update.candle.open_time)
                return
        except (orjson.JSONDecodeError, DecodeError, KeyError, TypeError, ValueError) as exc:
            logger.warning("unreadable stream frame dropped (%s); gaps are backfilled", exc)
            return
        if update is None:
            if isinstance(frame, dict) and "error" in frame:
                logger.error("stream control error: %s", frame)
            return
        if update.closed:
            self.sequencer.on_closed(update.candle)

    async def _control(self, shard: _Shard, method: str, streams: list[str]) -> None:
        """SUBSCRIBE/UNSUBSCRIBE on a connected shard, `params_per_frame` streams per frame, at most
        half of Binance's incoming-message limit per second."""
        size = self.options.params_per_frame
        for i in range(0, len(streams), size):
            ws = shard.ws
            if ws is None or ws.closed:
                return  # the next connect subscribes from shard.streams
            while len(shard.sent) >= self._rate:
                wait = shard.sent[0] + 1.0 - time.monotonic()
                if wait <= 0:
                    shard.sent.popleft()
                else:
                    await asyncio.sleep(wait)
            shard.sent.append(time.monotonic())
            self._next_id += 1
            frame = {"method": method, "params": streams[i:i + size], "id": self._next_id}
            await ws.send_str(orjson.dumps(frame).decode())
            self.stats.control_frames_sent += 1

    async def _close_shard(self, shard: _Shard) -> None:
        if shard.task is not None:
            shard.task.cancel()
            await asyncio.gather(shard.task, return_exceptions=True)
            shard.task = None
        if shard.ws is not None:
            await shard.ws.close()
            shard.ws = None

    # --- gaps ---------------------------------------------------------------------
    @staticmethod
    def _split(name: str) -> tuple[str, str]:
        symbol, _, interval = name.partition("@kline_")
        return symbol.upper(), interval

    async def _catch_up(self, names: list[str], grace_ms: int = 0) -> None:
        """Tell the sequencer which candles the exchange has closed, so it backfills what we lack."""
        while not self._stopping.is_set():
            try:
                now = await self.client.market_data.server_time() - grace_ms
                break
            except BinanceError as exc:
                logger.warning("catch-up: exchange clock unavailable (%s); retrying", exc)
                await asyncio.sleep(random.uniform(0.5, 2.0))
        else:
            return
        for name in names:
            if name in self._wanted:
                symbol, interval = self._wanted[name]
                step = INTERVAL_MS[interval]
                self.sequencer.catch_up(symbol, interval, now // step * step - step)

    async def _audit_loop(self) -> None:
        while True:
            await asyncio.sleep(self.options.audit_s)
            await self._catch_up(list(self._wanted), grace_ms=self.options.audit_grace_ms)

    async def _backfill(self, symbol: str, interval: str, start: int, end: int) -> list[Candle]:
        step = INTERVAL_MS[interval]
        if (end - start) // step + 1 > self.options.max_backfill:
            start = end - (self.options.max_backfill - 1) * step
            logger.warning("gap of %s %s too long; backfilling only the last %d candles",
                           symbol, interval, self.options.max_backfill)
        return await self.client.market_data.candles_between(symbol, interval, start, end)

    def _delivered(self, candle: Candle) -> None:
        self._resume[(candle.symbol, candle.interval)] = candle.open_time
