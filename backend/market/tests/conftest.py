"""Fixtures of the market tests: the sandbox exchange on a loopback port and clients sharing a governor."""
from __future__ import annotations

import contextlib
import time
import uuid
from dataclasses import dataclass, field

import aiohttp
import pytest
from django.conf import settings

from market.binance.client import BinanceClient
from market.binance.governor import WeightGovernor
from market.binance.retry import RetryPolicy
from market.binance.venues import venue_for
from sandbox.config import SandboxConfig
# The sandbox's own fixtures, resolved with the `sandbox_config` defined here.
from sandbox.tests.conftest import sandbox_factory, sandbox_server  # noqa: F401


DATA_START_MS = 1_765_929_600_000  # first recorded candle of the sandbox replay set (2025-12-17)
DAY_MS = 86_400_000


@pytest.fixture
def sandbox_config(tmp_path) -> SandboxConfig:
    # Paused clock (tests step it), fast stream ticks, and 40 days of replayed history so that
    # 200 candles exist on every interval up to 4h.
    return SandboxConfig(speed=0.0, tick_interval=0.05, keys_file=tmp_path / "keys.json",
                         start=DATA_START_MS + 40 * DAY_MS)


@pytest.fixture
def sandbox(sandbox_server):
    """(base_url, app) of a sandbox on 127.0.0.1:<free port>, with this module's `sandbox_config`."""
    return sandbox_server


@dataclass
class RequestLog:
    """When each request started and ended on the client side, with its status."""

    starts: list[float] = field(default_factory=list)
    ends: list[tuple[float, int, dict]] = field(default_factory=list)

    def trace_config(self) -> aiohttp.TraceConfig:
        trace = aiohttp.TraceConfig()

        async def on_start(session, ctx, params):
            self.starts.append(time.monotonic())

        async def on_end(session, ctx, params):
            self.ends.append((time.monotonic(), params.response.status, dict(params.response.headers)))

        trace.on_request_start.append(on_start)
        trace.on_request_end.append(on_end)
        return trace

    def statuses(self) -> list[int]:
        return [status for _, status, _ in self.ends]


@pytest.fixture
async def make_client():
    """`make_client(base_url, **options) -> BinanceClient` (entered); clients of one test share a governor scope."""
    scope = f"test-{uuid.uuid4().hex[:8]}"
    async with contextlib.AsyncExitStack() as stack:
        governors: list[WeightGovernor] = []

        async def make(base_url: str, *, market: str = "usdm", share: float = 0.8, ban_max_wait_s: float = 30,
                       slow_down_s: float = 60, log: RequestLog | None = None, **options) -> BinanceClient:
            venue = venue_for("sandbox", market, sandbox_url=base_url)
            governor = WeightGovernor(settings.REDIS_URL, scope=scope, share=share, ban_max_wait_s=ban_max_wait_s,
                                      slow_down_s=slow_down_s)
            governors.append(governor)
            options.setdefault("retry", RetryPolicy(base_s=0.05, cap_s=0.5))
            if log is not None:
                options["trace_configs"] = [log.trace_config()]
            return await stack.enter_async_context(BinanceClient(venue, governor, **options))

        make.scope = scope
        yield make
        cleaner = WeightGovernor(settings.REDIS_URL, scope=scope)
        await cleaner.reset()
        await cleaner.close()
