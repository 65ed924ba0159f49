"""Sign-in throttles (429 + Retry-After per IP and per account) and django-axes' lockout, API and admin."""
from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from accounts.services.users import user_create
from common import leakwatch

PASSWORD = leakwatch.secret("correct horse battery staple 42", "account test password")
GENEROUS = "1000/min"


def _rates(settings, **scopes: str) -> None:
    """Every sign-in scope generous except the ones given."""
    names = ["login_ip", "login_account", "register_ip", "register_account", "reset_ip", "reset_account",
             "reset_confirm_ip", "password_change_user"]
    rates = {name: scopes.get(name, GENEROUS) for name in names}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def _post(path: str, body: dict, ip: str = "10.0.0.1", access: str | None = None):
    client = APIClient(REMOTE_ADDR=ip)
    if access:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.post(path, body, format="json")


def _assert_throttled(response, window_s: int) -> None:
    assert response.status_code == 429, (response.status_code, response.content)
    assert 1 <= int(response["Retry-After"]) <= window_s
    assert "throttled" in response.json()["detail"]


# (scope, path, body for the n-th request, is the scope per account)
ROUTES = [
    ("login_ip", "/api/auth/login/", lambda n: {"email": f"u{n}@example.com", "password": "x"}),
    ("login_account", "/api/auth/login/", lambda n: {"email": "Same@Example.com" if n % 2 else "same@example.com",
                                                     "password": "x"}),
    ("register_ip", "/api/auth/register/", lambda n: {"email": f"new{n}@example.com", "password": PASSWORD}),
    ("register_account", "/api/auth/register/", lambda n: {"email": "taken@example.com", "password": PASSWORD}),
    ("reset_ip", "/api/auth/password/reset/", lambda n: {"email": f"u{n}@example.com"}),
    ("reset_account", "/api/auth/password/reset/", lambda n: {"email": "same@example.com"}),
    ("reset_confirm_ip", "/api/auth/password/reset/confirm/", lambda n: {"uid": "MQ", "token": f"t{n}",
                                                                         "new_password": PASSWORD}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("scope", "path", "body"), ROUTES, ids=[r[0] for r in ROUTES])
def test_each_sign_in_route_is_throttled_with_retry_after(settings, scope, path, body):
    _rates(settings, **{scope: "3/min"})
    per_account = scope.endswith("_account")
    # Per IP: one address, new accounts each time. Per account: one account from a new address each time.
    ips = [f"10.0.1.{n}" for n in range(4)] if per_account else ["10.0.0.9"] * 4

    answers = [_post(path, body(n), ip=ips[n]) for n in range(4)]

    assert [a.status_code for a in answers[:3]].count(429) == 0, [a.status_code for a in answers]
    _assert_throttled(answers[3], 60)
    # Another address (per-IP scope) or another account (per-account scope) is not held back.
    other = _post(path, {**body(99), "email": "other@example.com"} if per_account else body(99), ip="10.0.2.1")
    assert other.status_code != 429


@pytest.mark.django_db
def test_password_change_is_throttled_per_user(settings):
    _rates(settings, password_change_user="2/hour")
    from accounts.services.tokens import token_pair_issue

    alice, bob = (user_create(email=f"{name}@example.com", password=PASSWORD) for name in ("alice", "bob"))
    wrong = {"old_password": "wrong", "new_password": "a new and longer passphrase"}
    answers = [_post("/api/auth/password/change/", wrong, ip=f"10.0.3.{n}", access=token_pair_issue(user=alice)["access"])
               for n in range(3)]

    assert [a.status_code for a in answers[:2]] == [400, 400]
    _assert_throttled(answers[2], 3600)
    assert _post("/api/auth/password/change/", wrong, access=token_pair_issue(user=bob)["access"]).status_code == 400


@pytest.fixture
def alice(db):
    return user_create(email="alice@example.com", password=PASSWORD)


def _login(password: str, ip: str, email: str = "alice@example.com"):
    return _post("/api/auth/login/", {"email": email, "password": password}, ip=ip)


def test_api_login_locks_out_an_account_and_ip_pair_after_five_failures(settings, alice):
    _rates(settings)
    assert (settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME) == (5, timedelta(minutes=15))

    failures = [_login("wrong", "10.0.4.1", email="ALICE@example.com" if n % 2 else "alice@example.com")
                for n in range(5)]

    assert [f.status_code for f in failures] == [401, 401, 401, 401, 429]
    locked = _login(PASSWORD, "10.0.4.1")  # the right password changes nothing while locked out
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert "Too many failed sign-ins" in locked.json()["detail"]
    assert 15 * 60 - 30 <= int(locked["Retry-After"]) <= 15 * 60
    # Per (account, IP): the owner on another machine still signs in; a failing stranger cannot lock them out.
    assert _login(PASSWORD, "10.0.4.2").status_code == 200

    # Once the cool-off has passed (the failures are 16 minutes old), the pair may sign in again.
    AccessAttempt.objects.filter(username="alice@example.com").update(
        attempt_time=AccessAttempt.objects.get(ip_address="10.0.4.1").attempt_time - timedelta(minutes=16))
    assert _login(PASSWORD, "10.0.4.1").status_code == 200


def test_a_successful_login_clears_the_failure_count(settings, alice):
    _rates(settings)
    for _ in range(4):
        assert _login("wrong", "10.0.5.1").status_code == 401
    assert _login(PASSWORD, "10.0.5.1").status_code == 200
    assert [_login("wrong", "10.0.5.1").status_code for _ in range(4)] == [401] * 4


def test_admin_login_is_locked_out_too(alice):
    User.objects.filter(pk=alice.pk).update(is_staff=True, is_superuser=True)
    browser = Client(REMOTE_ADDR="10.0.6.1")

    for n in range(4):
        page = browser.post("/admin/login/?next=/admin/", {"username": "alice@example.com", "password": "wrong"})
        assert page.status_code == 200 and b"Please enter the correct" in page.content
    fifth = browser.post("/admin/login/?next=/admin/", {"username": "alice@example.com", "password": "wrong"})
    assert fifth.status_code == 429
    assert 15 * 60 - 30 <= int(fifth["Retry-After"]) <= 15 * 60

    locked = browser.post("/admin/login/?next=/admin/", {"username": "alice@example.com", "password": PASSWORD})
    assert locked.status_code == 429
    assert browser.get("/admin/").status_code == 302, "not signed in"

    other = Client(REMOTE_ADDR="10.0.6.2")
    assert other.post("/admin/login/?next=/admin/", {"username": "alice@example.com", "password": PASSWORD}).status_code == 302
    assert other.get("/admin/").status_code == 200


def test_api_and_admin_failures_count_together(settings, alice):
    _rates(settings)
    browser = Client(REMOTE_ADDR="10.0.7.1")
    for _ in range(3):
        browser.post("/admin/login/", {"username": "Alice@example.com", "password": "wrong"})
    assert [_login("wrong", "10.0.7.1").status_code for _ in range(2)] == [401, 429]


@pytest.mark.django_db(transaction=True)
async def test_the_lockout_answer_is_the_same_under_asgi(settings):
    """Daphne serves the site: axes' middleware then runs its async path."""
    from asgiref.sync import sync_to_async
    from django.test import AsyncClient

    _rates(settings)
    await sync_to_async(user_create)(email="alice@example.com", password=PASSWORD)
    client = AsyncClient(REMOTE_ADDR="10.0.8.1")
    body = {"email": "alice@example.com", "password": "wrong"}

    statuses = [(await client.post("/api/auth/login/", body, content_type="application/json")).status_code
                for _ in range(5)]
    # Five minutes later, ten are left.
    attempts = AccessAttempt.objects.filter(username="alice@example.com")
    attempt_time = (await attempts.aget()).attempt_time
    await attempts.aupdate(attempt_time=attempt_time - timedelta(minutes=5))
    locked = await client.post("/api/auth/login/", {**body, "password": PASSWORD}, content_type="application/json")

    assert statuses == [401, 401, 401, 401, 429]
    assert locked.status_code == 429 and locked["Content-Type"] == "application/json"
    assert 10 * 60 - 30 <= int(locked["Retry-After"]) <= 10 * 60
