"""Virtual clock and candle arithmetic of the replay.

Time maps to a *logical* 5m index ``i = (t - first_open_time) // 5m + shift``. The 14 recorded days
play forward, then backward (each candle mirrored: open and close swapped), then forward again, and
so on: a ping-pong loop, so prices never jump when the data runs out and every value stays an exact
recorded price. Cycle ``i // N`` even = forward, odd = mirrored; N (4032) is a whole number of days,
so every 15m..1d candle lies inside one cycle.

Inside the forming 5m candle the price follows a deterministic path through the candle's real
values: open -> low -> high -> close for a rising candle (open -> high -> low -> close otherwise),
one third of the candle per leg, rounded to the tick (integer maths only). At the end of the
candle the price is the real close, and high/low reached so far are the real ones.
"""
from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from .dataset import CANDLE_MS, CLOSE, HIGH, LOW, OPEN, QUOTE, TRADES, VOLUME, Dataset, SymbolSpec

LEG_1, LEG_2 = CANDLE_MS // 3, 2 * CANDLE_MS // 3
DAY_CANDLES = 288


class Clock:
    """Virtual time in ms: ``start`` plus wall time elapsed x ``speed``; moves only forward."""

    def __init__(self, start_ms: int, speed: float = 1.0):
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self._anchor_virtual = start_ms
        self._anchor_wall = time.monotonic()
        self._speed = speed

    @property
    def speed(self) -> float:
        return self._speed

    def now_ms(self) -> int:
        return self._anchor_virtual + int((time.monotonic() - self._anchor_wall) * 1000 * self._speed)

    def _rebase(self, virtual_ms: int) -> None:
        self._anchor_virtual, self._anchor_wall = virtual_ms, time.monotonic()

    def step(self, ms: int) -> int:
        if ms < 0:
            raise ValueError("the clock only moves forward")
        self._rebase(self.now_ms() + ms)
        return self._anchor_virtual

    def set_time(self, ms: int) -> int:
        if ms < self.now_ms():
            raise ValueError("the clock only moves forward")
        self._rebase(ms)
        return ms

    def set_speed(self, speed: float) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self._rebase(self.now_ms())
        self._speed = speed


class Candle(NamedTuple):
    open_time: int
    close_time: int
    open: int
    high: int
    low: int
    close: int
    volume: int
    quote: int
    trades: int
    taker_base: int
    taker_quote: int
    first_id: int
    last_id: int
    closed: bool


class Stats24h(NamedTuple):
    open_time: int
    close_time: int
    open: int
    high: int
    low: int
    last: int
    prev_close: int
    volume: int
    quote: int
    first_id: int
    last_id: int
    count: int


def path_points(o: int, h: int, lo: int, c: int) -> tuple[int, int, int, int]:
    return (o, lo, h, c) if c >= o else (o, h, lo, c)


def path_price(points: tuple[int, int, int, int], elapsed: int) -> int:
    if elapsed < LEG_1:
        a, b, s, e = points[0], points[1], 0, LEG_1
    elif elapsed < LEG_2:
        a, b, s, e = points[1], points[2], LEG_1, LEG_2
    else:
        a, b, s, e = points[2], points[3], LEG_2, CANDLE_MS
    return a + (b - a) * (elapsed - s) // (e - s)


