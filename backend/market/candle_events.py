"""Closed-candle events on a Redis Stream: how the stream process tells every other process.

Stream key `market:candles`, trimmed with `XADD ... MAXLEN ~ MARKET_CANDLE_EVENTS_MAXLEN`.
One entry per closed candle, released exactly once and in order per (symbol, interval);
entries of different streams interleave. Fields (all strings, values exactly as Binance sent):

    symbol         BTCUSDT
    interval       5m
    open_time      1762346100000          epoch ms
    close_time     1762346399999
    open high low close volume quote_volume taker_buy_base taker_buy_quote   decimal strings
    trades         14479
    source         stream | backfill      how the candle reached us
    market         usdm | spot

Consumers read with `XREAD` / `XREADGROUP` and resume from the last entry id they processed
(`candle_events_read(after_id=...)`), so a restart of a consumer misses nothing the stream
still holds. The candle is in the candle store (PostgreSQL) before its event is added.

`market:candles:last` (hash "SYMBOL:interval" -> open time) is written in the same MULTI as the
entries: it is where the stream process resumes after a restart.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import redis

from market.binance.schemas import Candle

STREAM_KEY = "market:candles"
LAST_KEY = "market:candles:last"
STATUS_KEY = "market:streams:status"  # JSON heartbeat of the stream process, expires after 60 s


@dataclass(frozen=True)
class CandleEvent:
    id: str  # Redis stream entry id, e.g. "1732233600000-0"
    candle: Candle
    source: str
    market: str


def candle_event_fields(candle: Candle, *, source: str, market: str) -> dict[str, str]:
    return {
        "symbol": candle.symbol, "interval": candle.interval,
        "open_time": str(candle.open_time), "close_time": str(candle.close_time),
        "open": candle.open, "high": candle.high, "low": candle.low, "close": candle.close,
        "volume": candle.volume, "quote_volume": candle.quote_volume, "trades": str(candle.trades),
        "taker_buy_base": candle.taker_buy_base, "taker_buy_quote": candle.taker_buy_quote,
        "source": source, "market": market,
    }


def candle_event_decode(entry_id: bytes | str, fields: dict) -> CandleEvent:
    f = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
         for k, v in fields.items()}
    candle = Candle(
        f["symbol"], f["interval"], int(f["open_time"]), int(f["close_time"]), f["open"], f["high"], f["low"],
        f["close"], f["volume"], f["quote_volume"], int(f["trades"]), f["taker_buy_base"], f["taker_buy_quote"],
    )
    entry = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    return CandleEvent(entry, candle, f["source"], f["market"])


def candle_events_publish(client: redis.Redis, items: Iterable[tuple[Candle, str]], *, market: str,
                          maxlen: int) -> list[str]:
    """XADD every candle (in the given order) and move the resume points, in one MULTI."""
    items = list(items)
    if not items:
        return []
    pipe = client.pipeline(transaction=True)
    last: dict[str, int] = {}
    for candle, source in items:
        pipe.xadd(STREAM_KEY, candle_event_fields(candle, source=source, market=market),
                  maxlen=maxlen, approximate=True)
        last[f"{candle.symbol}:{candle.interval}"] = candle.open_time
    pipe.hset(LAST_KEY, mapping=last)
    ids = pipe.execute()[:-1]
    return [i.decode() if isinstance(i, bytes) else i for i in ids]


def candle_events_read(client: redis.Redis, *, after_id: str = "0-0", count: int = 1000,
                       block_ms: int | None = None) -> list[CandleEvent]:
    """Events after `after_id` ("$": only new ones; with `block_ms`, wait that long for them)."""
    answer = client.xread({STREAM_KEY: after_id}, count=count, block=block_ms)
    if not answer:
        return []
    (_, entries), = answer
    return [candle_event_decode(entry_id, fields) for entry_id, fields in entries]


def candle_resume_points(client: redis.Redis) -> dict[tuple[str, str], int]:
    """Open time of the last published candle per (symbol, interval)."""
    points = {}
    for key, value in client.hgetall(LAST_KEY).items():
        symbol, _, interval = key.decode().partition(":")
        points[(symbol, interval)] = int(value)
    return points
