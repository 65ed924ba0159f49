"""Users in the admin with their history: who changed what, through the admin or the API."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from accounts.services.users import user_create
from common.testing import throttles_reset
from common import leakwatch

PASSWORD = leakwatch.secret("correct horse battery staple 42", "account test password")


@pytest.fixture
def staff(db):
    return User.objects.create_superuser(username="root@example.com", email="root@example.com", password=PASSWORD)


def test_an_admin_change_is_recorded_with_its_author(client, staff):
    alice = user_create(email="alice@example.com", password=PASSWORD)
    client.force_login(staff)
    form = {"username": alice.username, "email": alice.email, "first_name": "", "last_name": "",
            "is_active": "on", "is_staff": "on", "date_joined_0": alice.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": alice.date_joined.strftime("%H:%M:%S"), "initial-date_joined_0": "",
            "initial-date_joined_1": ""}

    response = client.post(f"/admin/auth/user/{alice.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    latest = alice.history.first()
    assert (latest.history_type, latest.is_staff, latest.history_user) == ("~", True, staff)
    page = client.get(f"/admin/auth/user/{alice.pk}/history/")
    assert page.status_code == 200 and "root@example.com" in page.content.decode()


def test_history_keeps_password_changes_but_not_hashes_or_sign_ins(staff):
    throttles_reset()
    alice = user_create(email="alice@example.com", password=PASSWORD)
    api = APIClient()
    pair = api.post("/api/auth/login/", {"email": "alice@example.com", "password": PASSWORD}, format="json").json()
    api.post("/api/auth/login/", {"email": "alice@example.com", "password": PASSWORD}, format="json")
    assert [h.history_type for h in alice.history.all()] == ["+"], "sign-ins add no history"

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert api.post("/api/auth/password/change/", {"old_password": PASSWORD, "new_password": "another long passphrase"},
                    format="json").status_code == 200

    latest = alice.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("password changed", alice)
    assert not hasattr(latest, "password")


def test_the_admin_lists_users_and_axes_attempts(client, staff):
    client.force_login(staff)
    assert client.get("/admin/auth/user/").status_code == 200
    assert client.get("/admin/axes/accessattempt/").status_code == 200
