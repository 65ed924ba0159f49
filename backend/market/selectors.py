"""Reads of market data: the universe and the candle store (many symbols at once, as numpy arrays)."""
from __future__ import annotations

import json

import numpy as np
import redis
from django.conf import settings
from django.db import connection

from market.binance.schemas import Klines
from market.candle_events import STATUS_KEY
from market.models import Symbol


def universe_symbols() -> list[str]:
    """Symbols of the current universe, most traded first."""
    return list(Symbol.objects.filter(in_universe=True).order_by("rank", "symbol").values_list("symbol", flat=True))


def symbol_list():
    """Every known symbol, the universe first by rank."""
    return Symbol.objects.order_by("-in_universe", "rank", "symbol")


def symbol_status(symbol: str) -> str | None:
    """"universe", "known" (in the symbols table, not in the universe) or None (unknown)."""
    in_universe = Symbol.objects.filter(symbol=symbol).values_list("in_universe", flat=True).first()
    if in_universe is None:
        return None
    return "universe" if in_universe else "known"


# --- candle store -----------------------------------------------------------------
# One row per symbol: its last N candles packed by PostgreSQL into one bytea of big-endian
# fixed-width records (int8send/float8send), oldest first. Python then touches one object per
# symbol instead of one per value, and numpy reads the bytes as they are.
_LAST_N = """
SELECT s.symbol, string_agg(
    int8send(c.open_time) || int8send(c.close_time) || float8send(c.open) || float8send(c.high)
    || float8send(c.low) || float8send(c.close) || float8send(c.volume) || float8send(c.quote_volume)
    || int8send(c.trades) || float8send(c.taker_buy_base) || float8send(c.taker_buy_quote),
    ''::bytea ORDER BY c.open_time)
FROM unnest(%s::varchar[]) AS s(symbol)
CROSS JOIN LATERAL (
    SELECT * FROM market_candle m
    WHERE m.market = %s AND m.symbol = s.symbol AND m.interval = %s AND m.open_time <= %s
    ORDER BY m.open_time DESC LIMIT %s
) c
GROUP BY s.symbol
"""
_RECORD = np.dtype([
    ("open_time", ">i8"), ("close_time", ">i8"), ("open", ">f8"), ("high", ">f8"), ("low", ">f8"),
    ("close", ">f8"), ("volume", ">f8"), ("quote_volume", ">f8"), ("trades", ">i8"),
    ("taker_buy_base", ">f8"), ("taker_buy_quote", ">f8"),
])


def candles_last(symbols: list[str], interval: str, n: int, *, until_open_time: int | None = None,
                 market: str | None = None) -> dict[str, Klines]:
    """The last `n` stored candles of each symbol (oldest first) as `Klines` of native numpy arrays.

    Symbols without candles are absent; one with fewer than `n` gets what exists.
    `until_open_time` (epoch ms) reads the history as of that candle. `market` ("usdm"/"spot")
    defaults to the platform's (BINANCE_MARKET).
    """
    if not symbols or n <= 0:
        return {}
    until = until_open_time if until_open_time is not None else 2**62
    with connection.cursor() as cursor:
        cursor.execute(_LAST_N, [list(symbols), _market_or_platform(market), interval, until, n])
        rows = cursor.fetchall()
    result = {}
    for symbol, packed in rows:
        records = np.frombuffer(packed, dtype=_RECORD)
        columns = {name: records[name].astype(records.dtype[name].newbyteorder("=")) for name in _RECORD.names}
        result[symbol] = Klines(symbol=symbol, interval=interval, **columns)
    return result


def candles_resume_points(market: str | None = None) -> dict[tuple[str, str], int]:
    """Open time of the newest stored candle of every (symbol, interval) of `market` (default: the platform's)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT symbol, interval, max(open_time) FROM market_candle WHERE market = %s "
                       "GROUP BY symbol, interval", [_market_or_platform(market)])
        return {(symbol, interval): last for symbol, interval, last in cursor.fetchall()}


def _market_or_platform(market: str | None) -> str:
    return settings.BINANCE.market if market is None else market


def stream_status() -> dict | None:
    """Heartbeat of the stream process (connections, candles delivered, reconnects, sequencer
    counters, `alive_at`), or None when no stream process has reported for a minute."""
    raw = redis.Redis.from_url(settings.REDIS_URL).get(STATUS_KEY)
    return None if raw is None else json.loads(raw)
