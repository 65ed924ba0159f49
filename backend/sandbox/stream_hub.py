"""Market-stream fan-out: one topic per (market, stream name), computed and serialised once per tick.

Every ``tick_interval`` (wall seconds) the hub reads the virtual clock, reports price moves to the
market's tick listeners, then lets each topic that has subscribers produce its frames:

* ``<symbol>@kline_<interval>``: a closed event (``x: true``, final values = the real candle) for
  every candle that closed since the last tick (at most ``MAX_CLOSED_PER_TICK``, the most recent),
  then the forming candle (``x: false``) every 250 ms on USD-M / 2 s on spot, as Binance pushes;
* ``<symbol>@miniTicker`` (USD-M 2 s, spot 1 s) and ``!miniTicker@arr`` (1 s): 24h rolling stats;
* ``<symbol>@markPrice[@1s]`` and ``!markPrice@arr[@1s]`` (USD-M, 3 s or 1 s).

Each frame is ``orjson.dumps``-ed once; the combined wrapper is built once per frame; connections
get the same bytes object. Names that are well formed but not produced here (``@depth``,
``@aggTrade``, unknown symbols) are accepted and stay silent, like Binance does.
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass, field

import orjson

from . import kline_faults
from .market import INTERVALS, Market
from .payloads import mark_price_event, mini_ticker_event

log = logging.getLogger(__name__)
STREAM_SYNTAX = re.compile(r"[!A-Za-z0-9_]+@[A-Za-z0-9_@!]+")
MAX_CLOSED_PER_TICK = 500
PERIODS = {  # seconds between forming/ticker updates per (market, kind)
    ("usdm", "kline"): 0.25, ("spot", "kline"): 2.0,
    ("usdm", "miniTicker"): 2.0, ("spot", "miniTicker"): 1.0,
    ("usdm", "miniTickerArr"): 1.0, ("spot", "miniTickerArr"): 1.0,
    ("usdm", "markPrice"): 3.0, ("usdm", "markPriceArr"): 3.0,
}


def valid_stream_name(name) -> bool:
    return isinstance(name, str) and STREAM_SYNTAX.fullmatch(name) is not None


@dataclass(eq=False)
class Topic:
    market: str
    name: str
    kind: str | None  # None: accepted but silent
    symbol: str | None = None
    interval: str | None = None
    period: float = 1.0
    subscribers: set = field(default_factory=set)
    last_index: int | None = None
    next_due: float = 0.0

    @property
    def wrapper(self) -> bytes:
        return b'{"stream":"' + self.name.encode() + b'","data":'


def make_topic(market: Market, market_name: str, name: str) -> Topic:
    head, _, tail = name.partition("@")
    topic = Topic(market_name, name, None)
    if head.startswith("!"):
        if head == "!miniTicker" and tail == "arr":
            topic.kind = "miniTickerArr"
        elif market_name == "usdm" and head == "!markPrice" and tail in ("arr", "arr@1s"):
            topic.kind, topic.period = "markPriceArr", (1.0 if tail.endswith("@1s") else 3.0)
    elif head == head.lower() and market.has_symbol(head.upper()):
        topic.symbol = head.upper()
        if tail.startswith("kline_") and tail[6:] in INTERVALS:
            topic.kind, topic.interval = "kline", tail[6:]
        elif tail == "miniTicker":
            topic.kind = "miniTicker"
        elif market_name == "usdm" and tail in ("markPrice", "markPrice@1s"):
            topic.kind, topic.period = "markPrice", (1.0 if tail.endswith("@1s") else 3.0)
    if topic.kind in ("kline", "miniTicker", "miniTickerArr"):
        topic.period = PERIODS[(market_name, topic.kind)]
    return topic


class StreamHub:
    def __init__(self, market: Market, faults, tick_interval: float = 0.25):
        self.market, self.faults, self.tick_interval = market, faults, tick_interval
        self.topics: dict[tuple[str, str], Topic] = {}
        self.connections: set = set()
        self._task: asyncio.Task | None = None
        faults.on_ws_drop = self.drop

    # -- subscriptions ---------------------------------------------------------------------
    def subscribe(self, conn, name: str) -> None:
        key = (conn.market, name)
        topic = self.topics.get(key)
        if topic is None:
            topic = self.topics[key] = make_topic(self.market, conn.market, name)
            if topic.kind == "kline":
                spec = self.market.spec(topic.symbol)
                topic.last_index = self.market.replay.index_at(spec, self.market.now_ms()) // INTERVALS[topic.interval]
        topic.subscribers.add(conn)

    def unsubscribe(self, conn, name: str) -> None:
        key = (conn.market, name)
        topic = self.topics.get(key)
        if topic is not None:
            topic.subscribers.discard(conn)
            if not topic.subscribers:
                del self.topics[key]

    def add(self, conn) -> None:
        self.connections.add(conn)

    def remove(self, conn) -> None:
        self.connections.discard(conn)
        for name in list(conn.streams):
            self.unsubscribe(conn, name)

    def drop(self, path_prefix: str = "") -> int:
        """Tear down matching connections at the TCP level (the ws_drop fault); returns how many."""
        victims = [c for c in self.connections if c.path.startswith(path_prefix)]
        for conn in victims:
            conn.abort()
        return len(victims)

    # -- ticking ---------------------------------------------------------------------------
    async def run(self) -> None:
        while True:
            try:
                self.tick()
            except Exception:  # keep streaming for everyone; the traceback is logged
                log.exception("stream tick failed")
            await asyncio.sleep(self.tick_interval)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self.run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for conn in list(self.connections):
            conn.abort()

    def tick(self) -> None:
        now, wall = self.market.now_ms(), time.monotonic()
        self.market.advance(now)
        for conn in list(self.connections):
            conn.housekeeping(wall)
        for topic in list(self.topics.values()):
            if topic.kind is not None:
                for frame in self._frames(topic, now, wall):
                    self._deliver(topic, frame, now)

    def _frames(self, topic: Topic, now: int, wall: float) -> list[bytes]:
        market, style = self.market, self.market.styles[topic.market]
        frames = []
        if topic.kind == "kline":
            spec, k = market.spec(topic.symbol), INTERVALS[topic.interval]
            current = market.replay.index_at(spec, now) // k
            closed_any = topic.last_index is not None and current > topic.last_index
            if closed_any:
                for L in range(max(topic.last_index, current - MAX_CLOSED_PER_TICK), current):
                    candle = market.replay.closed(spec, k, L)
                    frames.append(self._kline(style, spec, topic.interval, candle, now))
            topic.last_index = current
            if closed_any or wall >= topic.next_due:
                frames.append(self._kline(style, spec, topic.interval, market.replay.forming(spec, k, now), now))
                topic.next_due = wall + topic.period
            return frames
        if wall < topic.next_due:
            return frames
        topic.next_due = wall + topic.period
        if topic.kind == "miniTicker":
            spec = market.spec(topic.symbol)
            frames.append(orjson.dumps(mini_ticker_event(style, spec, market.replay.stats_24h(spec, now), now)))
        elif topic.kind == "miniTickerArr":
            frames.append(orjson.dumps([mini_ticker_event(style, spec, market.replay.stats_24h(spec, now), now)
                                        for spec in map(market.spec, market.symbols())]))
        elif topic.kind == "markPrice":
            spec = market.spec(topic.symbol)
            frames.append(orjson.dumps(mark_price_event(spec, market.replay.price(spec, now), now)))
        elif topic.kind == "markPriceArr":
            frames.append(orjson.dumps([mark_price_event(spec, market.replay.price(spec, now), now)
                                        for spec in map(market.spec, market.symbols())]))
        return frames

    @staticmethod
    def _kline(style, spec, interval: str, candle, now: int) -> bytes:
        return orjson.dumps({"e": "kline", "E": now, "s": spec.name,
                             "k": style.kline_event_body(spec, interval, candle)})

    def _deliver(self, topic: Topic, raw: bytes, now: int = 0) -> None:
        combined = None
        ws_faults = self.faults.has_ws_faults()
        for conn in topic.subscribers:
            if conn.combined and combined is None:
                combined = topic.wrapper + raw + b"}"
            frame = combined if conn.combined else raw
            if ws_faults:
                if self.faults.ws_stalled(conn.path):
                    continue
                if topic.kind == "kline":
                    variant = self.faults.ws_bad_kline(conn.path, kline_faults.is_closed(raw))
                    if variant is not None:
                        bad = kline_faults.corrupt(raw, variant, now)
                        frame = topic.wrapper + bad + b"}" if conn.combined else bad
                if self.faults.ws_malformed(conn.path):
                    frame = frame[: len(frame) // 2]
            conn.send(frame)
