"""The REST client against the sandbox on real loopback sockets: decoding, retries, permanent errors."""
from __future__ import annotations

import time

import numpy as np
import pytest

from market.binance.errors import PermanentError, TemporaryError
from market.binance.market_data import KlinesParams
from market.binance.retry import RetryPolicy


async def test_market_data_from_the_sandbox(sandbox, make_client):
    base_url, app = sandbox
    client = await make_client(base_url)
    info = await client.market_data.exchange_info()
    assert len(info.symbols) == 50 and all(s.contract_type == "PERPETUAL" for s in info.symbols)
    state = await client.governor.state()
    assert (state.limit, state.budget) == (2400, 1920)  # taken from exchangeInfo's rateLimits
    tickers = await client.market_data.tickers_24hr()
    assert {t.symbol for t in tickers} == {s.symbol for s in info.symbols}
    k = await client.market_data.klines(KlinesParams("BTCUSDT", "5m", 200))
    assert len(k) == 200 and np.all(np.diff(k.open_time) == 300_000)
    assert k.open_time[-1] <= app["market"].now_ms() < k.close_time[-1] + 1  # the last one is forming
    assert await client.market_data.server_time() == app["market"].now_ms()


async def test_batch_fetch_of_every_symbol(sandbox, make_client):
    base_url, _ = sandbox
    client = await make_client(base_url, max_concurrency=16)
    symbols = [s.symbol for s in (await client.market_data.exchange_info()).symbols]
    batch = await client.market_data.klines_fetch_batch(symbols + ["NOPEUSDT"], "15m", 200)
    assert set(batch.klines) == set(symbols)
    assert isinstance(batch.errors["NOPEUSDT"], PermanentError) and batch.errors["NOPEUSDT"].code == -1121
    assert all(len(k) == 200 for k in batch.klines.values())
    assert client.stats.weight == 1 + 2 * 51  # exchangeInfo + 51 klines of limit 200


async def test_spot_market_data(sandbox, make_client):
    base_url, _ = sandbox
    client = await make_client(base_url, market="spot")
    info = await client.market_data.exchange_info()
    assert info.request_weight_limit().limit == 6000 and info.symbols[0].contract_type is None
    k = await client.market_data.klines(KlinesParams("ETHUSDT", "1h", 100))
    assert len(k) == 100


async def test_permanent_errors_are_not_retried(sandbox, make_client):
    base_url, _ = sandbox
    client = await make_client(base_url)
    with pytest.raises(PermanentError) as caught:
        await client.market_data.klines(KlinesParams("NOPEUSDT", "5m", 10))
    assert caught.value.code == -1121 and caught.value.status == 400
    with pytest.raises(PermanentError) as caught:
        await client.market_data.klines(KlinesParams("BTCUSDT", "1M", 10))  # valid on Binance, not replayed
    assert caught.value.code == -1120
    assert client.stats.requests == 2 and client.stats.retries == 0
    with pytest.raises(ValueError):  # typed params refuse what Binance would refuse, without a request
        await client.market_data.klines(KlinesParams("BTCUSDT", "7m", 10))
    assert client.stats.requests == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_retried_then_succeed(sandbox, make_client, status):
    base_url, app = sandbox
    client = await make_client(base_url)
    app["faults"].add(kind="error", status=status, count=3, path_prefix="/fapi/v1/klines")
    k = await client.market_data.klines(KlinesParams("BTCUSDT", "5m", 20))
    assert len(k) == 20
    assert (client.stats.requests, client.stats.retries) == (4, 3)


async def test_retries_stop_at_the_cap(sandbox, make_client):
    base_url, app = sandbox
    client = await make_client(base_url, retry=RetryPolicy(attempts=3, base_s=0.01, cap_s=0.05))
    app["faults"].add(kind="error", status=502, path_prefix="/fapi/v1/klines")
    with pytest.raises(TemporaryError) as caught:
        await client.market_data.klines(KlinesParams("BTCUSDT", "5m", 20))
    assert caught.value.status == 502 and client.stats.requests == 3


async def test_a_hanging_request_times_out_and_is_retried(sandbox, make_client):
    base_url, app = sandbox
    client = await make_client(base_url, timeout_s=0.5)
    app["faults"].add(kind="hang", count=2, path_prefix="/fapi/v1/klines")
    started = time.monotonic()
    k = await client.market_data.klines(KlinesParams("BTCUSDT", "5m", 20))
    elapsed = time.monotonic() - started
    assert len(k) == 20 and client.stats.requests == 3
    assert 1.0 <= elapsed < 10  # two 0.5 s timeouts, then an answer (a hang would never end)


async def test_exponential_backoff_with_jitter_is_bounded():
    policy = RetryPolicy(base_s=0.25, cap_s=2.0)
    delays = [[policy.delay(n) for _ in range(200)] for n in range(1, 7)]
    assert all(0 <= d <= min(2.0, 0.25 * 2 ** (n - 1)) for n, row in enumerate(delays, 1) for d in row)
    assert len({round(d, 6) for d in delays[3]}) > 150  # jittered, not a fixed schedule
