"""The engine's asyncio loop: one isolated task per running strategy.  No Django.

`Engine` is given a `glue` with three blocking calls, run in worker threads:

    runs_active() -> {run id: RunSpec}          the RUNNING runs (polled every `poll_s`)
    handle(run_id, event) -> "handled" | "skipped" | "failed"
    windows                                      a `CandleWindows` the loop appends to

Each running strategy has its own queue and task, so its candles are handled one at a time and in
order, while different runs are handled side by side (up to the executor's threads).  A run's
failure is its own: `handle` marks it ERROR and answers "failed"; its slot closes and whatever was
queued for it is skipped.  Any other exception (the database or Redis away) leaves the stream
entry unacknowledged: it is read again from the consumer's pending list and, since a handled
candle is recorded per run, handled at most once by each run.

`submit(events)` appends every candle to the windows and queues it for the runs that want its
(symbol, timeframe), without waiting: the caller acknowledges each entry once its runs are done
(`settled`), so a slow run never holds the candles of the others.  `dispatch` waits for them all.
"""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Executor
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunSpec:
    id: int
    symbols: frozenset[str]
    timeframe: str


class EngineStopping(Exception):
    """The engine stops: a candle queued for a run is left for the next start."""


async def settled(futures) -> bool:
    """Wait for the runs of one entry; True when none of them met an infrastructure error."""
    results = await asyncio.gather(*futures, return_exceptions=True)
    return not any(isinstance(r, BaseException) for r in results)


class _Slot:
    """One running strategy: its queue and the task that drains it."""

    def __init__(self, engine: "Engine", spec: RunSpec):
        self.spec, self.engine, self.closed = spec, engine, False
        self.queue: asyncio.Queue = asyncio.Queue()
        self.task = asyncio.create_task(self._drain(), name=f"strategy-run-{spec.id}")

    def wants(self, event) -> bool:
        c = event.candle
        return not self.closed and c.interval == self.spec.timeframe and c.symbol in self.spec.symbols

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            item = await self.queue.get()
            if item is None:  # closed: what was in flight has finished
                return
            event, done = item
            if self.closed:
                done.set_result("skipped")
                continue
            try:
                outcome = await loop.run_in_executor(self.engine.executor, self.engine.glue.handle, self.spec.id, event)
            except Exception as exc:  # noqa: BLE001 — infrastructure: the entry stays pending
                logger.warning("run %s: candle %s not handled (%s); it will be read again", self.spec.id, event.id, exc)
                done.set_exception(exc)
                continue
            if outcome == "failed":
                self.closed = True
            done.set_result(outcome)

    def close(self, *, stopping: bool = False) -> None:
        """No more candles for this run: what is queued is skipped (the run was paused, stopped or
        failed), or, when the engine is `stopping`, left unhandled (read again at the next start)."""
        self.closed = True
        while not self.queue.empty():
            item = self.queue.get_nowait()
            if item is not None and not item[1].done():
                if stopping:
                    item[1].set_exception(EngineStopping())
                else:
                    item[1].set_result("skipped")
        self.queue.put_nowait(None)


class Engine:
    def __init__(self, glue, *, executor: Executor, poll_s: float = 1.0):
        self.glue, self.executor, self.poll_s = glue, executor, poll_s
        self.slots: dict[int, _Slot] = {}

    async def refresh(self) -> None:
        """Start a task for each run newly RUNNING, close the slots of the others."""
        loop = asyncio.get_running_loop()
        active = await loop.run_in_executor(self.executor, self.glue.runs_active)
        for run_id in [r for r in self.slots if r not in active or self.slots[r].closed]:
            self.slots.pop(run_id).close()
        for run_id, spec in active.items():
            slot = self.slots.get(run_id)
            if slot is not None and slot.spec != spec:
                self.slots.pop(run_id).close()
            if run_id not in self.slots:
                self.slots[run_id] = _Slot(self, spec)

    async def follow_runs(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.refresh()
            except Exception as exc:  # noqa: BLE001 — the database away: keep the runs we know
                logger.warning("runs not refreshed: %s", exc)
            try:
                await asyncio.wait_for(stop.wait(), self.poll_s)
            except TimeoutError:
                pass

    def submit(self, events) -> list[tuple[str, list[asyncio.Future]]]:
        """Append each candle to the windows and queue it for the runs that want it; per entry id
        the futures of those runs (an entry no run wants has none: it can be acknowledged now)."""
        loop = asyncio.get_running_loop()
        waits = []
        for event in events:
            c = event.candle
            self.glue.windows.append(c.symbol, c.interval, (c.open_time, float(c.open), float(c.high), float(c.low),
                                                            float(c.close), float(c.volume)))
            futures = []
            for slot in self.slots.values():
                if slot.wants(event):
                    done = loop.create_future()
                    slot.queue.put_nowait((event, done))
                    futures.append(done)
            waits.append((event.id, futures))
        return waits

    async def dispatch(self, events) -> list[str]:
        """`submit`, then wait for every run: the ids of the entries all of them handled."""
        acked = []
        for entry_id, futures in self.submit(events):
            if await settled(futures):
                acked.append(entry_id)
        return acked

    async def close(self) -> None:
        for slot in self.slots.values():
            slot.close(stopping=True)
        await asyncio.gather(*(s.task for s in self.slots.values()), return_exceptions=True)
        self.slots.clear()
