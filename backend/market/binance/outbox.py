"""Released candles on their way out: batched, in release order, retried until delivered.

The sequencer releases candles one by one; the outbox hands them to `deliver` (the candle store
and the Redis event stream) in batches: every candle released within `flush_s` of the first goes
in one call, so the candles of one close of the whole universe become one upsert and one MULTI.
A failing `deliver` (PostgreSQL or Redis away) is retried with backoff; nothing is dropped and
nothing overtakes, so order per (symbol, interval) survives outages.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from market.binance.schemas import Candle

logger = logging.getLogger(__name__)

Deliver = Callable[[list[tuple[Candle, str]]], Awaitable[None]]


class CandleOutbox:
    def __init__(self, deliver: Deliver, *, flush_s: float = 0.02,
                 on_delivered: Callable[[Candle], None] | None = None) -> None:
        self._deliver = deliver
        self._flush_s = flush_s
        self._on_delivered = on_delivered
        self._items: list[tuple[Candle, str]] = []
        self._ready = asyncio.Event()
        self.delivered = 0

    def put(self, candle: Candle, source: str) -> None:
        self._items.append((candle, source))
        self._ready.set()

    async def run(self) -> None:
        """Deliver as candles come, until cancelled (then call `flush()` for the rest)."""
        while True:
            await self._ready.wait()
            await asyncio.sleep(self._flush_s)
            await self.flush()

    async def flush(self) -> None:
        failures = 0
        while self._items:
            self._ready.clear()
            batch, self._items = self._items, []
            while True:
                try:
                    await self._deliver(batch)
                    break
                except asyncio.CancelledError:
                    self._items[:0] = batch  # keep them for the final flush
                    raise
                except Exception:  # the store or Redis is down: keep the batch, retry
                    failures += 1
                    logger.exception("delivering %d candles failed; retrying", len(batch))
                    await asyncio.sleep(min(10.0, 0.2 * 2 ** failures))
            self.delivered += len(batch)
            if self._on_delivered is not None:
                for candle, _ in batch:
                    self._on_delivered(candle)
