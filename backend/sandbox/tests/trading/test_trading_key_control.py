"""POST/DELETE /sandbox/keys (keys made over HTTP, each its own funded account) and
GET /sapi/v1/account/apiRestrictions."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

import aiohttp
import pytest
from yarl import URL

from sandbox.keys import KEY_LENGTH, KeyStore, is_well_formed

# Binance's documented answer lists exactly these fields (wallet docs, "Get API Key Permission").
RESTRICTION_FIELDS = {
    "ipRestrict", "createTime", "enableReading", "enableWithdrawals", "enableInternalTransfer", "enableMargin",
    "enableFutures", "permitsUniversalTransfer", "enableVanillaOptions", "enableFixApiTrade", "enableFixReadOnly",
    "enableSpotAndMarginTrading", "enablePortfolioMarginTrading",
}


@pytest.fixture
async def session(sandbox_server):
    base_url, app = sandbox_server
    async with aiohttp.ClientSession(base_url=base_url) as session:
        yield session, app


async def signed_get(session, app, path: str, api_key: str, secret: str):
    query = urlencode({"timestamp": app["market"].now_ms(), "recvWindow": 5000})
    signature = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    url = URL(f"{path}?{query}&signature={signature}", encoded=True)
    async with session.get(url, headers={"X-MBX-APIKEY": api_key}) as response:
        return response.status, await response.json(content_type=None)


async def test_created_key_is_a_funded_account_of_its_own(session, sandbox_config):
    session, app = session
    async with session.post("/sandbox/keys", json={"label": "user 7"}) as response:
        assert response.status == 201
        key = await response.json()
    assert set(key) == {"apiKey", "secretKey", "label", "createTime", "ipRestrict", "enableWithdrawals"}
    assert is_well_formed(key["apiKey"]) and len(key["secretKey"]) == KEY_LENGTH and key["label"] == "user 7"
    # Written to the keys file the `keys` command reads, secret included (the server needs it).
    assert KeyStore(sandbox_config.keys_file).get(key["apiKey"]).secret == key["secretKey"]

    status, account = await signed_get(session, app, "/fapi/v2/account", key["apiKey"], key["secretKey"])
    assert status == 200
    usdt = next(a for a in account["assets"] if a["asset"] == "USDT")
    assert usdt["walletBalance"] == "10000.00000000"  # SandboxConfig.starting_balance_usdt

    status, restrictions = await signed_get(session, app, "/sapi/v1/account/apiRestrictions",
                                            key["apiKey"], key["secretKey"])
    assert status == 200 and set(restrictions) == RESTRICTION_FIELDS
    assert restrictions["ipRestrict"] is False and restrictions["enableWithdrawals"] is False
    assert restrictions["enableFutures"] is True and restrictions["createTime"] == key["createTime"]

    async with session.delete(f"/sandbox/keys/{key['apiKey']}") as response:
        assert response.status == 200 and await response.json() == {"deleted": True}
    status, error = await signed_get(session, app, "/fapi/v2/account", key["apiKey"], key["secretKey"])
    assert status == 401 and error["code"] == -2015
    async with session.delete(f"/sandbox/keys/{key['apiKey']}") as response:
        assert response.status == 404


async def test_restrictions_follow_what_the_key_was_created_with(session):
    session, app = session
    async with session.post("/sandbox/keys", json={"ipRestrict": True, "enableWithdrawals": True}) as response:
        key = await response.json()
    status, restrictions = await signed_get(session, app, "/sapi/v1/account/apiRestrictions",
                                            key["apiKey"], key["secretKey"])
    assert status == 200 and restrictions["ipRestrict"] is True and restrictions["enableWithdrawals"] is True


async def test_restrictions_need_a_valid_signature_and_count_on_the_spot_budget(session):
    session, app = session
    async with session.post("/sandbox/keys", json={}) as response:
        key = await response.json()
    status, error = await signed_get(session, app, "/sapi/v1/account/apiRestrictions", key["apiKey"], "x" * 64)
    assert status == 400 and error["code"] == -1022
    assert app["limiters"]["spot"].used("127.0.0.1") == 1 and app["limiters"]["usdm"].used("127.0.0.1") == 0


@pytest.mark.parametrize("body", [[1], {"label": 5}, {"ipRestrict": "yes"}, {"enableWithdrawals": 1},
                                  {"label": "x" * 101}])
async def test_bad_key_requests_are_400(session, body):
    session, _ = session
    async with session.post("/sandbox/keys", json=body) as response:
        assert response.status == 400 and "error" in await response.json()
