"""SIGNED requests (signing.py) and the account endpoints (account.py), against the sandbox on
loopback sockets."""
from __future__ import annotations

import contextlib
import dataclasses
from decimal import Decimal

import pytest

from market.binance.client import BinanceClient
from market.binance.errors import AuthenticationError
from market.binance.retry import RetryPolicy
from market.binance.signing import Credentials, ServerClock, signed_query
from market.binance.venues import venue_for
from sandbox.trading import key_store

# Binance's documented HMAC example (docs/usdm_futures/private_rest_api.md, "Example 1").
DOC_SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
DOC_SIGNATURE = "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"


def test_signature_matches_the_documented_example():
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": 1, "price": 9000, "timeInForce": "GTC"}
    query = signed_query(params, secret=DOC_SECRET, timestamp_ms=1591702613943, recv_window_ms=5000)
    assert query == ("symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC"
                     f"&recvWindow=5000&timestamp=1591702613943&signature={DOC_SIGNATURE}")


def test_booleans_are_lower_case_and_recv_window_is_bounded():
    assert signed_query({"dualSidePosition": True}, secret="s", timestamp_ms=1).startswith("dualSidePosition=true&")
    with pytest.raises(ValueError):
        signed_query({}, secret="s", timestamp_ms=1, recv_window_ms=60_001)


def test_credentials_never_show_the_secret_or_the_whole_key():
    credentials = Credentials(api_key="A" * 60 + "WXYZ", secret="very-secret-value")
    for text in (repr(credentials), str(credentials), f"{credentials}", repr([credentials])):
        assert "very-secret-value" not in text and "A" * 10 not in text and "WXYZ" in text
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(credentials)


def test_server_clock_counts_half_the_round_trip():
    clock = ServerClock()
    assert clock.stale()
    clock.observe(10_000, sent_ms=1_000, received_ms=1_200)  # the server read 10000 at local ~1100
    assert clock.offset_ms == 8_900 and not clock.stale()


@pytest.fixture
def key(sandbox):
    _, app = sandbox
    created = key_store(app).create(label="account test")
    return Credentials(api_key=created.api_key, secret=created.secret)


@contextlib.asynccontextmanager
async def client_on_testnet(base_url: str):
    """A client that takes the sandbox for a real venue (testnet): it measures the exchange's clock."""
    venue = dataclasses.replace(venue_for("sandbox", "usdm", sandbox_url=base_url), environment="testnet")
    async with BinanceClient.from_settings(venue=venue, retry=RetryPolicy(base_s=0.05, cap_s=0.5)) as client:
        yield client
        await client.governor.reset()


async def test_futures_account_of_a_new_key_is_funded(sandbox, make_client, key):
    base_url, app = sandbox
    client = await make_client(base_url)
    account = await client.account.futures_account(key)
    usdt = next(a for a in account.assets if a.asset == "USDT")
    # SandboxConfig.starting_balance_usdt, nothing traded yet.
    assert (usdt.wallet_balance, usdt.available_balance, usdt.unrealized_pnl) == (Decimal("10000"), Decimal("10000"), 0)
    assert account.can_trade
    # The sandbox takes wall-clock timestamps: no GET time, only the account (weight 5).
    assert client.stats.requests == 1 and client.stats.weight == 5


async def test_a_real_venue_has_its_clock_measured_once(sandbox, key):
    base_url, _ = sandbox
    async with client_on_testnet(base_url) as client:
        await client.account.futures_account(key)
        assert client.stats.requests == 2 and client.stats.weight == 1 + 5  # GET time, then the account
        await client.account.futures_account(key)
        assert client.stats.requests == 3  # measured once per host, not per request


async def test_refusals_are_authentication_errors_and_not_retried(sandbox, make_client, key):
    base_url, _ = sandbox
    client = await make_client(base_url)
    with pytest.raises(AuthenticationError) as unknown:
        await client.account.futures_account(Credentials(api_key="B" * 64, secret=key.secret))
    assert unknown.value.code == -2015 and unknown.value.status == 401
    with pytest.raises(AuthenticationError) as bad_signature:
        await client.account.futures_account(Credentials(api_key=key.api_key, secret="x" * 64))
    assert bad_signature.value.code == -1022 and "Signature" in str(bad_signature.value)
    assert client.stats.retries == 0


async def test_a_wrong_clock_is_measured_again_after_1021(sandbox, key):
    base_url, app = sandbox
    async with client_on_testnet(base_url) as client:
        # A fresh but wrong measure: ten days ahead of both the replay clock and the wall clock.
        client.clock.observe(0, sent_ms=-10 * 86_400_000, received_ms=-10 * 86_400_000)
        account = await client.account.futures_account(key)
        assert account.assets and client.stats.requests == 3  # refused (-1021), GET time, accepted
        # Now in step with the exchange's (paused replay) clock, to well within a recvWindow.
        assert abs(client.clock.now_ms() - app["market"].now_ms()) < 5000


async def test_api_restrictions_on_the_spot_host(sandbox, make_client):
    base_url, app = sandbox
    created = key_store(app).create(label="withdraws", enable_withdrawals=True)
    credentials = Credentials(api_key=created.api_key, secret=created.secret)
    spot = await make_client(base_url, market="spot")
    permissions = await spot.account.api_restrictions(credentials)
    assert permissions.enable_withdrawals and not permissions.ip_restrict and permissions.enable_reading
    futures = await make_client(base_url)
    with pytest.raises(ValueError):
        await futures.account.api_restrictions(credentials)
