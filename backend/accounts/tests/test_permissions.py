"""Who may see what: Bearer JWT only, signed-in by default, market-wide data public under PUBLIC_MARKET_DATA."""
from __future__ import annotations

import base64

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.services.tokens import token_pair_issue
from accounts.services.users import user_create
from common import leakwatch

PASSWORD = leakwatch.secret("correct horse battery staple 42", "account test password")
# Market-wide reads; klines gets a malformed symbol so the answer (400) needs no exchange.
MARKET_URLS = ["/api/signals/", "/api/signals/1/", "/api/signals/stats/", "/api/signals/performance/",
               "/api/symbols/", "/api/klines/?symbol=bad", "/api/scanner/status/", "/api/health/"]


@pytest.fixture
def alice(db):
    return user_create(email="alice@example.com", password=PASSWORD)


def _bearer(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_issue(user=user)['access']}")
    return client


@pytest.mark.django_db
def test_anonymous_me_is_401_with_a_bearer_challenge():
    response = APIClient().get("/api/auth/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_basic_auth_and_the_admin_session_do_not_sign_in_to_the_api(alice):
    basic = APIClient()
    basic.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"alice@example.com:{PASSWORD}".encode()).decode())
    assert basic.get("/api/auth/me/").status_code == 401

    session = Client()
    session.force_login(alice)
    assert session.get("/api/auth/me/").status_code == 401


def test_an_invalid_or_refresh_token_is_not_an_access_token(alice):
    pair = token_pair_issue(user=alice)
    for token in ("not-a-jwt", pair["refresh"], pair["access"][:-4] + "AAAA"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert client.get("/api/auth/me/").status_code == 401, token


@pytest.mark.django_db
@pytest.mark.parametrize("url", MARKET_URLS)
def test_market_data_is_public_and_read_only_by_default(settings, url):
    settings.PUBLIC_MARKET_DATA = True
    anonymous = APIClient()

    assert anonymous.get(url).status_code not in (401, 403)
    assert anonymous.post(url, {}, format="json").status_code == 401


@pytest.mark.parametrize("url", MARKET_URLS)
def test_market_data_needs_sign_in_when_not_public(settings, alice, url):
    settings.PUBLIC_MARKET_DATA = False

    assert APIClient().get(url).status_code == 401
    assert _bearer(alice).get(url).status_code not in (401, 403)


@pytest.mark.django_db
def test_the_schema_says_which_reads_need_no_token(settings):
    settings.PUBLIC_MARKET_DATA = True
    paths = APIClient().get("/api/schema/?format=json").json()["paths"]

    assert paths["/api/signals/"]["get"]["security"] == [{"jwtAuth": []}, {}]
    assert paths["/api/auth/me/"]["get"]["security"] == [{"jwtAuth": []}]
