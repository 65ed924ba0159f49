"""/api/auth/: sign-up, sign-in, tokens, password change and reset, against real PostgreSQL and Redis."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core import mail
from rest_framework.test import APIClient

from accounts.services.users import user_create
from common import leakwatch

PASSWORD = leakwatch.secret("correct horse battery staple 42", "account test password")
# The other passwords these tests send: the leak watch fails the suite if one is ever echoed or logged.
for _password in ("a new and longer passphrase", "reset to something long", "yet another long one", "not the password"):
    leakwatch.secret(_password, "account test password")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def alice(db):
    return user_create(email="alice@example.com", password=PASSWORD)


def _login(api, email="alice@example.com", password=PASSWORD):
    return api.post("/api/auth/login/", {"email": email, "password": password}, format="json")


def _bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.mark.django_db(transaction=True)
def test_register_creates_a_lower_cased_account_and_signs_in(api):
    response = api.post("/api/auth/register/", {"email": "  Bob@Example.COM ", "password": PASSWORD}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    user = User.objects.get()
    assert (user.username, user.email) == ("bob@example.com", "bob@example.com")
    assert user.check_password(PASSWORD)
    assert body["user"] == {"id": user.id, "email": "bob@example.com", "is_staff": False,
                            "date_joined": body["user"]["date_joined"]}
    assert _bearer(body["access"]).get("/api/auth/me/").json()["email"] == "bob@example.com"
    assert api.post("/api/auth/refresh/", {"refresh": body["refresh"]}, format="json").status_code == 200


def test_register_refuses_a_taken_email_in_any_case(api, alice):
    response = api.post("/api/auth/register/", {"email": "ALICE@example.com", "password": PASSWORD}, format="json")

    assert response.status_code == 400
    assert "already exists" in response.json()["email"][0]
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("password", "fragment"), [
    ("short1", "too short"),
    ("password123", "too common"),
    ("8361947205", "entirely numeric"),
    ("carol@example.com", "too similar"),
])
def test_register_applies_djangos_password_validators(api, password, fragment):
    response = api.post("/api/auth/register/", {"email": "carol@example.com", "password": password}, format="json")

    assert response.status_code == 400
    assert any(fragment in message for message in response.json()["password"]), response.json()
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"email": "not-an-email", "password": PASSWORD}, {"email": "a@b.co"},
                                  {"email": ["x@y.z"], "password": PASSWORD}, {"email": "x" * 140 + "@example.com",
                                                                                  "password": PASSWORD}])
def test_register_bad_input_is_a_400(api, body):
    assert api.post("/api/auth/register/", body, format="json").status_code == 400


def test_login_returns_a_working_token_pair(api, alice):
    response = _login(api, email="Alice@Example.com")

    assert response.status_code == 200
    me = _bearer(response.json()["access"]).get("/api/auth/me/")
    assert me.status_code == 200
    assert me.json() == {"id": alice.id, "email": "alice@example.com", "is_staff": False,
                         "date_joined": me.json()["date_joined"]}
    alice.refresh_from_db()
    assert alice.last_login is not None


def test_login_with_a_wrong_password_or_unknown_email_is_the_same_401(api, alice):
    wrong = _login(api, password="not the password")
    unknown = _login(api, email="nobody@example.com")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "Wrong email or password."}
    assert wrong["WWW-Authenticate"].startswith("Bearer")


def test_an_inactive_account_cannot_sign_in(api, alice):
    alice.is_active = False
    alice.save()
    assert _login(api).status_code == 401


def test_refresh_rotates_and_the_used_refresh_token_is_dead(api, alice):
    first = _login(api).json()

    rotated = api.post("/api/auth/refresh/", {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"} and rotated.json()["refresh"] != first["refresh"]

    again = api.post("/api/auth/refresh/", {"refresh": first["refresh"]}, format="json")
    assert again.status_code == 401
    assert api.post("/api/auth/refresh/", {"refresh": rotated.json()["refresh"]}, format="json").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{"refresh": "garbage"}, {"refresh": ""}, {}])
def test_refresh_with_a_bad_token_is_a_4xx(api, body):
    assert api.post("/api/auth/refresh/", body, format="json").status_code in (400, 401)


def test_logout_blacklists_the_refresh_token(api, alice):
    pair = _login(api).json()

    assert api.post("/api/auth/logout/", {"refresh": pair["refresh"]}, format="json").status_code == 204
    assert api.post("/api/auth/refresh/", {"refresh": pair["refresh"]}, format="json").status_code == 401
    assert api.post("/api/auth/logout/", {"refresh": "garbage"}, format="json").status_code == 401


def test_password_change_signs_out_every_other_session(api, alice):
    laptop, phone = _login(api).json(), _login(api).json()

    response = _bearer(laptop["access"]).post("/api/auth/password/change/", {
        "old_password": PASSWORD, "new_password": "a new and longer passphrase"}, format="json")

    assert response.status_code == 200
    fresh = response.json()
    for old in (laptop, phone):
        assert api.post("/api/auth/refresh/", {"refresh": old["refresh"]}, format="json").status_code == 401
    assert api.post("/api/auth/refresh/", {"refresh": fresh["refresh"]}, format="json").status_code == 200
    assert _login(api).status_code == 401
    assert _login(api, password="a new and longer passphrase").status_code == 200


def test_password_change_needs_the_current_password_and_a_valid_new_one(api, alice):
    signed_in = _bearer(_login(api).json()["access"])

    wrong = signed_in.post("/api/auth/password/change/", {"old_password": "nope", "new_password": "a new and longer passphrase"},
                           format="json")
    weak = signed_in.post("/api/auth/password/change/", {"old_password": PASSWORD, "new_password": "123"}, format="json")

    assert wrong.status_code == 400 and "current password is wrong" in wrong.json()["old_password"][0]
    assert weak.status_code == 400 and weak.json()["new_password"]
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert api.post("/api/auth/password/change/", {}, format="json").status_code == 401


def _reset_link() -> tuple[str, str]:
    assert len(mail.outbox) == 1
    match = re.search(r"http://testserver-site/reset-password\?\S+", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    query = parse_qs(urlsplit(match.group(0)).query)
    return query["uid"][0], query["token"][0]


def test_password_reset_by_email_then_the_link_is_used_up(api, alice, settings):
    settings.SITE_URL = "http://testserver-site"
    old_session = _login(api).json()

    assert api.post("/api/auth/password/reset/", {"email": "ALICE@example.com"}, format="json").status_code == 204
    assert mail.outbox[0].to == ["alice@example.com"]
    uid, token = _reset_link()

    body = {"uid": uid, "token": token, "new_password": "reset to something long"}
    assert api.post("/api/auth/password/reset/confirm/", body, format="json").status_code == 204
    assert _login(api, password="reset to something long").status_code == 200
    assert api.post("/api/auth/refresh/", {"refresh": old_session["refresh"]}, format="json").status_code == 401

    reused = api.post("/api/auth/password/reset/confirm/", {**body, "new_password": "yet another long one"}, format="json")
    assert reused.status_code == 400
    assert "invalid, expired or already used" in str(reused.json())


def test_password_reset_answers_the_same_for_unknown_and_passwordless_accounts(api, db):
    user_create(email="oidc@example.com")  # signed up through a provider: no usable password

    for email in ("nobody@example.com", "oidc@example.com"):
        response = api.post("/api/auth/password/reset/", {"email": email}, format="json")
        assert response.status_code == 204 and not response.content
    assert mail.outbox == []


def test_password_reset_confirm_refuses_bad_links_and_weak_passwords(api, alice, settings):
    settings.SITE_URL = "http://testserver-site"
    api.post("/api/auth/password/reset/", {"email": "alice@example.com"}, format="json")
    uid, token = _reset_link()

    for bad in ({"uid": uid, "token": token[:-2] + "xx"}, {"uid": "MTIzNDU2Nzg5", "token": token},
                {"uid": "!!", "token": token}, {"uid": uid, "token": ""}):
        response = api.post("/api/auth/password/reset/confirm/", {**bad, "new_password": "reset to something long"},
                            format="json")
        assert response.status_code == 400, bad
    weak = api.post("/api/auth/password/reset/confirm/", {"uid": uid, "token": token, "new_password": "alice"},
                    format="json")
    assert weak.status_code == 400 and weak.json()["new_password"]
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_password_reset_still_answers_204_when_the_mail_server_is_down(api, alice, settings, caplog):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2

    response = api.post("/api/auth/password/reset/", {"email": "alice@example.com"}, format="json")

    assert response.status_code == 204
    assert f"password reset mail for user {alice.pk} not sent: ConnectionRefusedError" in caplog.text
