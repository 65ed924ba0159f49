"""The per-key order budget (order_budget.py): shared through Redis, fed by the exchange's
X-MBX-ORDER-COUNT-* headers, refusing (never delaying) an order over a limit, closed by a -1015.
The exchange's side is the sandbox's own order counter (300 per 10 s, 1200 per minute)."""
from __future__ import annotations

from decimal import Decimal

import pytest
import redis.asyncio as aioredis
from django.conf import settings

from market.binance.errors import NotSentError, RateLimitedError
from market.binance.order_budget import OrderBudget
from market.binance.signing import Credentials
from sandbox.trading import key_store

from .conftest import RequestLog

REFUSED = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "time_in_force": "GTC",
           "quantity": Decimal("0.001"), "price": Decimal("20000")}  # notional 20 < 100: -4164, still counted
RESTING = {**REFUSED, "quantity": Decimal("0.010")}


@pytest.fixture
def key(sandbox):
    _, app = sandbox
    created = key_store(app).create(label="budget test")
    return Credentials(api_key=created.api_key, secret=created.secret)


@pytest.fixture
async def redis_client():
    client = aioredis.Redis.from_url(settings.REDIS_URL)
    yield client
    await client.aclose()


async def test_processes_share_one_budget_and_the_key_is_never_stored(redis_client):
    key = Credentials(api_key="A" * 60 + "wxyz", secret="very-secret-value")
    first = OrderBudget(redis_client, scope="test-shared", limit_10s=5, limit_1m=100)
    other = aioredis.Redis.from_url(settings.REDIS_URL)
    second = OrderBudget(other, scope="test-shared", limit_10s=5, limit_1m=100)
    try:
        await first.reset(key)
        for budget in (first, second, first, second):
            await budget.reserve(key, (1, 1))
        await second.reserve(key, (1, 1))  # the 5th of 5
        with pytest.raises(NotSentError) as caught:
            await first.reserve(key, (1, 1))
        assert "10-second" in str(caught.value)
        state = await second.state(key)
        assert (state.used_10s, state.used_1m) == (5, 5) and state.refused_for_ms > 0
        names = [name.decode() async for name in redis_client.scan_iter("binance:orders:*")]
        assert first.key(key) in names and not any(key.api_key in n or "wxyz" in n for n in names)
        stored = await redis_client.hgetall(first.key(key))
        assert not any(key.api_key.encode() in v or key.secret.encode() in v for v in stored.values())
    finally:
        await first.reset(key)
        await other.aclose()


async def test_a_batch_counts_five_on_ten_seconds_and_one_on_the_minute(redis_client):
    key = Credentials(api_key="B" * 64, secret="s" * 16)
    budget = OrderBudget(redis_client, scope="test-batch", limit_10s=12, limit_1m=3)
    try:
        await budget.reset(key)
        await budget.reserve(key, (5, 1))
        await budget.reserve(key, (5, 1))
        with pytest.raises(NotSentError):  # 10 + 5 > 12
            await budget.reserve(key, (5, 1))
        await budget.reserve(key, (1, 1))  # 11/12 and 3/3
        with pytest.raises(NotSentError) as caught:
            await budget.reserve(key, (1, 1))
        assert "10-second" in str(caught.value) or "one-minute" in str(caught.value)
    finally:
        await budget.reset(key)


async def test_redis_down_means_not_sent(redis_server):
    client = aioredis.Redis.from_url(redis_server.url, socket_connect_timeout=0.5, socket_timeout=0.5)
    budget = OrderBudget(client, scope="test-down")
    redis_server.stop()
    try:
        with pytest.raises(NotSentError):
            await budget.reserve(Credentials(api_key="C" * 64, secret="s" * 16), (1, 1))
    finally:
        await client.aclose()


async def test_the_exchange_counts_are_fed_back(sandbox, make_client, key):
    base_url, _ = sandbox
    elsewhere = await make_client(base_url)  # another app using the same key, outside our budget
    elsewhere.orders = OrderBudget(elsewhere.governor.redis, scope="test-elsewhere")
    client = await make_client(base_url)
    try:
        for n in range(3):
            await elsewhere.trading.new_order(key, **RESTING, client_order_id=f"bsx-{n}")
        await client.trading.new_order(key, **RESTING, client_order_id="bsm-ours")
        state = await client.orders.state(key)
        # The sandbox counted 4 orders of this key (its X-MBX-ORDER-COUNT-10S/-1M); we sent 1.
        assert (state.used_10s, state.used_1m) == (4, 4)
    finally:
        await client.orders.reset(key)
        await elsewhere.orders.reset(key)


async def test_a_budget_refusal_is_not_sent(sandbox, make_client, key):
    base_url, _ = sandbox
    log = RequestLog()
    client = await make_client(base_url, log=log)
    client.orders = OrderBudget(client.governor.redis, scope=client.venue.governor_scope, limit_10s=2)
    try:
        for n in range(2):
            await client.trading.new_order(key, **RESTING, client_order_id=f"bsm-{n}")
        with pytest.raises(NotSentError):
            await client.trading.new_order(key, **RESTING, client_order_id="bsm-over")
        assert len(log.starts) == 2
        orders = await client.trading.all_orders(key, symbol="BTCUSDT")
        assert [o.client_order_id for o in orders] == ["bsm-0", "bsm-1"]  # the exchange's books
    finally:
        await client.orders.reset(key)


async def test_a_1015_closes_the_budget_of_that_key_only(sandbox, make_client, key):
    base_url, app = sandbox
    log = RequestLog()
    client = await make_client(base_url, log=log)
    client.orders = OrderBudget(client.governor.redis, scope=client.venue.governor_scope, limit_10s=10_000,
                                limit_1m=10_000)  # let the exchange's own limit (300 per 10 s) decide
    try:
        for _ in range(60):  # 60 batches x 5 = 300 on the exchange's 10-second counter
            results = await client.trading.batch_orders(key, [dict(REFUSED, client_order_id="bsm-b")])
            assert results[0].code == -4164
        with pytest.raises(RateLimitedError) as caught:
            await client.trading.batch_orders(key, [dict(REFUSED, client_order_id="bsm-b")])
        assert (caught.value.code, caught.value.status) == (-1015, 429)
        sent = len(log.starts)
        with pytest.raises(NotSentError):  # our budget now waits out the exchange's refusal
            await client.trading.new_order(key, **RESTING, client_order_id="bsm-after-1015")
        assert len(log.starts) == sent
        assert (await client.governor.state()).backoff_until_ms is None  # the IP's weight was not penalised
        created = key_store(app).create(label="another account")
        other = Credentials(api_key=created.api_key, secret=created.secret)
        assert (await client.trading.new_order(other, **RESTING, client_order_id="bsm-other")).status == "NEW"
    finally:
        await client.orders.reset(key)
