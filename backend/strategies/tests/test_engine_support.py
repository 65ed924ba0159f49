"""What the engine tests share (no tests here): synthetic candles in the store and on a stream of
the test's own, strategies as versions, runs, and the engine in a thread of the test process."""
from __future__ import annotations

import asyncio
import math
import threading
import time
import uuid

import numpy as np
import redis
from django.conf import settings

from market.binance.schemas import Candle
from market.candle_events import candle_event_fields
from strategies.engine.process import GROUP
from strategies.models import Strategy, StrategyRun, StrategyVersion
from strategies.runtime import Candles

T0 = 1_764_547_200_000  # a 5-minute boundary (epoch ms)
TF, TF_MS = "5m", 300_000


def candles_make(symbol: str, n: int, *, base: float = 84_000.0) -> list[Candle]:
    """A wave of closes of +-1% (EMA 9 and 21 cross every ~20 candles) near the sandbox's BTC
    price, so the orders it makes are in the risk limits; highs and lows around them."""
    out = []
    for i in range(n):
        close = base * (1 + 0.01 * math.sin(i / 6))
        prev = base * (1 + 0.01 * math.sin((i - 1) / 6))
        o, hi, lo = prev, max(prev, close) * 1.0005, min(prev, close) * 0.9995
        out.append(Candle(symbol, TF, T0 + i * TF_MS, T0 + (i + 1) * TF_MS - 1, f"{o:.2f}", f"{hi:.2f}",
                          f"{lo:.2f}", f"{close:.2f}", "10", "1000", 5, "5", "500"))
    return out


def candles_as_arrays(candles: list[Candle]) -> Candles:
    cols = np.array([[float(c.open), float(c.high), float(c.low), float(c.close), float(c.volume)] for c in candles])
    return Candles(*(np.ascontiguousarray(cols[:, i]) for i in range(5)))


def version_make(owner, ir: dict, name: str = "s") -> StrategyVersion:
    strategy = Strategy.objects.create(owner=owner, name=name, last_version=1)
    return StrategyVersion.objects.create(strategy=strategy, number=1, workspace={}, ir=ir)


def run_make(version, account, symbols, **fields) -> StrategyRun:
    return StrategyRun.objects.create(owner=version.strategy.owner, version=version, exchange_account=account,
                                      symbols=symbols, timeframe=TF, **fields)


class Stream:
    """A candle stream key of this test, with the engine's group created before any entry."""

    def __init__(self):
        self.key = f"test:candles:{uuid.uuid4().hex[:8]}"
        self.client = redis.Redis.from_url(settings.REDIS_URL)
        self.client.xgroup_create(self.key, GROUP, id="0", mkstream=True)

    def publish(self, candles: list[Candle]) -> list[str]:
        market = settings.BINANCE.market
        return [self.client.xadd(self.key, candle_event_fields(c, source="stream", market=market)).decode()
                for c in candles]

    def pending(self) -> int:
        return self.client.xpending(self.key, GROUP)["pending"]

    def delete(self) -> None:
        self.client.delete(self.key)


class EngineThread:
    """`engine_run` on its own event loop in a thread of this process (shares the test database)."""

    def __init__(self, stream: Stream, **kwargs):
        from strategies.engine.process import engine_run

        self.loop = asyncio.new_event_loop()
        self.stop = asyncio.Event()
        self.error: BaseException | None = None

        def main():
            try:
                self.loop.run_until_complete(engine_run(self.stop, stream=stream.key, block_ms=100, **kwargs))
            except BaseException as exc:  # noqa: BLE001 — reported by close()
                self.error = exc
            finally:
                from django.db import connections

                connections.close_all()

        self.thread = threading.Thread(target=main, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(30)
        assert not self.thread.is_alive(), "the engine did not stop"
        if self.error:
            raise self.error


def wait_for(predicate, *, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
