"""/api/exchange-accounts/ against the real sandbox exchange process: paper accounts, keys checked
on save (refused, withdrawals, IP restriction, live confirmation), secrets write-only, balances."""
from __future__ import annotations

import hashlib
import hmac
import re

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts import crypto
from accounts.models import ExchangeAccount
from accounts.services.venue_checks import NO_IP_RESTRICTION, WITHDRAWALS_REFUSED
from accounts.tests.exchange_fixtures import alice, alice_api, bob, bob_api, sandbox_key, venues_on_sandbox  # noqa: F401

FIELDS = {"id", "label", "venue", "is_paper", "api_key_last4", "fingerprint", "status", "status_detail",
          "verified_at", "warnings", "live_confirmed", "created_at"}


def expected_fingerprint(api_key: str) -> str:
    # Django's salted_hmac, written out: HMAC-SHA256 keyed with sha256(salt + SECRET_KEY).
    key = hashlib.sha256(("accounts.crypto.fingerprint" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, api_key.encode(), hashlib.sha256).hexdigest()[:12]


def create(api, key: dict, *, venue="sandbox", label="Main", **extra):
    body = {"label": label, "venue": venue, "api_key": key["apiKey"], "api_secret": key["secretKey"], **extra}
    return api.post("/api/exchange-accounts/", body, format="json")


def test_a_new_user_has_a_funded_paper_account(alice_api, sandbox_process):
    listed = alice_api.get("/api/exchange-accounts/")
    assert listed.status_code == 200
    (paper,) = listed.json()
    assert set(paper) == FIELDS
    assert (paper["label"], paper["venue"], paper["is_paper"], paper["status"]) == ("Paper", "sandbox", True, "verified")
    assert re.fullmatch(r"[0-9a-f]{12}", paper["fingerprint"]) and len(paper["api_key_last4"]) == 4
    row = ExchangeAccount.objects.get(id=paper["id"])
    api_key = crypto.decrypt(row.api_key_encrypted).reveal()
    assert paper["fingerprint"] == expected_fingerprint(api_key) and api_key.endswith(paper["api_key_last4"])
    assert api_key not in listed.content.decode()

    balance = alice_api.get(f"/api/exchange-accounts/{paper['id']}/balance/")
    assert balance.status_code == 200
    # The sandbox's starting balance (SandboxConfig.starting_balance_usdt), as Binance writes it.
    assert balance.json() == {"assets": [{"asset": "USDT", "wallet_balance": "10000.00000000",
                                          "available_balance": "10000.00000000", "unrealized_pnl": "0.00000000"}]}
    # Idempotent: listing again makes no second paper account.
    assert [a["id"] for a in alice_api.get("/api/exchange-accounts/").json()] == [paper["id"]]


def test_a_sandbox_key_is_checked_and_stored_encrypted(alice, alice_api, sandbox_key):
    key = sandbox_key()
    response = create(alice_api, key, label="  My   bot ")
    assert response.status_code == 201, response.json()
    account = response.json()
    assert set(account) == FIELDS and account["label"] == "My bot" and account["status"] == "verified"
    assert account["api_key_last4"] == key["apiKey"][-4:] and account["fingerprint"] == expected_fingerprint(key["apiKey"])
    assert account["warnings"] == [] and account["verified_at"] and not account["is_paper"]
    body = response.content.decode()
    assert key["apiKey"] not in body and key["secretKey"] not in body

    row = ExchangeAccount.objects.get(id=account["id"])
    assert key["secretKey"] not in row.api_secret_encrypted and key["apiKey"] not in row.api_key_encrypted
    assert crypto.decrypt(row.api_secret_encrypted).reveal() == key["secretKey"]
    # The history records who did it, and holds no ciphertext at all.
    (created,) = row.history.all()
    assert created.history_user == alice and created.history_type == "+"
    history_fields = {f.name for f in row.history.model._meta.fields}
    assert not {"api_key_encrypted", "api_secret_encrypted"} & history_fields


def test_keys_the_venue_refuses_are_not_saved(alice_api, sandbox_key):
    unknown = {"apiKey": "Z" * 64, "secretKey": "Y" * 64}
    response = create(alice_api, unknown)
    assert response.status_code == 400
    assert response.json() == {"detail": "Binance rejected the key: Invalid API-key, IP, or permissions for action. (code -2015)"}

    key = sandbox_key()
    wrong_secret = create(alice_api, {"apiKey": key["apiKey"], "secretKey": "X" * 64})
    assert wrong_secret.status_code == 400
    assert wrong_secret.json() == {"detail": "Binance rejected the key: Signature for this request is not valid. (code -1022)"}
    assert not ExchangeAccount.objects.filter(is_paper=False).exists()


def test_live_needs_confirmation_refuses_withdrawals_and_warns_without_ip_restriction(alice_api, sandbox_key,
                                                                                      venues_on_sandbox):
    key = sandbox_key()
    unconfirmed = create(alice_api, key, venue="live")
    assert unconfirmed.status_code == 400 and "confirm_live=true" in unconfirmed.json()["detail"]

    withdraws = create(alice_api, sandbox_key(enableWithdrawals=True, ipRestrict=True), venue="live", confirm_live=True)
    assert withdraws.status_code == 400 and withdraws.json() == {"detail": WITHDRAWALS_REFUSED}

    open_key = create(alice_api, key, venue="live", confirm_live=True)
    assert open_key.status_code == 201, open_key.json()
    assert open_key.json()["warnings"] == [NO_IP_RESTRICTION] and open_key.json()["live_confirmed"] is True

    restricted = create(alice_api, sandbox_key(ipRestrict=True), venue="live", label="IP bound", confirm_live=True)
    assert restricted.status_code == 201 and restricted.json()["warnings"] == []
    assert ExchangeAccount.objects.filter(venue="live").count() == 2


def test_testnet_keys_are_checked_on_futures_only(alice_api, sandbox_key, venues_on_sandbox):
    # apiRestrictions is a live-only check: a withdrawal-enabled testnet key is accepted.
    response = create(alice_api, sandbox_key(enableWithdrawals=True), venue="testnet")
    assert response.status_code == 201 and response.json()["warnings"] == []


def test_the_same_key_cannot_be_saved_twice(alice_api, sandbox_key):
    key = sandbox_key()
    assert create(alice_api, key, label="First").status_code == 201
    again = create(alice_api, key, label="Second")
    assert again.status_code == 400 and again.json() == {"detail": 'This API key is already saved as "First".'}


@pytest.mark.parametrize("change,field", [
    ({"venue": "mars"}, "venue"),
    ({"label": ""}, "label"),
    ({"api_secret": ""}, "api_secret"),
    ({"api_key": None}, "api_key"),
    ({"confirm_live": "maybe"}, "confirm_live"),
])
def test_bad_input_is_a_400_naming_the_field(alice_api, change, field):
    body = {"label": "x", "venue": "sandbox", "api_key": "A" * 64, "api_secret": "B" * 64, **change}
    response = alice_api.post("/api/exchange-accounts/", body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_a_key_with_spaces_or_symbols_is_refused_before_any_exchange_call(alice_api):
    response = alice_api.post("/api/exchange-accounts/", {"label": "x", "venue": "sandbox", "api_key": "A" * 60 + " BC;",
                                                          "api_secret": "B" * 64}, format="json")
    assert response.status_code == 400 and response.json() == {"api_key": ["16 to 128 letters and digits."]}


def test_surrounding_whitespace_of_a_pasted_key_is_dropped(alice_api, sandbox_key):
    key = sandbox_key()
    response = create(alice_api, {"apiKey": f"  {key['apiKey']}\n", "secretKey": f"{key['secretKey']} "})
    assert response.status_code == 201 and response.json()["api_key_last4"] == key["apiKey"][-4:]


@pytest.mark.parametrize("account_id", ["0", "9" * 30])
def test_ids_that_cannot_exist_are_404s(alice_api, account_id):
    assert alice_api.get(f"/api/exchange-accounts/{account_id}/").status_code == 404


def test_relabel_verify_and_delete(alice_api, sandbox_key, sandbox_process):
    key = sandbox_key()
    account_id = create(alice_api, key).json()["id"]
    renamed = alice_api.patch(f"/api/exchange-accounts/{account_id}/", {"label": "Renamed"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["label"] == "Renamed"
    assert alice_api.get(f"/api/exchange-accounts/{account_id}/").json()["label"] == "Renamed"

    verified = alice_api.post(f"/api/exchange-accounts/{account_id}/verify/")
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    # The key is revoked on the exchange: the next check records the refusal.
    sandbox_process.control("DELETE", f"keys/{key['apiKey']}")
    failed = alice_api.post(f"/api/exchange-accounts/{account_id}/verify/")
    assert failed.status_code == 200 and failed.json()["status"] == "failed"
    assert failed.json()["status_detail"] == "Binance rejected the key: Invalid API-key, IP, or permissions for action. (code -2015)"
    refused_balance = alice_api.get(f"/api/exchange-accounts/{account_id}/balance/")
    assert refused_balance.status_code == 400 and "code -2015" in refused_balance.json()["detail"]

    assert alice_api.delete(f"/api/exchange-accounts/{account_id}/").status_code == 204
    assert alice_api.get(f"/api/exchange-accounts/{account_id}/").status_code == 404
    assert not ExchangeAccount.objects.filter(id=account_id).exists()


def test_deleting_the_paper_account_resets_it(alice_api, sandbox_process):
    (first,) = alice_api.get("/api/exchange-accounts/").json()
    old_key = crypto.decrypt(ExchangeAccount.objects.get(id=first["id"]).api_key_encrypted).reveal()
    assert alice_api.delete(f"/api/exchange-accounts/{first['id']}/").status_code == 204
    (second,) = alice_api.get("/api/exchange-accounts/").json()
    assert second["is_paper"] and second["id"] != first["id"] and second["fingerprint"] != first["fingerprint"]
    # The old sandbox key was deleted with it.
    with pytest.raises(Exception) as gone:
        sandbox_process.control("DELETE", f"keys/{old_key}")
    assert getattr(gone.value, "code", None) == 404


ENDPOINTS = [
    ("get", "/api/exchange-accounts/{id}/", None),
    ("patch", "/api/exchange-accounts/{id}/", {"label": "mine now"}),
    ("delete", "/api/exchange-accounts/{id}/", None),
    ("post", "/api/exchange-accounts/{id}/verify/", None),
    ("get", "/api/exchange-accounts/{id}/balance/", None),
]


@pytest.mark.parametrize("method,path,body", ENDPOINTS)
def test_another_users_account_is_a_404_everywhere(alice_api, bob_api, sandbox_key, method, path, body):
    account_id = create(alice_api, sandbox_key()).json()["id"]
    response = getattr(bob_api, method)(path.format(id=account_id), body, format="json")
    assert response.status_code == 404 and response.json() == {"detail": "No such exchange account."}
    account = ExchangeAccount.objects.get(id=account_id)
    assert account.label == "Main" and account.status == "verified"
    assert account_id not in [a["id"] for a in bob_api.get("/api/exchange-accounts/").json()]


@pytest.mark.parametrize("method,path,body", ENDPOINTS + [("get", "/api/exchange-accounts/", None),
                                                          ("post", "/api/exchange-accounts/", {})])
def test_anonymous_callers_get_401(db, method, path, body):
    response = getattr(APIClient(), method)(path.format(id=1), body, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize("method,path", [("post", "/api/exchange-accounts/{id}/verify/"),
                                         ("get", "/api/exchange-accounts/{id}/balance/"),
                                         ("post", "/api/exchange-accounts/")])
def test_calls_that_reach_the_exchange_are_throttled_per_user(alice_api, bob_api, method, path):
    url = path.format(id=999_999)
    answers = [getattr(alice_api, method)(url, {}, format="json").status_code for _ in range(31)]
    assert 429 not in answers[:30] and answers[30] == 429
    throttled = getattr(alice_api, method)(url, {}, format="json")
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    assert getattr(bob_api, method)(url, {}, format="json").status_code != 429  # per user


def test_a_key_no_configured_key_decrypts_is_a_clear_400_and_can_be_deleted(alice_api, sandbox_key, settings):
    from cryptography.fernet import Fernet

    account_id = create(alice_api, sandbox_key()).json()["id"]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the key it was stored under is gone
    for response in (alice_api.post(f"/api/exchange-accounts/{account_id}/verify/"),
                     alice_api.get(f"/api/exchange-accounts/{account_id}/balance/")):
        assert response.status_code == 400 and "cannot be read" in response.json()["detail"]
    assert ExchangeAccount.objects.get(id=account_id).status == "verified"
    assert alice_api.delete(f"/api/exchange-accounts/{account_id}/").status_code == 204
