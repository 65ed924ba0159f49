"""Admin: exchange accounts listed masked (last 4 + fingerprint), no key, secret or ciphertext on any
page, only the label editable, with a history of who changed what."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from accounts import crypto
from accounts.models import ExchangeAccount
from common import leakwatch

API_KEY = leakwatch.secret("Kq3" * 21 + "WXYZ", "exchange API key")
API_SECRET = leakwatch.secret("Sx9" * 21 + "qrst", "exchange secret")

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    owner = User.objects.create_user(username="erin@example.com", email="erin@example.com")
    return ExchangeAccount.objects.create(
        owner=owner, label="Erin's bot", venue="testnet", api_key_encrypted=crypto.encrypt(API_KEY),
        api_key_last4="WXYZ", fingerprint=crypto.fingerprint(API_KEY), api_secret_encrypted=crypto.encrypt(API_SECRET),
        status="verified")


def test_pages_show_the_account_masked(admin_client, account):
    pages = {
        "list": reverse("admin:accounts_exchangeaccount_changelist"),
        "change": reverse("admin:accounts_exchangeaccount_change", args=[account.id]),
        "history": reverse("admin:accounts_exchangeaccount_history", args=[account.id]),
        "delete": reverse("admin:accounts_exchangeaccount_delete", args=[account.id]),
    }
    for name, url in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, name
        page = response.content.decode()
        for hidden in (API_KEY, API_SECRET, account.api_key_encrypted, account.api_secret_encrypted):
            assert hidden not in page, name
    listing = admin_client.get(pages["list"]).content.decode()
    assert "…WXYZ" in listing and account.fingerprint in listing and "erin@example.com" in listing
    search = admin_client.get(pages["list"], {"q": API_KEY[:12]}).content.decode()
    assert "Erin&#x27;s bot" not in search  # the key itself is not searchable


def test_only_the_label_changes_and_the_history_names_who(admin_client, account):
    admin = User.objects.get(is_superuser=True)
    url = reverse("admin:accounts_exchangeaccount_change", args=[account.id])
    response = admin_client.post(url, {"label": "Renamed by staff", "status": "failed", "venue": "live",
                                       "api_key_encrypted": "x", "live_confirmed": "on"})
    assert response.status_code == 302
    stored = ExchangeAccount.objects.get(id=account.id)
    assert (stored.label, stored.status, stored.venue, stored.live_confirmed) == ("Renamed by staff", "verified", "testnet", False)
    assert crypto.decrypt(stored.api_key_encrypted).reveal() == API_KEY
    latest = stored.history.first()
    assert latest.label == "Renamed by staff" and latest.history_user == admin
    version = admin_client.get(reverse("admin:accounts_exchangeaccount_simple_history",
                                       args=[account.id, latest.history_id]))
    assert version.status_code == 200 and "Renamed by staff" in version.content.decode()
    assert API_SECRET not in version.content.decode() and API_KEY not in version.content.decode()
    revert = admin_client.post(reverse("admin:accounts_exchangeaccount_simple_history",
                                       args=[account.id, stored.history.last().history_id]), {"label": "old"})
    assert revert.status_code == 403 and ExchangeAccount.objects.get(id=account.id).label == "Renamed by staff"
    assert admin_client.get(reverse("admin:accounts_exchangeaccount_add")).status_code == 403


def test_deleting_from_the_admin_records_the_admin(admin_client, account):
    admin = User.objects.get(is_superuser=True)
    url = reverse("admin:accounts_exchangeaccount_delete", args=[account.id])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not ExchangeAccount.objects.filter(id=account.id).exists()
    deleted = ExchangeAccount.history.filter(id=account.id, history_type="-").get()
    assert deleted.history_user == admin
