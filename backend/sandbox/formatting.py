"""Decimal strings the way each Binance market prints them, from the replay's scaled ints.

Spot prints every price and quantity with 8 decimals ("67018.39000000"). USD-M prints prices with
the symbol's pricePrecision ("102325.60"), volumes with its quantityPrecision ("228.234"), kline
quote volumes with both added ("23374918.90950") and ticker quote volumes with pricePrecision; all
as seen in the recorded payloads in /work/shared/binance.
"""
from __future__ import annotations

from .dataset import SymbolSpec


def fixed(value: int, scale: int, decimals: int) -> str:
    """``value / 10**scale`` with exactly ``decimals`` decimals (extra digits are cut, not rounded)."""
    if decimals >= scale:
        value *= 10 ** (decimals - scale)
    else:
        div = 10 ** (scale - decimals)
        value = value // div if value >= 0 else -((-value) // div)
    sign = "-" if value < 0 else ""
    digits = str(-value if value < 0 else value)
    if decimals == 0:
        return sign + digits
    digits = digits.rjust(decimals + 1, "0")
    return f"{sign}{digits[:-decimals]}.{digits[-decimals:]}"


class MarketStyle:
    """Number widths of one market; ``name`` is "spot" or "usdm"."""

    def __init__(self, name: str):
        if name not in ("spot", "usdm"):
            raise ValueError(name)
        self.name = name
        self.spot = name == "spot"

    def price_width(self, spec: SymbolSpec) -> int:
        return 8 if self.spot else spec.usdm_price_width

    def qty_width(self, spec: SymbolSpec) -> int:
        return 8 if self.spot else spec.usdm_qty_width

    def price(self, spec: SymbolSpec, value: int) -> str:
        return fixed(value, spec.price_decimals, self.price_width(spec))

    def qty(self, spec: SymbolSpec, value: int) -> str:
        return fixed(value, spec.volume_decimals, self.qty_width(spec))

    def kline_quote(self, spec: SymbolSpec, value: int) -> str:
        width = 8 if self.spot else spec.usdm_price_width + spec.usdm_qty_width
        return fixed(value, spec.price_decimals + spec.volume_decimals, width)

    def ticker_quote(self, spec: SymbolSpec, value: int) -> str:
        width = 8 if self.spot else spec.usdm_price_width
        return fixed(value, spec.price_decimals + spec.volume_decimals, width)

    def kline_parts(self, spec: SymbolSpec, o, h, lo, c, v, q, n, tb, tq) -> tuple[bytes, bytes]:
        """The two constant pieces of a REST kline row, around the close time column."""
        price, qty = self.price, self.qty
        head = f'"{price(spec, o)}","{price(spec, h)}","{price(spec, lo)}","{price(spec, c)}","{qty(spec, v)}"'
        tail = f'"{self.kline_quote(spec, q)}",{n},"{qty(spec, tb)}","{self.kline_quote(spec, tq)}","0"'
        return head.encode(), tail.encode()

    def kline_event_body(self, spec: SymbolSpec, interval: str, candle) -> dict:
        """The ``k`` object of a kline stream event, keys in Binance's order."""
        price, qty = self.price, self.qty
        return {
            "t": candle.open_time, "T": candle.close_time, "s": spec.name, "i": interval,
            "f": candle.first_id, "L": candle.last_id,
            "o": price(spec, candle.open), "c": price(spec, candle.close),
            "h": price(spec, candle.high), "l": price(spec, candle.low),
            "v": qty(spec, candle.volume), "n": candle.trades, "x": candle.closed,
            "q": self.kline_quote(spec, candle.quote), "V": qty(spec, candle.taker_base),
            "Q": self.kline_quote(spec, candle.taker_quote), "B": "0",
        }


ROW = b"[%d,%b,%d,%b]"


def kline_row(style: MarketStyle, spec: SymbolSpec, candle) -> bytes:
    head, tail = style.kline_parts(spec, *candle[2:11])
    return ROW % (candle.open_time, head, candle.close_time, tail)
