"""Exchange accounts beyond the happy path: the owner's private channel, the paper account when
the sandbox is away or two requests race for it, and a venue that does not answer."""
from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import socket
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth.models import User
from django.db import connection

from accounts import crypto
from accounts.models import ExchangeAccount
from accounts.services.exchange_accounts import paper_account_ensure
from accounts.tests.exchange_fixtures import (  # noqa: F401
    alice, alice_api, bearer_client, sandbox_key, venues_on_sandbox,
)
from realtime.events import user_group


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.django_db(transaction=True)
async def test_changes_reach_the_owners_private_channel_without_secrets(sandbox_key):
    layer = get_channel_layer()
    user = await sync_to_async(User.objects.create_user)(username="carol@example.com", email="carol@example.com")
    channel = await layer.new_channel()
    await layer.group_add(user_group(user.id), channel)
    key = await sync_to_async(sandbox_key)()

    def create_then_delete():
        api = bearer_client(user)
        body = {"label": "Bot", "venue": "sandbox", "api_key": key["apiKey"], "api_secret": key["secretKey"]}
        account = api.post("/api/exchange-accounts/", body, format="json").json()
        assert api.delete(f"/api/exchange-accounts/{account['id']}/").status_code == 204
        return account

    account = await sync_to_async(create_then_delete)()
    frames = [json.loads((await asyncio.wait_for(layer.receive(channel), 10))["text"]) for _ in range(2)]
    created, deleted = frames
    assert created["type"] == deleted["type"] == "exchange_account_updated"
    assert created["data"] == {"change": "created", "id": account["id"], "account": account}
    assert deleted["data"] == {"change": "deleted", "id": account["id"], "account": None}
    assert deleted["seq"] == created["seq"] + 1
    for frame in frames:
        assert key["apiKey"] not in json.dumps(frame) and key["secretKey"] not in json.dumps(frame)


def test_no_sandbox_no_paper_account_yet_and_a_warning_without_secrets(alice, alice_api, settings, caplog,
                                                                      sandbox_process):
    settings.BINANCE = dataclasses.replace(settings.BINANCE, sandbox_url=_dead_url())
    with caplog.at_level(logging.WARNING, logger="accounts.services.exchange_accounts"):
        assert paper_account_ensure(user=alice) is None
        assert alice_api.get("/api/exchange-accounts/").json() == []
    assert f"no paper account for user {alice.id} yet: the sandbox at" in caplog.text
    settings.BINANCE = dataclasses.replace(settings.BINANCE, sandbox_url=sandbox_process.url)
    (paper,) = alice_api.get("/api/exchange-accounts/").json()  # the list tries again
    assert paper["is_paper"] and paper["status"] == "verified"


@pytest.mark.django_db(transaction=True)
def test_two_racing_requests_make_one_paper_account(sandbox_process):
    user = User.objects.create_user(username="dave@example.com", email="dave@example.com")
    results, barrier = [], threading.Barrier(2)

    def ensure():
        try:
            barrier.wait()
            results.append(paper_account_ensure(user=user).id)
        finally:
            connection.close()

    threads = [threading.Thread(target=ensure) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (only,) = ExchangeAccount.objects.filter(owner=user)
    assert results == [only.id, only.id]


def test_a_venue_that_does_not_answer_is_a_503_and_nothing_is_saved(alice_api, sandbox_key, settings):
    settings.EXCHANGE_ACCOUNT_REST_URLS = {"testnet": _dead_url()}
    key = sandbox_key()
    response = alice_api.post("/api/exchange-accounts/", {"label": "T", "venue": "testnet", "api_key": key["apiKey"],
                                                          "api_secret": key["secretKey"]}, format="json")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert response.json() == {"detail": "The testnet exchange could not be reached (TemporaryError); try again in a moment."}
    assert not ExchangeAccount.objects.filter(venue="testnet").exists()


def test_a_verify_the_venue_cannot_answer_changes_nothing(alice, alice_api, sandbox_key, venues_on_sandbox, settings):
    key = sandbox_key()
    created = alice_api.post("/api/exchange-accounts/", {"label": "T", "venue": "testnet", "api_key": key["apiKey"],
                                                         "api_secret": key["secretKey"]}, format="json").json()
    settings.EXCHANGE_ACCOUNT_REST_URLS = {"testnet": _dead_url()}
    assert alice_api.post(f"/api/exchange-accounts/{created['id']}/verify/").status_code == 503
    assert alice_api.get(f"/api/exchange-accounts/{created['id']}/balance/").status_code == 503
    account = ExchangeAccount.objects.get(id=created["id"])
    assert account.status == "verified" and account.verified_at.isoformat().replace("+00:00", "Z") == created["verified_at"]
    assert crypto.decrypt(account.api_key_encrypted).reveal() == key["apiKey"]


@pytest.mark.django_db(transaction=True)
def test_sign_up_ends_in_a_funded_paper_account(sandbox_process):
    from rest_framework.test import APIClient

    from common import leakwatch

    password = leakwatch.secret("paper trader 2026 !", "password")
    registered = APIClient().post("/api/auth/register/", {"email": "new@example.com", "password": password},
                                  format="json")
    assert registered.status_code == 201, registered.json()
    # Made right after the sign-up committed, before any list call.
    paper = ExchangeAccount.objects.get(owner__username="new@example.com")
    assert (paper.is_paper, paper.venue, paper.label, paper.status) == (True, "sandbox", "Paper", "verified")

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {registered.json()['access']}")
    (listed,) = api.get("/api/exchange-accounts/").json()
    balance = api.get(f"/api/exchange-accounts/{listed['id']}/balance/").json()
    assert balance["assets"][0]["asset"] == "USDT" and balance["assets"][0]["wallet_balance"] == "10000.00000000"
