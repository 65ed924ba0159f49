"""The engine's pure parts: candle windows (seeded once, appended, cut at a candle) and the loop
(per-run order, a blocked run does not hold the others, a failed run's candles are skipped, an
infrastructure error leaves the entry unacknowledged, a stopping engine leaves queued candles).
No Django, no Redis: a fake glue with the same three members."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pytest

from strategies.engine.loop import Engine, RunSpec, settled
from strategies.engine.windows import CandleWindows, timeframe_ms

M5 = 300_000


def rows(n: int, start: int = 0) -> np.ndarray:
    t = np.arange(start, start + n, dtype=np.float64) * M5
    return np.column_stack([t, t + 1, t + 2, t + 0.5, t + 1.5, np.ones(n)])


def test_windows_seed_once_append_and_cut():
    calls = []

    def loader(symbol, tf, n):
        calls.append((symbol, tf, n))
        return rows(4)

    w = CandleWindows(loader, size=5)
    w.append("BTCUSDT", "5m", (4 * M5, 1, 1, 1, 1, 1))  # unseeded: ignored (the seed reads the store)
    assert len(w.rows("BTCUSDT", "5m")) == 4 and calls == [("BTCUSDT", "5m", 5)]
    for k in (4, 5, 5, 3):  # newer ones appended; the same or an older one ignored
        w.append("BTCUSDT", "5m", (k * M5, k, k, k, k * 10.0, 1))
    got = w.rows("BTCUSDT", "5m")
    assert list(got[:, 0] / M5) == [1, 2, 3, 4, 5]  # trimmed to size 5
    held = w.view("BTCUSDT", "5m", until_close_ms=4 * M5 + M5)  # as of the close of candle 4
    assert list(held.close) == [M5 + 1.5, 2 * M5 + 1.5, 3 * M5 + 1.5, 40.0]
    w.append("BTCUSDT", "5m", (6 * M5, 6, 6, 6, 60.0, 1))
    assert list(held.close)[-1] == 40.0  # a view already taken never changes
    assert w.view("BTCUSDT", "5m", 7 * M5).close[-1] == 60.0 and len(calls) == 1
    assert timeframe_ms("1h") == 3_600_000 and timeframe_ms("1d") == 86_400_000


@dataclass(frozen=True)
class C:
    symbol: str
    interval: str
    open_time: int
    open: str = "1"
    high: str = "1"
    low: str = "1"
    close: str = "1"
    volume: str = "1"


@dataclass(frozen=True)
class Ev:
    id: str
    candle: C


class Glue:
    def __init__(self, specs, *, block: int | None = None, fail: int | None = None, broken: int | None = None):
        self.specs, self.block, self.fail, self.broken = specs, block, fail, broken
        self.windows = CandleWindows(lambda s, tf, n: np.empty((0, 6)))
        self.handled: list[tuple[int, str]] = []
        self.release, self.entered = threading.Event(), threading.Event()
        self.lock = threading.Lock()

    def runs_active(self):
        return {s.id: s for s in self.specs}

    def handle(self, run_id, event):
        if run_id == self.block:
            self.entered.set()
            self.release.wait(30)
        if run_id == self.broken and event.id == "e1":
            raise ConnectionError("the database is away")
        if run_id == self.fail:
            return "failed"
        with self.lock:
            self.handled.append((run_id, event.id))
        return "handled"


def events(n: int, symbol="BTCUSDT") -> list[Ev]:
    return [Ev(f"e{i}", C(symbol, "5m", i * M5)) for i in range(n)]


def run(coro):
    return asyncio.run(coro)


def test_each_run_gets_its_candles_in_order_and_entries_are_acked_when_all_are_done():
    async def main():
        glue = Glue([RunSpec(1, frozenset({"BTCUSDT"}), "5m"), RunSpec(2, frozenset({"BTCUSDT", "ETHUSDT"}), "5m"),
                     RunSpec(3, frozenset({"BTCUSDT"}), "1h")])
        engine = Engine(glue, executor=ThreadPoolExecutor(4))
        await engine.refresh()
        acked = await engine.dispatch(events(5) + [Ev("eth", C("ETHUSDT", "5m", 0))])
        await engine.close()
        return glue, acked

    glue, acked = run(main())
    assert acked == [f"e{i}" for i in range(5)] + ["eth"]
    for run_id, expected in ((1, [f"e{i}" for i in range(5)]), (2, [f"e{i}" for i in range(5)] + ["eth"]), (3, [])):
        assert [e for r, e in glue.handled if r == run_id] == expected


def test_a_blocked_run_does_not_hold_the_others():
    async def main():
        glue = Glue([RunSpec(1, frozenset({"BTCUSDT"}), "5m"), RunSpec(2, frozenset({"ETHUSDT"}), "5m")], block=1)
        engine = Engine(glue, executor=ThreadPoolExecutor(4))
        await engine.refresh()
        waits = engine.submit(events(3) + events(3, "ETHUSDT"))
        eth = [f for entry_id, futures in waits[3:] for f in futures]
        assert await settled(eth)  # run 2 finished while run 1 is still blocked on its first candle
        handled_while_blocked = list(glue.handled)
        glue.release.set()
        assert all([await settled(f) for _, f in waits])
        await engine.close()
        return handled_while_blocked, glue.handled

    during, after = run(main())
    assert during == [(2, "e0"), (2, "e1"), (2, "e2")]
    assert [e for r, e in after if r == 1] == ["e0", "e1", "e2"]


def test_a_failed_run_is_skipped_and_an_infrastructure_error_is_not_acked():
    async def main():
        glue = Glue([RunSpec(1, frozenset({"BTCUSDT"}), "5m"), RunSpec(2, frozenset({"BTCUSDT"}), "5m")],
                    fail=1, broken=2)
        engine = Engine(glue, executor=ThreadPoolExecutor(2))
        await engine.refresh()
        acked = await engine.dispatch(events(3))
        closed = engine.slots[1].closed
        await engine.close()
        return acked, closed, glue.handled

    acked, closed, handled = run(main())
    assert closed and acked == ["e0", "e2"]  # e1: run 2 met the database away: read again later
    assert handled == [(2, "e0"), (2, "e2")]


def test_a_stopping_engine_leaves_queued_candles_unacknowledged():
    async def main():
        glue = Glue([RunSpec(1, frozenset({"BTCUSDT"}), "5m")], block=1)
        engine = Engine(glue, executor=ThreadPoolExecutor(2))
        await engine.refresh()
        waits = engine.submit(events(3))
        await asyncio.get_running_loop().run_in_executor(None, glue.entered.wait, 30)
        glue.release.set()  # the candle in flight finishes; the two queued ones are left
        await engine.close()
        return [await settled(f) for _, f in waits]

    assert run(main()) == [True, False, False]


@pytest.mark.parametrize("module", ["strategies.engine.loop", "strategies.engine.windows"])
def test_the_pure_modules_import_no_django(module):
    code = f"import sys, {module}; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=__file__.rsplit("/strategies/", 1)[0])
    assert out.stdout.strip() == "False"
