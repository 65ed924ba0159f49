"""Per-IP weight budget: X-MBX-USED-WEIGHT-1M, 429 with Retry-After, then 418 for clients that keep going."""
from __future__ import annotations

import asyncio

import aiohttp
import pytest

from sandbox.errors import BinanceError
from sandbox.weights import WeightLimiter


async def fetch(session, url):
    async with session.get(url) as resp:
        return resp.status, await resp.json(), resp.headers


async def test_429_then_418(sandbox_factory):
    # A day-long window keeps a minute boundary from resetting the count in the middle of the test.
    base_url, _ = await sandbox_factory(weight_budget_usdm=10, ban_after=3, ban_seconds=120,
                                        weight_window_seconds=86_400)
    async with aiohttp.ClientSession() as session:
        for used in range(1, 11):
            status, _, headers = await fetch(session, f"{base_url}/fapi/v1/ping")
            assert status == 200 and headers["X-MBX-USED-WEIGHT-1M"] == str(used)
        status, body, headers = await fetch(session, f"{base_url}/fapi/v1/ping")
        assert status == 429 and body["code"] == -1003
        assert body["msg"] == ("Too many requests; current limit is 10 requests per minute. "
                               "Please use the websocket for live updates to avoid polling the API.")
        assert 1 <= int(headers["Retry-After"]) <= 86_400
        for _ in range(3):  # ban_after requests are tolerated inside the Retry-After window
            status, _, _ = await fetch(session, f"{base_url}/fapi/v1/ping")
            assert status == 429
        status, body, headers = await fetch(session, f"{base_url}/fapi/v1/ping")
        assert status == 418 and body["code"] == -1003 and "IP banned until" in body["msg"]
        assert headers["Retry-After"] == "120"
        status, _, headers = await fetch(session, f"{base_url}/fapi/v1/ping")
        assert status == 418 and 119 <= int(headers["Retry-After"]) <= 120
        # Spot counts on its own budget, as api.binance.com and fapi.binance.com do.
        status, _, headers = await fetch(session, f"{base_url}/api/v3/ping")
        assert status == 200 and headers["X-MBX-USED-WEIGHT-1M"] == "1"
        # Control routes are never weighed nor refused.
        async with session.get(f"{base_url}/sandbox/status") as resp:
            assert resp.status == 200 and "X-MBX-USED-WEIGHT-1M" not in resp.headers


async def test_window_resets(sandbox_factory):
    # 3 s windows: the request after the reset lands at the start of a window and has almost 3 s to
    # answer before the next reset (with 1 s windows a loaded machine crossed it and read "0").
    base_url, _ = await sandbox_factory(weight_budget_spot=25, weight_window_seconds=3.0)
    async with aiohttp.ClientSession() as session:
        status, _, _ = await fetch(session, f"{base_url}/api/v3/exchangeInfo?symbol=BTCUSDT")
        status, body, headers = await fetch(session, f"{base_url}/api/v3/exchangeInfo?symbol=BTCUSDT")
        assert status == 429 and "request weight per 1 MINUTE" in body["msg"]
        await asyncio.sleep(int(headers["Retry-After"]) + 0.05)
        status, _, headers = await fetch(session, f"{base_url}/api/v3/exchangeInfo?symbol=BTCUSDT")
        assert status == 200 and headers["X-MBX-USED-WEIGHT-1M"] == "20"


async def test_reset_endpoint_forgets_bans(sandbox_factory):
    base_url, app = await sandbox_factory(weight_budget_usdm=1, ban_after=0, weight_window_seconds=86_400)
    async with aiohttp.ClientSession() as session:
        statuses = [(await fetch(session, f"{base_url}/fapi/v1/time"))[0] for _ in range(3)]
        assert statuses == [200, 429, 418]
        async with session.post(f"{base_url}/sandbox/limits/reset") as resp:
            assert resp.status == 200
        assert (await fetch(session, f"{base_url}/fapi/v1/time"))[0] == 200


class FakeTime:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def test_bans_double_for_repeat_offenders():
    clock = FakeTime()
    limiter = WeightLimiter("usdm", budget=1, window_seconds=60, ban_after=0, ban_seconds=120, clock=clock)
    lengths = []
    for _ in range(3):
        limiter.charge("1.2.3.4", 1)
        with pytest.raises(BinanceError) as exc:
            limiter.charge("1.2.3.4", 1)
        assert exc.value.status == 429
        with pytest.raises(BinanceError) as exc:
            limiter.charge("1.2.3.4", 1)
        assert exc.value.status == 418
        lengths.append(int(exc.value.headers["Retry-After"]))
        clock.now += lengths[-1] + 60  # wait out the ban and the window
    assert lengths == [120, 240, 480]
    assert limiter.charge("5.6.7.8", 1) == 1  # other IPs are unaffected


def test_window_is_aligned_to_the_minute():
    clock = FakeTime()
    clock.now = 120.0 + 59.5
    limiter = WeightLimiter("spot", budget=5, clock=clock)
    assert limiter.charge("ip", 5) == 5
    with pytest.raises(BinanceError) as exc:
        limiter.charge("ip", 1)
    assert exc.value.headers["Retry-After"] == "1"
    clock.now = 180.0
    assert limiter.charge("ip", 1) == 1
