"""Writes of market data: the universe refresh, the candle store and closed-candle events."""
from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from decimal import Decimal

import redis
from django.conf import settings
from django.db import connection, transaction

from market.binance.schemas import Candle, Klines
from market.candle_events import candle_events_publish
from market.models import Symbol
from market.universe import universe_select


async def _exchange_snapshot():
    from market.binance.client import BinanceClient

    async with BinanceClient.from_settings() as client:
        info = await client.market_data.exchange_info()
        tickers = await client.market_data.tickers_24hr()
    return info, tickers


def universe_refresh(*, size: int | None = None) -> dict:
    """Upsert every eligible symbol's filters and volume, and mark the top `size` as the universe.

    Symbols that dropped out keep their row (signals refer to them) with `in_universe=False`.
    """
    info, tickers = asyncio.run(_exchange_snapshot())
    entries = universe_select(
        info.symbols, tickers, market=settings.BINANCE.market,
        size=settings.MARKET.universe_size if size is None else size, stablecoins=settings.MARKET.stablecoins,
    )
    rows = [
        Symbol(
            symbol=e.info.symbol, base=e.info.base_asset, quote=e.info.quote_asset, status=e.info.status,
            contract_type=e.info.contract_type or "", tick_size=e.info.tick_size, step_size=e.info.step_size,
            min_notional=e.info.min_notional, quote_volume=Decimal(str(round(e.quote_volume_24h, 4))),
            in_universe=True, rank=e.rank,
        )
        for e in entries
    ]
    with transaction.atomic():
        Symbol.objects.exclude(symbol__in=[r.symbol for r in rows]).update(in_universe=False, rank=None)
        Symbol.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["symbol"],
            update_fields=["base", "quote", "status", "contract_type", "tick_size", "step_size", "min_notional",
                           "quote_volume", "in_universe", "rank", "updated_at"],
        )
    return {"universe": len(rows), "top": [r.symbol for r in rows[:5]]}


# --- candle store and candle events -------------------------------------------------
# Writers hold this advisory lock in shared mode from their first revision to their commit; a
# reader of the change feed takes it exclusively for an instant (store_mirror.feed_watermark), so
# every revision at or below the sequence's value it then reads belongs to a finished transaction.
FEED_LOCK = 7_340_118_001

# An overwrite that changes nothing keeps the row as it is, and its revision: a REST backfill of a
# window already stored adds nothing to the change feed.
_UPSERT = """
INSERT INTO market_candle (market, symbol, interval, open_time, close_time, open, high, low, close, volume,
                           quote_volume, trades, taker_buy_base, taker_buy_quote, history, revision)
SELECT %s, s.*, %s, nextval('market_candle_revisions')
FROM unnest(%s::varchar[], %s::varchar[], %s::bigint[], %s::bigint[], %s::float8[], %s::float8[], %s::float8[],
            %s::float8[], %s::float8[], %s::float8[], %s::bigint[], %s::float8[], %s::float8[]) AS s
ON CONFLICT (market, symbol, interval, open_time) DO UPDATE SET
    close_time = EXCLUDED.close_time, open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low,
    close = EXCLUDED.close, volume = EXCLUDED.volume, quote_volume = EXCLUDED.quote_volume,
    trades = EXCLUDED.trades, taker_buy_base = EXCLUDED.taker_buy_base, taker_buy_quote = EXCLUDED.taker_buy_quote,
    history = market_candle.history OR EXCLUDED.history, revision = EXCLUDED.revision
WHERE (market_candle.close_time, market_candle.open, market_candle.high, market_candle.low, market_candle.close,
       market_candle.volume, market_candle.quote_volume, market_candle.trades, market_candle.taker_buy_base,
       market_candle.taker_buy_quote)
      IS DISTINCT FROM (EXCLUDED.close_time, EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close,
                        EXCLUDED.volume, EXCLUDED.quote_volume, EXCLUDED.trades, EXCLUDED.taker_buy_base,
                        EXCLUDED.taker_buy_quote)
   OR (EXCLUDED.history AND NOT market_candle.history)
"""
_FLOATS = ("open", "high", "low", "close", "volume", "quote_volume")


