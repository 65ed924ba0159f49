"""Released candles on their way out: batched, in release order, retried until delivered.

The sequencer releases candles one by one; the outbox hands them to `deliver` (the candle store
and the Redis event stream) in batches: every candle released within `flush_s` of the first goes
in one call, so the candles of one close of the whole universe become one upsert and one MULTI.
A `deliver` failing for want of a connection (PostgreSQL or Redis away) is retried with backoff;
nothing is dropped and nothing overtakes, so order per (symbol, interval) survives outages. Any
other failure is the data's fault, not the outage's: the batch is then delivered candle by
candle and a candle that still fails is quarantined (logged, counted, dropped), so one bad
candle can never stop the candle store by being retried forever.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from market.binance.kline_checks import kline_quarantine
from market.binance.schemas import Candle

logger = logging.getLogger(__name__)

Deliver = Callable[[list[tuple[Candle, str]]], Awaitable[None]]


def is_outage(exc: BaseException) -> bool:
    """A failure that retrying cures: the store or Redis is unreachable, not the data wrong."""
    import redis
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, (OperationalError, InterfaceError, redis.exceptions.ConnectionError,
                            redis.exceptions.TimeoutError, ConnectionError, TimeoutError, OSError))


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
                except Exception as exc:
                    if not is_outage(exc):
                        batch = await self._deliver_one_by_one(batch, exc)
                        if not batch:
                            break
                        continue
                    failures += 1  # the store or Redis is down: keep the batch, retry
                    logger.exception("delivering %d candles failed; retrying", len(batch))
                    await asyncio.sleep(min(10.0, 0.2 * 2 ** failures))
            self.delivered += len(batch)
            if self._on_delivered is not None:
                for candle, _ in batch:
                    self._on_delivered(candle)

    async def _deliver_one_by_one(self, batch: list[tuple[Candle, str]], exc: Exception) -> list[tuple[Candle, str]]:
        """Deliver each candle alone; quarantine those that fail for their own sake. Returns what
        is left to retry (from the first one that met an outage on), [] when all are settled."""
        logger.warning("delivering %d candles failed (%s: %s); delivering them one by one",
                       len(batch), type(exc).__name__, exc)
        for index, item in enumerate(batch):
            try:
                await self._deliver([item])
            except asyncio.CancelledError:
                self._items[:0] = batch[index:]
                raise
            except Exception as item_exc:
                if is_outage(item_exc):
                    return batch[index:]
                candle, source = item
                kline_quarantine(f"store refused it ({type(item_exc).__name__})", symbol=candle.symbol,
                                 interval=candle.interval, open_time=candle.open_time, source=source)
                continue
            self.delivered += 1
            if self._on_delivered is not None:
                self._on_delivered(item[0])
        return []
