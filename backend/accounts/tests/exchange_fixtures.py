"""Fixtures of the exchange account tests: users with a Bearer token, and sandbox keys made
through the real sandbox process's control API (registered with the leak watch)."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from common import leakwatch


def bearer_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def alice(db):
    return User.objects.create_user(username="alice@example.com", email="alice@example.com")


@pytest.fixture
def bob(db):
    return User.objects.create_user(username="bob@example.com", email="bob@example.com")


@pytest.fixture
def alice_api(alice):
    return bearer_client(alice)


@pytest.fixture
def bob_api(bob):
    return bearer_client(bob)


@pytest.fixture
def sandbox_key(sandbox_process):
    """`sandbox_key(**flags) -> {"apiKey", "secretKey", ...}`: a new key (and account) of the sandbox."""

    def make(**flags) -> dict:
        key = sandbox_process.control("POST", "keys", {"label": "test", **flags})
        leakwatch.secret(key["apiKey"], "exchange API key")
        leakwatch.secret(key["secretKey"], "exchange secret")
        return key

    return make


@pytest.fixture
def venues_on_sandbox(settings, sandbox_process):
    """testnet and live reached at the sandbox (it serves the USD-M and the SAPI endpoints alike), as
    the test settings say."""
    assert settings.EXCHANGE_ACCOUNT_REST_URLS == {"testnet": "sandbox", "live": "sandbox"}
    return settings
