"""Fixtures of the trading API tests: users with a Bearer token and paper accounts on the test
sandbox process (each with a fresh key, hence its own 10,000 USDT wallet)."""
from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from trading.tests.harness.books import account_http
from trading.tests.harness.stack import paper_account_create


def bearer_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def user_make(name: str) -> User:
    email = f"{name}-{uuid.uuid4().hex[:6]}@example.com"
    return User.objects.create_user(username=email, email=email)


@pytest.fixture
def alice(db):
    return user_make("alice")


@pytest.fixture
def bob(db):
    return user_make("bob")


@pytest.fixture
def alice_api(alice):
    return bearer_client(alice)


@pytest.fixture
def bob_api(bob):
    return bearer_client(bob)


@pytest.fixture
def alice_account(alice, sandbox_process):
    return paper_account_create(alice, sandbox_process)


@pytest.fixture
def bob_account(bob, sandbox_process):
    return paper_account_create(bob, sandbox_process)


@pytest.fixture
def alice_books(alice_account, sandbox_process):
    """Alice's account as the sandbox has it, through plain signed HTTP (not the platform's client)."""
    return account_http(alice_account, sandbox_process.url)
