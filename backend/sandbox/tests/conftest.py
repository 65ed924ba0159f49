"""Shared sandbox fixtures: a real server on a free loopback port, in the test's event loop.

    async def test_x(sandbox_server):
        base_url, app = sandbox_server          # e.g. "http://127.0.0.1:40123", the aiohttp app

The default config is deterministic: the clock is paused (``speed=0``; move it with
``sandbox.control.step(app, ms)`` or ``POST /sandbox/clock/step``), stream ticks every 50 ms and
the keys file lives in the test's tmp dir. Override the ``sandbox_config`` fixture in a test module
to change settings, or use ``sandbox_factory(**changes)`` for several servers in one test.
"""
from __future__ import annotations

import contextlib

import pytest
from aiohttp import web

from sandbox.app import create_app
from sandbox.config import SandboxConfig


@contextlib.asynccontextmanager
async def running_sandbox(config: SandboxConfig):
    """Start ``create_app(config)`` on 127.0.0.1:<free port>; yields (base_url, app)."""
    app = create_app(config)
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}", app
    finally:
        await runner.cleanup()


@pytest.fixture
def sandbox_config(tmp_path) -> SandboxConfig:
    return SandboxConfig(speed=0.0, tick_interval=0.05, keys_file=tmp_path / "keys.json")


@pytest.fixture
async def sandbox_server(sandbox_config):
    async with running_sandbox(sandbox_config) as server:
        yield server


@pytest.fixture
async def sandbox_factory(sandbox_config):
    """``await sandbox_factory(**config_changes) -> (base_url, app)``; all stopped at teardown."""
    async with contextlib.AsyncExitStack() as stack:
        async def start(**changes):
            return await stack.enter_async_context(running_sandbox(sandbox_config.replace(**changes)))

        yield start
