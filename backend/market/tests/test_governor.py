"""The weight governor on a real Redis: budget by waiting, 429 backoff and 418 bans shared by instances."""
from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from django.conf import settings

from market.binance.errors import BannedError, TemporaryError
from market.binance.governor import WeightGovernor, WeightPool


def _governor(scope: str, url: str | None = None, **kwargs) -> WeightGovernor:
    return WeightGovernor(url or settings.REDIS_URL, scope=scope, **kwargs)


@pytest.fixture
async def pair():
    """Two governors sharing one scope: what two processes on the same IP see."""
    scope = f"test-{uuid.uuid4().hex[:8]}"
    first, second = _governor(scope, share=1.0), _governor(scope, share=1.0)
    yield first, second
    await first.reset()
    await first.close()
    await second.close()


async def test_reservations_within_budget_do_not_wait(pair):
    first, second = pair
    await first.set_limit(100)
    started = time.monotonic()
    for _ in range(10):
        await first.acquire(5)
        await second.acquire(5)
    assert time.monotonic() - started < 5  # a wait would be for the 60 s window
    state = await second.state()
    assert (state.used_weight, state.limit, state.budget, state.banned) == (100, 100, 100, False)


async def test_over_budget_waits_for_the_window_instead_of_failing(pair):
    first, second = pair
    await first.set_limit(10, window_ms=3000)  # 50 ms buckets
    grants: list[float] = []

    async def take(governor: WeightGovernor) -> None:
        for _ in range(10):
            await governor.acquire(1)
            grants.append(time.monotonic())

    started = time.monotonic()
    await asyncio.gather(take(first), take(second))
    assert len(grants) == 20
    assert time.monotonic() - started >= 2.5  # the second half had to wait for the first to leave the window
    grants.sort()
    for i, t in enumerate(grants):  # never more than the budget in any sliding 3 s
        assert sum(1 for u in grants[i:] if u - t < 2.95) <= 10


async def test_share_keeps_headroom(pair):
    scope = pair[0].scope
    governor = _governor(scope, share=0.8)
    await governor.set_limit(2400)
    state = await governor.state()
    assert state.budget == 1920
    await governor.close()


async def test_a_429_makes_every_instance_wait_retry_after_then_slows_down(pair):
    first, second = pair
    await first.set_limit(1000)
    await first.rate_limited(1.0)
    state = await second.state()
    assert state.backoff_until_ms is not None and state.rate_limited_total == 1
    assert state.budget == 500  # halved while slowed down
    started = time.monotonic()
    await second.acquire(1)
    assert 0.9 <= time.monotonic() - started < 5  # waits out Retry-After, not a whole window


async def test_a_short_ban_is_waited_out_a_long_one_fails_fast_without_sending(pair):
    first, second = pair
    until = await first.banned(1.0)
    state = await second.state()
    assert state.banned and state.banned_until_ms == until and state.banned_total == 1
    started = time.monotonic()
    await second.acquire(1)  # resumes by itself when the ban ends
    assert 0.9 <= time.monotonic() - started < 5
    assert not (await second.state()).banned

    await first.banned(600)
    started = time.monotonic()
    with pytest.raises(BannedError) as caught:
        await second.acquire(1)
    assert time.monotonic() - started < 5  # fails at once instead of waiting out the 600 s ban
    assert caught.value.status == 0 and caught.value.until_ms > time.time() * 1000 + 590_000


async def test_used_weight_header_counts_when_higher_than_our_own(pair):
    first, second = pair
    await first.set_limit(100, window_ms=3000)
    first.observe(90)  # Binance says 90 used: another tool on this IP
    await first.acquire(5)
    assert (await first.state()).observed_weight == 90
    started = time.monotonic()
    await second.acquire(11)  # max(5, 90) + 11 > 100: waits until the observation is older than the window
    assert time.monotonic() - started >= 2.5


async def test_weight_pool_reserves_in_chunks_and_never_more_than_announced(pair):
    first, _ = pair
    await first.set_limit(1000)
    pool = WeightPool(first, total=2 * 25, chunk=2 * 10)
    await asyncio.gather(*(pool.take(2) for _ in range(25)))
    assert (await first.state()).used_weight == 50


async def test_without_redis_nothing_is_sent(redis_server):
    governor = _governor(f"test-{uuid.uuid4().hex[:8]}", url=redis_server.url)
    await governor.acquire(1)
    redis_server.stop()
    with pytest.raises(TemporaryError, match="governor unavailable"):
        await governor.acquire(1)
    await governor.close()