def universe_symbols_ensure() -> list[str]:
    """The universe's symbols, refreshing it from the exchange first if it was never refreshed
    (the first start of a fresh database)."""
    from market.selectors import universe_symbols

    symbols = universe_symbols()
    if not symbols:
        universe_refresh()
        symbols = universe_symbols()
    return symbols


def candles_upsert(candles: Iterable[Candle], *, market: str | None = None, history: bool = False) -> int:
    """Insert or overwrite closed candles keyed by (market, symbol, interval, open time), in one statement.

    `market` defaults to the platform's (BINANCE_MARKET, what the stream process writes). `history`
    marks the rows as history (fetch_history, import_klines): never pruned; a later overwrite by
    the stream keeps the mark. Each row that changes gets a new revision (the change feed,
    store_mirror.py); the feed's lock is held until the transaction that wrote it ends.
    """
    market = _market_of(market)
    unique = {(c.symbol, c.interval, c.open_time): c for c in candles}  # a key twice would abort the upsert
    if not unique:
        return 0
    rows = list(unique.values())
    columns = [
        [c.symbol for c in rows], [c.interval for c in rows], [c.open_time for c in rows],
        [c.close_time for c in rows], *([float(getattr(c, name)) for c in rows] for name in _FLOATS),
        [c.trades for c in rows], [float(c.taker_buy_base) for c in rows], [float(c.taker_buy_quote) for c in rows],
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [FEED_LOCK])
        cursor.execute(_UPSERT, [market, history, *columns])
    return len(rows)


def klines_store(klines: Iterable[Klines]) -> int:
    """Store closed candles fetched over REST (`Klines` arrays; the scan's backfill), like `candles_upsert`."""
    return candles_upsert(
        Candle(k.symbol, k.interval, int(k.open_time[i]), int(k.close_time[i]), k.open[i], k.high[i], k.low[i],
               k.close[i], k.volume[i], k.quote_volume[i], int(k.trades[i]), k.taker_buy_base[i],
               k.taker_buy_quote[i])
        for k in klines for i in range(len(k)))


def _market_of(market: str | None) -> str:
    from market.binance.venues import MARKETS

    market = settings.BINANCE.market if market is None else market
    if market not in MARKETS:
        raise ValueError(f"market must be one of {MARKETS}, got {market!r}")
    return market


def candles_ingest(items: Sequence[tuple[Candle, str]]) -> None:
    """Store closed candles, then publish their events: a reader of an event finds its candle stored."""
    candles_upsert(candle for candle, _ in items)
    candle_events_publish(_events_redis(), items, market=settings.BINANCE.market,
                          maxlen=settings.MARKET.events_maxlen)


_PRUNE = """
DELETE FROM market_candle c USING (
    SELECT id FROM (
        SELECT id, history,
               row_number() OVER (PARTITION BY market, symbol, interval ORDER BY open_time DESC) AS newer
        FROM market_candle
    ) ranked WHERE newer > %s AND NOT history
) old WHERE c.id = old.id
"""


def candles_prune(*, keep: int) -> int:
    """Keep the newest `keep` candles of every (market, symbol, interval), and every history candle
    (fetch_history, import_klines); returns how many were deleted.

    Marked as the prune for the change feed's delete trigger (migration 0006): it removes only
    candles older than the newest `keep`, so a mirror of the store (store_mirror.py) stays valid."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL market.candle_prune = 'on'")
        cursor.execute(_PRUNE, [keep])
        return cursor.rowcount


_redis_clients: dict[str, redis.Redis] = {}


def _events_redis() -> redis.Redis:
    client = _redis_clients.get(settings.REDIS_URL)
    if client is None:
        client = _redis_clients[settings.REDIS_URL] = redis.Redis.from_url(settings.REDIS_URL)
    return client
