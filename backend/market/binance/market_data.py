"""Public market-data endpoints (no API key): klines, 24h tickers, exchangeInfo, server time.

Reached as `client.market_data`; paths follow the client's market (`/fapi/v1/...` on
USD-M, `/api/v3/...` on spot).
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from market.binance.errors import BinanceError
from market.binance.governor import WeightPool
from market.binance.schemas import (
    INTERVAL_MS, Candle, ExchangeInfo, Klines, Ticker24h, candles_decode, exchange_info_decode, klines_decode,
    server_time_decode, tickers_24hr_decode,
)
from market.binance.weights import request_weight

if TYPE_CHECKING:
    from market.binance.client import BinanceClient

MAX_KLINES_LIMIT = {"usdm": 1500, "spot": 1000}


@dataclass(frozen=True)
class KlinesParams:
    """`GET klines` parameters; `start_time`/`end_time` are open times in epoch ms (inclusive)."""

    symbol: str
    interval: str
    limit: int = 500
    start_time: int | None = None
    end_time: int | None = None

    def query(self, market: str) -> dict[str, Any]:
        if self.interval not in INTERVAL_MS and self.interval != "1M":
            raise ValueError(f"unknown kline interval {self.interval!r}")
        if not 1 <= self.limit <= MAX_KLINES_LIMIT[market]:
            raise ValueError(f"klines limit must be 1..{MAX_KLINES_LIMIT[market]} on {market}, got {self.limit}")
        query: dict[str, Any] = {"symbol": self.symbol, "interval": self.interval, "limit": self.limit}
        if self.start_time is not None:
            query["startTime"] = self.start_time
        if self.end_time is not None:
            query["endTime"] = self.end_time
        return query


@dataclass
class KlinesBatch:
    """Result of `klines_fetch_batch`: candles of the symbols that answered, the error of the others."""

    klines: dict[str, Klines] = field(default_factory=dict)
    errors: dict[str, BinanceError] = field(default_factory=dict)


class MarketDataApi:
    def __init__(self, client: BinanceClient) -> None:
        self._client = client

    @property
    def _market(self) -> str:
        return self._client.venue.market

    def _path(self, name: str) -> str:
        return self._client.venue.path(name)

    async def exchange_info(self) -> ExchangeInfo:
        """Symbols and rate limits; also hands the REQUEST_WEIGHT limit to the governor."""
        info = exchange_info_decode(await self._client.get(self._path("exchangeInfo")))
        limit = info.request_weight_limit()
        if limit is not None:
            await self._client.governor.set_limit(limit.limit, limit.window_ms)
        return info

    async def tickers_24hr(self) -> list[Ticker24h]:
        """24h statistics of every symbol (weight 40 on USD-M, 80 on spot)."""
        return tickers_24hr_decode(await self._client.get(self._path("ticker/24hr")))

    async def server_time(self) -> int:
        return server_time_decode(await self._client.get(self._path("time")))

    async def klines(self, params: KlinesParams, *, pool: WeightPool | None = None) -> Klines:
        """Candles of one symbol as numpy arrays (the last one may still be open)."""
        raw = await self._client.get(self._path("klines"), params.query(self._market), pool=pool)
        return klines_decode(raw, symbol=params.symbol, interval=params.interval)

    async def candles(self, params: KlinesParams) -> list[Candle]:
        """Candles of one symbol with Binance's exact decimal strings (stream backfills)."""
        raw = await self._client.get(self._path("klines"), params.query(self._market))
        return candles_decode(raw, symbol=params.symbol, interval=params.interval)

    async def candles_between(self, symbol: str, interval: str, first_open: int, last_open: int) -> list[Candle]:
        """Every candle opened in [first_open, last_open] (epoch ms), in pages of up to 1000.

        Pages stay at 1000 (weight 5 on USD-M) rather than 1500 (weight 10); a gap of a few
        candles costs weight 1 (limit < 100).
        """
        step = INTERVAL_MS[interval]
        candles: list[Candle] = []
        cursor = first_open
        while cursor <= last_open:
            limit = min((last_open - cursor) // step + 1, 1000)
            page = await self.candles(KlinesParams(symbol, interval, limit, start_time=cursor, end_time=last_open))
            candles.extend(page)
            if len(page) < limit:
                break
            cursor = page[-1].open_time + step
        return candles

    async def klines_fetch_batch(
        self, symbols: list[str], interval: str, limit: int, *, end_time: int | None = None
    ) -> KlinesBatch:
        """The last `limit` candles of every symbol (opened by `end_time` if given: one end for
        every symbol, so a request delayed past a candle boundary still ends where the others do),
        fetched concurrently.

        Concurrency is bounded by the client's limit; weight is reserved from the governor
        in chunks of one concurrency-wide wave (one Redis round trip per chunk, not per
        request). A symbol that fails (after retries) is reported in `errors`; the others
        are still returned.
        """
        batch = KlinesBatch()
        if not symbols:
            return batch
        queries = [KlinesParams(symbol, interval, limit, end_time=end_time) for symbol in symbols]
        weight = request_weight(self._path("klines"), queries[0].query(self._market))
        pool = WeightPool(self._client.governor, total=weight * len(queries),
                          chunk=weight * self._client.max_concurrency)
        results = await asyncio.gather(*(self.klines(q, pool=pool) for q in queries), return_exceptions=True)
        for query, result in zip(queries, results):
            if isinstance(result, BinanceError):
                batch.errors[query.symbol] = result
            elif isinstance(result, BaseException):
                raise result
            else:
                batch.klines[query.symbol] = result
        return batch
