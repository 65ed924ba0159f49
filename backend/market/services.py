"""Writes of market reference data: the universe refresh."""
from __future__ import annotations

import asyncio
from decimal import Decimal

from django.conf import settings
from django.db import transaction

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
