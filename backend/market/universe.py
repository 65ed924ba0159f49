"""Which pairs the platform scans and streams: a pure choice over exchangeInfo and 24h tickers.

Eligible: quote asset USDT, status TRADING, PERPETUAL contracts on USD-M (no quarterlies),
base asset not a stablecoin (USDCUSDT, FDUSDUSDT, ... move by fractions of a cent and only
produce noise). The eligible pairs are ranked by 24h quote volume; the top `size` are in the
universe (`size=0`: all of them).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from market.binance.schemas import SymbolInfo, Ticker24h

QUOTE_ASSET = "USDT"


@dataclass(frozen=True)
class UniverseEntry:
    info: SymbolInfo
    quote_volume_24h: float
    rank: int  # 1 = most traded


def is_eligible(info: SymbolInfo, *, market: str, stablecoins: Iterable[str]) -> bool:
    if info.quote_asset != QUOTE_ASSET or info.status != "TRADING":
        return False
    if market == "usdm" and info.contract_type != "PERPETUAL":
        return False
    return info.base_asset not in set(stablecoins)


def universe_select(symbols: Iterable[SymbolInfo], tickers: Iterable[Ticker24h], *, market: str,
                    size: int, stablecoins: Iterable[str]) -> list[UniverseEntry]:
    """Eligible symbols ranked by 24h quote volume, most traded first, cut to `size` (0 = all).

    Symbols without a ticker rank last with volume 0; ties break by symbol name so the
    choice is stable from one refresh to the next.
    """
    stable = frozenset(stablecoins)
    volume = {t.symbol: t.quote_volume for t in tickers}
    eligible = [s for s in symbols if is_eligible(s, market=market, stablecoins=stable)]
    eligible.sort(key=lambda s: (-volume.get(s.symbol, 0.0), s.symbol))
    if size:
        eligible = eligible[:size]
    return [UniverseEntry(s, volume.get(s.symbol, 0.0), rank) for rank, s in enumerate(eligible, start=1)]
