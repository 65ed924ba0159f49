"""Fixtures for the trading engine's pure tests."""

from __future__ import annotations

import pytest
from trading_harness import Harness


@pytest.fixture
def harness() -> Harness:
    return Harness()


@pytest.fixture
async def client(sandbox_server):
    """A signed client with its own fresh API key, against the sandbox on a loopback port."""
    import aiohttp
    from trading_client import Signed

    base_url, app = sandbox_server
    async with aiohttp.ClientSession() as session:
        yield Signed(session, base_url, app)