class Replay:
    """Candles of every symbol at any virtual time (stateless but for small caches)."""

    def __init__(self, dataset: Dataset):
        self.ds = dataset
        self.n = dataset.candle_count
        self._stats_cache: dict[str, tuple[int, tuple]] = {}

    # -- positions -------------------------------------------------------------------------
    def index_at(self, spec: SymbolSpec, t: int) -> int:
        """Logical 5m index of the candle open at ``t``."""
        return (t - self.ds.first_open_time) // CANDLE_MS + spec.shift

    def open_time(self, spec: SymbolSpec, i: int) -> int:
        return self.ds.first_open_time + (i - spec.shift) * CANDLE_MS

    def locate(self, L: int, k: int) -> tuple[bool, int]:
        """(mirrored, data row) of logical ``k``-candle index ``L``."""
        rows = self.n // k
        cycle, pos = divmod(L, rows)
        mirrored = bool(cycle & 1)
        return mirrored, (rows - 1 - pos if mirrored else pos)

    def first_trade_id(self, spec: SymbolSpec, i: int) -> int:
        source = self.ds.sources[spec.source]
        cycle, pos = divmod(i, self.n)
        if cycle & 1:  # played backwards: the trades of the candles after this one in the data
            before = source.total_trades - source.trades_before[self.n - pos]
        else:
            before = source.trades_before[pos]
        return spec.trade_id_base + cycle * source.total_trades + int(before)

    # -- candles ---------------------------------------------------------------------------
    def closed(self, spec: SymbolSpec, k: int, L: int) -> Candle:
        mirrored, row = self.locate(L, k)
        col = self.ds.sources[spec.source].table(k, mirrored)[:, row].tolist()
        t = self.open_time(spec, L * k)
        first = self.first_trade_id(spec, L * k)
        return Candle(t, t + k * CANDLE_MS - 1, *col, first, self.first_trade_id(spec, (L + 1) * k) - 1, True)

    def _forming_5m(self, spec: SymbolSpec, i: int, elapsed: int) -> tuple[list[int], int, int]:
        """(partial [o,h,l,c,v,q,n,V,Q], price, trades so far) of 5m candle ``i`` after ``elapsed`` ms."""
        mirrored, row = self.locate(i, 1)
        o, h, lo, c, v, q, n, tb, tq = self.ds.sources[spec.source].table(1, mirrored)[:, row].tolist()
        points = path_points(o, h, lo, c)
        price = path_price(points, elapsed)
        passed = [points[0], price]
        if elapsed >= LEG_1:
            passed.append(points[1])
        if elapsed >= LEG_2:
            passed.append(points[2])
        n_part = min(n, 1 + n * elapsed // CANDLE_MS)
        part = [o, max(passed), min(passed), price, v * elapsed // CANDLE_MS, q * elapsed // CANDLE_MS,
                n_part, tb * elapsed // CANDLE_MS, tq * elapsed // CANDLE_MS]
        return part, price, n_part

    def forming(self, spec: SymbolSpec, k: int, now: int) -> Candle:
        i = self.index_at(spec, now)
        elapsed = now - self.open_time(spec, i)
        part, price, n_part = self._forming_5m(spec, i, elapsed)
        L = i // k
        start = L * k
        if start < i:  # closed 5m candles of this group, all inside one cycle
            cycle, p1 = divmod(i, self.n)
            p0 = start - cycle * self.n
            mirrored = bool(cycle & 1)
            base = self.ds.sources[spec.source].table(1, mirrored)
            lo_row, hi_row = (self.n - p1, self.n - p0) if mirrored else (p0, p1)
            block = base[:, lo_row:hi_row]
            first_open = int(base[OPEN, hi_row - 1] if mirrored else base[OPEN, lo_row])
            sums = block[VOLUME:].sum(axis=1).tolist()
            part = [first_open, max(part[1], int(block[HIGH].max())), min(part[2], int(block[LOW].min())),
                    price] + [a + b for a, b in zip(sums, part[VOLUME:])]
        t = self.open_time(spec, start)
        first = self.first_trade_id(spec, start)
        last = self.first_trade_id(spec, i) + n_part - 1
        return Candle(t, t + k * CANDLE_MS - 1, *part, first, last, False)

    def price(self, spec: SymbolSpec, now: int) -> int:
        i = self.index_at(spec, now)
        mirrored, row = self.locate(i, 1)
        o, h, lo, c = self.ds.sources[spec.source].table(1, mirrored)[:CLOSE + 1, row].tolist()
        return path_price(path_points(o, h, lo, c), now - self.open_time(spec, i))

    def waypoints(self, spec: SymbolSpec, after: int, until: int, max_candles: int = DAY_CANDLES):
        """(time, price) of every path corner in (after, until], then the price at ``until``."""
        out: list[tuple[int, int]] = []
        i_end = self.index_at(spec, until)
        i = max(self.index_at(spec, after), i_end - max_candles + 1)
        while i <= i_end:
            t0 = self.open_time(spec, i)
            mirrored, row = self.locate(i, 1)
            o, h, lo, c = self.ds.sources[spec.source].table(1, mirrored)[:CLOSE + 1, row].tolist()
            points = path_points(o, h, lo, c)
            for offset, value in zip((0, LEG_1, LEG_2, CANDLE_MS - 1), points):
                if after < t0 + offset <= until:
                    out.append((t0 + offset, value))
            i += 1
        if not out or out[-1][0] != until:
            out.append((until, self.price(spec, until)))
        return out

    # -- 24h rolling window ------------------------------------------------------------------
    def _closed_window(self, spec: SymbolSpec, a: int, b: int) -> tuple:
        """(open, high, low, prev_close, volume, quote, trades) of closed logical 5m [a, b)."""
        source = self.ds.sources[spec.source]
        highs, lows, sums = [], [], np.zeros(3, dtype=np.int64)
        i = a
        while i < b:
            cycle, pos = divmod(i, self.n)
            end = min(b, (cycle + 1) * self.n)
            p1 = pos + end - i
            mirrored = bool(cycle & 1)
            table = source.table(1, mirrored)
            lo_row, hi_row = (self.n - p1, self.n - pos) if mirrored else (pos, p1)
            highs.append(table[HIGH, lo_row:hi_row].max())
            lows.append(table[LOW, lo_row:hi_row].min())
            sums += table[VOLUME:TRADES + 1, lo_row:hi_row].sum(axis=1)
            i = end
        first = self._row(spec, a)
        prev = self._row(spec, a - 1)[CLOSE] if a - 1 >= spec.shift else first[OPEN]
        if a == b:
            return first[OPEN], None, None, prev, 0, 0, 0
        return (first[OPEN], int(max(highs)), int(min(lows)), prev, *(int(x) for x in sums))

    def _row(self, spec: SymbolSpec, i: int) -> list[int]:
        mirrored, row = self.locate(i, 1)
        return self.ds.sources[spec.source].table(1, mirrored)[:, row].tolist()

    def stats_24h(self, spec: SymbolSpec, now: int) -> Stats24h:
        i = self.index_at(spec, now)
        a = max(spec.shift, i - DAY_CANDLES + 1)
        cached = self._stats_cache.get(spec.name)
        if cached is None or cached[0] != i:
            cached = (i, self._closed_window(spec, a, i))
            self._stats_cache[spec.name] = cached
        o, hi, lo, prev, v, q, n = cached[1]
        part, price, n_part = self._forming_5m(spec, i, now - self.open_time(spec, i))
        if a == i:
            o = part[OPEN]
        high = part[HIGH] if hi is None else max(hi, part[HIGH])
        low = part[LOW] if lo is None else min(lo, part[LOW])
        first = self.first_trade_id(spec, a)
        last = self.first_trade_id(spec, i) + n_part - 1
        return Stats24h(now - 86_400_000, now, o, high, low, price, prev, v + part[VOLUME],
                        q + part[QUOTE], first, last, last - first + 1)
