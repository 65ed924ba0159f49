"""Binance JSON bodies for tickers, mark price and exchangeInfo (REST and stream shapes).

Key order follows the recorded payloads / docs; every price and quantity is a string.
"""
from __future__ import annotations

import copy

import orjson

from .dataset import SymbolSpec
from .formatting import MarketStyle, fixed
from .replay import Stats24h

FUNDING_INTERVAL_MS = 8 * 3_600_000
FUNDING_RATE = "0.00010000"
INTEREST_RATE = "0.00010000"


def _percent(change: int, base: int) -> str:
    """Change in percent with 3 decimals, rounded half away from zero like Binance's figures."""
    if base == 0:
        return "0.000"
    scaled = abs(change) * 100_000
    value = (2 * scaled + base) // (2 * base)
    return fixed(-value if change < 0 else value, 3, 3)


def _weighted_avg(style: MarketStyle, spec: SymbolSpec, stats: Stats24h) -> str:
    width = style.price_width(spec)
    if stats.volume == 0:
        return fixed(0, 0, width)
    return fixed(stats.quote * 10 ** width // (stats.volume * 10 ** spec.price_decimals), width, width)


def _last_qty(stats: Stats24h) -> int:
    return max(1, stats.volume // max(1, stats.count))


def ticker_24hr(style: MarketStyle, spec: SymbolSpec, stats: Stats24h, mini: bool = False) -> dict:
    price, qty = style.price, style.qty
    common_tail = {
        "openPrice": price(spec, stats.open), "highPrice": price(spec, stats.high),
        "lowPrice": price(spec, stats.low),
    }
    volumes = {"volume": qty(spec, stats.volume), "quoteVolume": style.ticker_quote(spec, stats.quote),
               "openTime": stats.open_time, "closeTime": stats.close_time,
               "firstId": stats.first_id, "lastId": stats.last_id, "count": stats.count}
    if mini:
        return {"symbol": spec.name, **common_tail, "lastPrice": price(spec, stats.last), **volumes}
    body = {"symbol": spec.name, "priceChange": price(spec, stats.last - stats.open),
            "priceChangePercent": _percent(stats.last - stats.open, stats.open),
            "weightedAvgPrice": _weighted_avg(style, spec, stats)}
    last_qty = _last_qty(stats)
    if style.spot:
        body["prevClosePrice"] = price(spec, stats.prev_close)
    body.update(lastPrice=price(spec, stats.last), lastQty=qty(spec, last_qty))
    if style.spot:
        body.update(bidPrice=price(spec, stats.last), bidQty=qty(spec, 7 * last_qty),
                    askPrice=price(spec, stats.last + 1), askQty=qty(spec, 5 * last_qty))
    body.update(common_tail)
    body.update(volumes)
    return body


def mini_ticker_event(style: MarketStyle, spec: SymbolSpec, stats: Stats24h, event_time: int) -> dict:
    price = style.price
    return {"e": "24hrMiniTicker", "E": event_time, "s": spec.name, "c": price(spec, stats.last),
            "o": price(spec, stats.open), "h": price(spec, stats.high), "l": price(spec, stats.low),
            "v": style.qty(spec, stats.volume), "q": style.ticker_quote(spec, stats.quote)}


def ticker_price(style: MarketStyle, spec: SymbolSpec, price_int: int, now: int) -> dict:
    body = {"symbol": spec.name, "price": style.price(spec, price_int)}
    if not style.spot:
        body["time"] = now
    return body


def next_funding_time(now: int) -> int:
    return (now // FUNDING_INTERVAL_MS + 1) * FUNDING_INTERVAL_MS


def premium_index(spec: SymbolSpec, mark_int: int, now: int) -> dict:
    """Mark = index = last replayed price (the sandbox has no separate index), 8 decimals."""
    mark = fixed(mark_int, spec.price_decimals, 8)
    return {"symbol": spec.name, "markPrice": mark, "indexPrice": mark, "estimatedSettlePrice": mark,
            "lastFundingRate": FUNDING_RATE, "interestRate": INTEREST_RATE,
            "nextFundingTime": next_funding_time(now), "time": now}


def mark_price_event(spec: SymbolSpec, mark_int: int, now: int) -> dict:
    mark = fixed(mark_int, spec.price_decimals, 8)
    return {"e": "markPriceUpdate", "E": now, "s": spec.name, "p": mark, "P": mark, "i": mark,
            "r": FUNDING_RATE, "T": next_funding_time(now)}


class ExchangeInfo:
    """exchangeInfo of one market, pre-serialised around ``serverTime``."""

    def __init__(self, base: dict, entries: list[dict], weight_budget: int):
        self.base = copy.deepcopy(base)
        for limit in self.base["rateLimits"]:
            if limit["rateLimitType"] == "REQUEST_WEIGHT":
                limit["limit"] = weight_budget
        self.entries = {e["symbol"]: e for e in entries}
        self._full = self._split(list(self.entries.values()))

    def _split(self, entries: list[dict]) -> tuple[bytes, bytes]:
        rest = {k: v for k, v in self.base.items() if k not in ("timezone", "serverTime")}
        rest["symbols"] = entries
        return (b'{"timezone":"%s","serverTime":' % self.base["timezone"].encode(),
                b"," + orjson.dumps(rest)[1:])

    def render(self, now: int, entries: list[dict] | None = None) -> bytes:
        head, tail = self._full if entries is None else self._split(entries)
        return head + str(now).encode() + tail
