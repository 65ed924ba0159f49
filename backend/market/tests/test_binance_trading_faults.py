"""How many times a request leaves, and what its failure says, against the sandbox's fault injector:
order writes are sent once (NotSentError / OrderRejectedError / RateLimitedError /
ExecutionUnknownError), other writes are retried only when they certainly did not execute, reads
are retried. Counts come from the client's request log and from the sandbox's own books."""
from __future__ import annotations

import dataclasses
import socket
from decimal import Decimal

import pytest

from market.binance.client import BinanceClient
from market.binance.errors import (
    ExecutionUnknownError, NotSentError, OrderNotFoundError, OrderRejectedError, RateLimitedError,
)
from market.binance.governor import WeightGovernor
from market.binance.signing import Credentials, ServerClock, local_ms
from market.binance.venues import venue_for
from sandbox.trading import key_store

from .conftest import RequestLog

LIMIT = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "time_in_force": "GTC", "quantity": Decimal("0.010"),
         "price": Decimal("20000")}


@pytest.fixture
def key(sandbox):
    _, app = sandbox
    created = key_store(app).create(label="fault test")
    return Credentials(api_key=created.api_key, secret=created.secret)


def fault(app, **spec):
    app["faults"].add(spec)


async def books(client, key) -> list[str]:
    return [o.client_order_id for o in await client.trading.all_orders(key, symbol="BTCUSDT")]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_5xx_on_an_order_is_unknown_and_never_resent(sandbox, make_client, key, status):
    base_url, app = sandbox
    log = RequestLog()
    client = await make_client(base_url, log=log)
    fault(app, kind="error", status=status, path_prefix="/fapi/v1/order", count=1)
    with pytest.raises(ExecutionUnknownError) as caught:
        await client.trading.new_order(key, **LIMIT, client_order_id="bsm-5xx")
    assert caught.value.status == status and log.statuses() == [status]  # one try
    # The fault answered before the exchange saw it: the lookup proves it was not accepted.
    with pytest.raises(OrderNotFoundError):
        await client.trading.query_order(key, symbol="BTCUSDT", client_order_id="bsm-5xx")
    assert await books(client, key) == []


async def test_a_timeout_on_an_order_is_unknown(sandbox, make_client, key):
    base_url, app = sandbox
    log = RequestLog()
    client = await make_client(base_url, log=log, timeout_s=0.3)
    fault(app, kind="hang", path_prefix="/fapi/v1/order", count=1)
    with pytest.raises(ExecutionUnknownError):
        await client.trading.new_order(key, **LIMIT, client_order_id="bsm-hang")
    assert len(log.starts) == 1 and client.stats.orders == 1


async def test_an_order_that_cannot_connect_was_not_sent():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    from django.conf import settings

    venue = venue_for("sandbox", "usdm", sandbox_url=f"http://127.0.0.1:{port}")
    governor = WeightGovernor(settings.REDIS_URL, scope=f"test-refused-{port}")
    key = Credentials(api_key="k" * 64, secret="s" * 64)
    async with BinanceClient(venue, governor) as client:
        with pytest.raises(NotSentError):
            await client.trading.new_order(key, **LIMIT, client_order_id="bsm-refused", timestamp_ms=local_ms())
        await governor.reset()


async def test_refusals_429s_and_bans_before_sending(sandbox, make_client, key):
    base_url, app = sandbox
    log = RequestLog()
    client = await make_client(base_url, log=log)
    stale = local_ms() - 10 * 60_000
    with pytest.raises(OrderRejectedError) as caught:  # outside recvWindow: refused, not retried
        await client.trading.new_order(key, **LIMIT, client_order_id="bsm-stale", timestamp_ms=stale)
    assert caught.value.code == -1021
    fault(app, kind="rate_limit", path_prefix="/fapi/v1/order", count=1, retry_after=1)
    with pytest.raises(RateLimitedError) as caught:  # the IP's 429 (-1003): refused, not retried
        await client.trading.new_order(key, **LIMIT, client_order_id="bsm-429")
    assert caught.value.code == -1003 and log.statuses() == [400, 429]
    await client.governor.banned(600)  # a ban longer than ban_max_wait_s: nothing may leave
    with pytest.raises(NotSentError):
        await client.trading.new_order(key, **LIMIT, client_order_id="bsm-banned")
    assert len(log.starts) == 2


async def test_other_writes_retry_only_what_certainly_did_not_execute(sandbox, make_client, key):
    base_url, app = sandbox
    log = RequestLog()
    client = await make_client(base_url, log=log)
    order = await client.trading.new_order(key, **LIMIT, client_order_id="bsm-cancel-me")
    fault(app, kind="error", status=500, path_prefix="/fapi/v1/order", count=1)
    with pytest.raises(ExecutionUnknownError):  # a cancel may have executed: not retried
        await client.trading.cancel_order(key, symbol="BTCUSDT", order_id=order.order_id)
    assert log.statuses() == [200, 500]
    fault(app, kind="error", status=503, path_prefix="/fapi/v1/order", count=1)
    found = await client.trading.query_order(key, symbol="BTCUSDT", order_id=order.order_id)  # reads retry
    assert found.status == "NEW" and log.statuses() == [200, 500, 503, 200]
    fault(app, kind="rate_limit", path_prefix="/fapi/v1/order", count=1, retry_after=0)
    canceled = await client.trading.cancel_order(key, symbol="BTCUSDT", order_id=order.order_id)
    assert canceled.status == "CANCELED" and log.statuses()[-2:] == [429, 200]  # a 429 never executed: retried


async def test_an_order_without_the_exchange_clock_was_not_sent(sandbox, make_client, key):
    base_url, app = sandbox
    client = await make_client(base_url)
    # Taken for a real venue, the client must measure the exchange's clock before signing.
    client.venue = dataclasses.replace(client.venue, environment="testnet")
    client.clock = ServerClock()
    fault(app, kind="error", status=500, path_prefix="/fapi/v1/time")
    with pytest.raises(NotSentError):
        await client.trading.new_order(key, **LIMIT, client_order_id="bsm-no-clock")
    app["faults"].clear()
    assert client.stats.orders == 0 and await books(client, key) == []
