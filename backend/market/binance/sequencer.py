"""Closed candles exactly once and in order per (symbol, interval), whatever the streams do.

Streams drop, stall, reconnect and overlap; candles arrive late, twice, or never. The
sequencer keeps, per stream, the open time of the last candle it released (`last`) and a
buffer of closed candles received ahead of it (`pending`):

* a candle at or before `last`, or already pending, is a duplicate and dropped;
* the candle right after `last` is released at once, followed by any pending ones it unblocks;
* a candle further ahead waits in `pending` while a background task fetches the missing
  range over REST (`backfill(symbol, interval, first_open, last_open)`), then releases the
  range and the buffer in order. Newer candles are never released before older ones.
* `catch_up(..., last_closed)` after a (re)connect or on a timer: if the stream is behind
  what the exchange says has closed, the same backfill runs. A stream never seen before
  is seeded with the last `seed` closed candles (or starts after the current one if 0).

If the exchange itself has no candle for part of a gap (a trading halt), the hole is
logged, counted in `stats.holes` and skipped once the candles after it are known.
A failing backfill (timeouts, a ban) is retried with backoff; candles stay buffered.
"""
from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from market.binance.schemas import INTERVAL_MS, Candle

logger = logging.getLogger(__name__)

Backfill = Callable[[str, str, int, int], Awaitable[list[Candle]]]
Release = Callable[[Candle, str], None]  # (candle, source): "stream" | "backfill"


@dataclass
class SequencerStats:
    released: int = 0
    from_stream: int = 0
    backfilled: int = 0
    duplicates: int = 0
    holes: int = 0
    backfill_failures: int = 0


@dataclass
class _Stream:
    symbol: str
    interval: str
    step: int
    last: int | None
    known_closed: int = -1  # newest open time the exchange says is closed
    pending: dict[int, tuple[Candle, str]] = field(default_factory=dict)  # open time -> (candle, source)
    task: asyncio.Task | None = None


class KlineSequencer:
    def __init__(self, backfill: Backfill, release: Release, *, seed: int = 0,
                 retry_base_s: float = 0.5, retry_cap_s: float = 30.0) -> None:
        self._backfill = backfill
        self._release = release
        self.seed = seed
        self._retry_base_s, self._retry_cap_s = retry_base_s, retry_cap_s
        self._streams: dict[tuple[str, str], _Stream] = {}
        self.stats = SequencerStats()

    # --- tracking -----------------------------------------------------------------
    def track(self, symbol: str, interval: str, last: int | None) -> None:
        """Follow a stream; `last` is the open time of the last candle already released (resume point)."""
        if (symbol, interval) not in self._streams:
            self._streams[(symbol, interval)] = _Stream(symbol, interval, INTERVAL_MS[interval], last)

    def untrack(self, symbol: str, interval: str) -> None:
        stream = self._streams.pop((symbol, interval), None)
        if stream is not None and stream.task is not None:
            stream.task.cancel()

    def last(self, symbol: str, interval: str) -> int | None:
        stream = self._streams.get((symbol, interval))
        return None if stream is None else stream.last

    def tracked(self) -> list[tuple[str, str]]:
        return list(self._streams)

    def busy(self) -> bool:
        """True while a stream has buffered candles or a backfill running."""
        return any(s.pending or (s.task is not None and not s.task.done()) for s in self._streams.values())

    async def close(self) -> None:
        tasks = [s.task for s in self._streams.values() if s.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- input --------------------------------------------------------------------
    def on_closed(self, candle: Candle) -> None:
        """A closed candle from a stream. Never blocks: gaps are filled by a background task."""
        stream = self._streams.get((candle.symbol, candle.interval))
        if stream is None:
            return
        t = candle.open_time
        if (stream.last is not None and t <= stream.last) or t in stream.pending:
            self.stats.duplicates += 1
            return
        stream.pending[t] = (candle, "stream")
        stream.known_closed = max(stream.known_closed, t)
        self._drain(stream)
        if stream.pending and stream.last is not None:
            self._settle_soon(stream)

    def opened(self, symbol: str, interval: str, open_time: int) -> None:
        """A stream shows the candle opened at `open_time` forming: the one before it is closed."""
        stream = self._streams.get((symbol, interval))
        if stream is not None and stream.last is not None and open_time - stream.step > stream.known_closed:
            self.catch_up(symbol, interval, open_time - stream.step)

    def catch_up(self, symbol: str, interval: str, last_closed: int) -> None:
        """The exchange says the candle opened at `last_closed` is closed: fetch whatever we lack up to it."""
        stream = self._streams.get((symbol, interval))
        if stream is None:
            return
        stream.known_closed = max(stream.known_closed, last_closed)
        if stream.last is None and self.seed == 0:
            stream.last = last_closed  # start after the current candle; nothing to replay
            for t in [t for t in stream.pending if t <= last_closed]:
                del stream.pending[t]
            self._drain(stream)
        if stream.last is None or stream.last < stream.known_closed:
            self._settle_soon(stream)

    # --- internals ----------------------------------------------------------------
    def _drain(self, stream: _Stream) -> None:
        if stream.last is None:
            return
        while stream.last + stream.step in stream.pending:
            stream.last += stream.step
            candle, source = stream.pending.pop(stream.last)
            self.stats.released += 1
            if source == "stream":
                self.stats.from_stream += 1
            self._release(candle, source)

    def _settle_soon(self, stream: _Stream) -> None:
        if stream.task is None or stream.task.done():
            stream.task = asyncio.get_running_loop().create_task(self._settle(stream))

    async def _settle(self, stream: _Stream) -> None:
        failures = 0
        short_answers = 0
        while True:
            if stream.last is None:  # seed: the last `seed` closed candles
                if stream.known_closed < 0:
                    return
                start = stream.known_closed - (self.seed - 1) * stream.step
                end = stream.known_closed
            else:
                horizon = max([stream.known_closed, *stream.pending])
                if stream.last >= horizon:
                    return
                start = stream.last + stream.step
                end = min(stream.pending) - stream.step if stream.pending else horizon
            try:
                fetched = await self._backfill(stream.symbol, stream.interval, start, end)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # BinanceError, or a ban refused without sending: try again later
                failures += 1
                self.stats.backfill_failures += 1
                delay = random.uniform(0, min(self._retry_cap_s, self._retry_base_s * 2 ** failures))
                logger.warning("backfill %s %s %d..%d failed (%s); retrying in %.1f s",
                               stream.symbol, stream.interval, start, end, exc, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            for candle in fetched:
                if start <= candle.open_time <= end and (stream.last is None or candle.open_time > stream.last):
                    stream.pending.setdefault(candle.open_time, (candle, "backfill"))
            self.stats.backfilled += sum(1 for c in fetched if start <= c.open_time <= end)
            if stream.last is None:
                stream.last = min(stream.pending, default=end + stream.step) - stream.step
            self._drain(stream)
            if stream.last >= end:
                short_answers = 0
                continue
            if stream.pending:  # nothing exists between last and the next known candle
                self.stats.holes += 1
                logger.warning("no candles %s %s from %d to %d on the exchange; skipping the hole", stream.symbol,
                               stream.interval, stream.last + stream.step, min(stream.pending) - stream.step)
                stream.last = min(stream.pending) - stream.step
                self._drain(stream)
                continue
            short_answers += 1  # the exchange has not published the newest candle yet
            if short_answers > 3:
                self.stats.holes += 1
                logger.warning("candles %s %s up to %d never appeared; moving on", stream.symbol, stream.interval, end)
                stream.last = end
                return
            await asyncio.sleep(0.5 * short_answers)
