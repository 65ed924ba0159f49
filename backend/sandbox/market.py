"""The replayed market: symbols, clock, prices and klines; the object the trading part builds on.

Interface used by sandbox.trading (fixed): ``now_ms``, ``symbols``, ``has_symbol``, ``last_price``,
``mark_price``, ``symbol_filters`` and ``add_tick_listener``.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from .config import SandboxConfig
from .dataset import CANDLE_MS, Dataset, SymbolSpec, load_dataset
from .formatting import ROW, MarketStyle, kline_row
from .replay import Clock, Replay

log = logging.getLogger(__name__)

# Intervals served, in 5m candles. 1s/1m/3m (finer than the data) and 3d/1w/1M (not a whole
# number of cycles) are valid Binance intervals the sandbox does not serve.
INTERVALS = {"5m": 1, "15m": 3, "30m": 6, "1h": 12, "2h": 24, "4h": 48, "6h": 72, "8h": 96,
             "12h": 144, "1d": 288}
HISTORY_CANDLES = 200

TickListener = Callable[[str, float, int], None]


class Market:
    def __init__(self, config: SandboxConfig, dataset: Dataset | None = None):
        self.dataset = dataset or load_dataset(Path(config.data_path), config.extra_symbols)
        first = self.dataset.first_open_time
        start = config.start if config.start is not None else first + HISTORY_CANDLES * CANDLE_MS
        if start < first:
            raise ValueError(f"start {start} is before the first recorded candle {first}")
        self.clock = Clock(start, config.speed)
        self.replay = Replay(self.dataset)
        self.styles = {"spot": MarketStyle("spot"), "usdm": MarketStyle("usdm")}
        self._listeners: list[TickListener] = []
        self._notified_at: int | None = None
        self._notified_price: dict[str, int] = {}
        self._rows: dict[tuple, list[tuple[bytes, bytes]]] = {}

    # -- interface for sandbox.trading -------------------------------------------------------
    def now_ms(self) -> int:
        return self.clock.now_ms()

    def symbols(self) -> list[str]:
        """USD-M symbols (the same names are served on spot)."""
        return list(self.dataset.names)

    def has_symbol(self, symbol: str) -> bool:
        return symbol in self.dataset.specs

    def spec(self, symbol: str) -> SymbolSpec:
        return self.dataset.specs[symbol]

    def price_int(self, symbol: str, now: int | None = None) -> int:
        spec = self.dataset.specs[symbol]
        return self.replay.price(spec, self.now_ms() if now is None else now)

    def last_price(self, symbol: str) -> float:
        """Current price of the forming candle."""
        spec = self.dataset.specs[symbol]
        return self.price_int(symbol) / 10 ** spec.price_decimals

    def mark_price(self, symbol: str) -> float:
        """Mark price; the sandbox uses the last price (no separate index or premium)."""
        return self.last_price(symbol)

    def symbol_filters(self, symbol: str) -> dict:
        """tickSize, stepSize, minQty, maxQty, marketMaxQty, minNotional (Decimal) and
        pricePrecision, quantityPrecision (int), from the USD-M exchangeInfo entry."""
        return self.dataset.specs[symbol].filters()

    def add_tick_listener(self, callback: TickListener) -> None:
        """``callback(symbol, price, ts_ms)`` runs synchronously whenever a forming price moves,
        including every corner (open/high/low/close) of candles the clock passed since the last tick."""
        self._listeners.append(callback)

    def remove_tick_listener(self, callback: TickListener) -> None:
        self._listeners.remove(callback)

    # -- ticking -------------------------------------------------------------------------------
    def advance(self, now: int) -> None:
        """Report price moves up to ``now`` to the tick listeners (called by the stream hub)."""
        after, self._notified_at = self._notified_at, now
        if not self._listeners or after is None or now <= after:
            return
        for name, spec in self.dataset.specs.items():
            scale = 10 ** spec.price_decimals
            for ts, price in self.replay.waypoints(spec, after, now):
                if self._notified_price.get(name) == price:
                    continue
                self._notified_price[name] = price
                for callback in self._listeners:
                    try:
                        callback(name, price / scale, ts)
                    except Exception:  # one faulty listener must not stop the replay for all
                        log.exception("tick listener %r failed for %s", callback, name)

    # -- klines --------------------------------------------------------------------------------
    def _content(self, style: MarketStyle, spec: SymbolSpec, k: int, mirrored: bool):
        key = (style.name, spec.source, k, mirrored)
        rows = self._rows.get(key)
        if rows is None:
            table = self.dataset.sources[spec.source].table(k, mirrored)
            rows = [style.kline_parts(spec, *col) for col in zip(*table.tolist())]
            self._rows[key] = rows
        return rows

    def kline_range(self, spec: SymbolSpec, k: int, now: int, start: int | None, end: int | None,
                    limit: int) -> tuple[int, int]:
        """Logical candle indices [lo, hi] a klines request selects (lo > hi: none)."""
        span = k * CANDLE_MS
        origin = self.dataset.first_open_time - spec.shift * CANDLE_MS  # open time of logical 0
        first = spec.shift // k
        current = (now - origin) // span
        if start is not None:
            lo = max(first, -(-(start - origin) // span))
            hi = min(current, lo + limit - 1)
            if end is not None:
                hi = min(hi, (end - origin) // span)
        else:
            hi = current if end is None else min(current, (end - origin) // span)
            lo = max(first, hi - limit + 1)
        return lo, hi

    def klines_body(self, market: str, symbol: str, interval: str, start: int | None = None,
                    end: int | None = None, limit: int = 500) -> bytes:
        """The JSON array of a klines request, closed rows from the cache, the forming one fresh."""
        style, spec, k = self.styles[market], self.dataset.specs[symbol], INTERVALS[interval]
        now = self.now_ms()
        lo, hi = self.kline_range(spec, k, now, start, end, limit)
        span = k * CANDLE_MS
        rows_per_cycle = self.dataset.candle_count // k
        current = self.replay.index_at(spec, now) // k
        parts: list[bytes] = []
        L, closed_hi = lo, min(hi, current - 1)
        while L <= closed_hi:
            cycle, pos = divmod(L, rows_per_cycle)
            count = min(closed_hi, (cycle + 1) * rows_per_cycle - 1) - L + 1
            mirrored = bool(cycle & 1)
            content = self._content(style, spec, k, mirrored)
            if mirrored:
                top = rows_per_cycle - pos
                segment = content[top - count:top][::-1]
            else:
                segment = content[pos:pos + count]
            t0 = self.replay.open_time(spec, L * k)
            parts += [ROW % (t0 + j * span, head, t0 + j * span + span - 1, tail)
                      for j, (head, tail) in enumerate(segment)]
            L += count
        if lo <= current <= hi:
            parts.append(kline_row(style, spec, self.replay.forming(spec, k, now)))
        return b"[" + b",".join(parts) + b"]"
