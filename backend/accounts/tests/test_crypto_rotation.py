"""accounts/crypto.py and `manage.py rotate_encryption_keys`: rows written under key A read once key
B is added first; after the rotation, with A removed, every row still reads; runs are idempotent
and resume where an interrupted one stopped."""
from __future__ import annotations

import io
import pickle

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from accounts import crypto
from accounts.models import ExchangeAccount
from accounts.services.key_rotation import encrypted_values_rotate
from common import leakwatch
from config.env import EnvError, read_field_encryption_keys
from notifications.models import Kind, NotificationRule

KEY_A, KEY_B, KEY_C = (leakwatch.secret(Fernet.generate_key().decode(), "encryption key") for _ in range(3))


def test_a_secret_never_shows_itself():
    secret = crypto.decrypt(crypto.encrypt("s3cret-value-123"))
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", "%s" % secret, repr([secret]),
                 repr({"k": secret})):
        assert "s3cret-value-123" not in text and "****" in text
    assert secret.reveal() == "s3cret-value-123" and secret.last4 == "-123"
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_tokens_are_fresh_and_tampering_is_detected():
    first, second = crypto.encrypt("same"), crypto.encrypt("same")
    assert first != second and "same" not in first
    tampered = first[:-6] + ("A" if first[-6] != "A" else "B") + first[-5:]
    with pytest.raises(crypto.DecryptionError) as failure:
        crypto.decrypt(tampered)
    assert tampered not in str(failure.value)


def test_no_key_no_secret(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        crypto.encrypt("x")


def test_keys_from_the_environment_or_a_file(monkeypatch, tmp_path):
    monkeypatch.delenv("FIELD_ENCRYPTION_KEYS_FILE", raising=False)
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", f" {KEY_B} , {KEY_A} ")
    assert read_field_encryption_keys() == (KEY_B, KEY_A)
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", f"{KEY_A},not-a-key")
    with pytest.raises(EnvError) as bad:
        read_field_encryption_keys()
    assert str(bad.value) == "FIELD_ENCRYPTION_KEYS: key 2 is not a Fernet key (32 url-safe base64-encoded bytes)"
    monkeypatch.delenv("FIELD_ENCRYPTION_KEYS")
    path = tmp_path / "keys"
    path.write_text(f"{KEY_C}\n{KEY_A}\n")
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS_FILE", str(path))
    assert read_field_encryption_keys() == (KEY_C, KEY_A)
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", KEY_A)
    with pytest.raises(EnvError, match="not both"):
        read_field_encryption_keys()
    monkeypatch.delenv("FIELD_ENCRYPTION_KEYS")
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS_FILE", str(tmp_path / "missing"))
    with pytest.raises(EnvError, match="cannot be read"):
        read_field_encryption_keys()


def _rows(count: int) -> tuple[list[ExchangeAccount], list[NotificationRule]]:
    NotificationRule.objects.all().delete()  # the migration's dashboard rule: counts are the test's own
    owner = User.objects.create_user(username="rotation@example.com")
    accounts = [
        ExchangeAccount.objects.create(
            owner=owner, label=f"acc {n}", venue="testnet", api_key_encrypted=crypto.encrypt(f"key{n:04d}" * 8),
            api_key_last4=f"{n:04d}", fingerprint="0" * 12, api_secret_encrypted=crypto.encrypt(f"sec{n:04d}" * 8))
        for n in range(count)
    ]
    rules = [NotificationRule.objects.create(name=f"hook {n}", kind=Kind.WEBHOOK, target="https://93.184.215.14/h",
                                             secret_encrypted=crypto.encrypt(f"whsec-{n}-0123456789"))
             for n in range(count)]
    return accounts, rules


def _read_all(accounts, rules) -> None:
    for n, account in enumerate(accounts):
        account.refresh_from_db()
        assert crypto.decrypt(account.api_key_encrypted).reveal() == f"key{n:04d}" * 8
        assert crypto.decrypt(account.api_secret_encrypted).reveal() == f"sec{n:04d}" * 8
    for n, rule in enumerate(rules):
        assert NotificationRule.objects.get(id=rule.id).secret.reveal() == f"whsec-{n}-0123456789"


@pytest.mark.django_db
def test_rotation_from_key_a_to_key_b(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    accounts, rules = _rows(3)

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]  # B added first: everything written under A still reads
    _read_all(accounts, rules)
    out = io.StringIO()
    call_command("rotate_encryption_keys", "--batch-size", "2", stdout=out)
    assert f"Encrypting under key {crypto.key_id(KEY_B)}" in out.getvalue()
    assert "accounts.ExchangeAccount: 3 rotated, 0 already current" in out.getvalue()
    assert "notifications.NotificationRule: 3 rotated, 0 already current" in out.getvalue()
    assert KEY_A not in out.getvalue() and KEY_B not in out.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]  # A removed: every row still reads
    _read_all(accounts, rules)
    again = io.StringIO()
    call_command("rotate_encryption_keys", stdout=again)  # idempotent: nothing left to do
    assert "accounts.ExchangeAccount: 0 rotated, 3 already current" in again.getvalue()
    assert "notifications.NotificationRule: 0 rotated, 3 already current" in again.getvalue()


@pytest.mark.django_db
def test_an_interrupted_rotation_resumes(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    accounts, rules = _rows(4)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]

    class Stop(Exception):
        pass

    def stop_after_first_batch(name, count):
        raise Stop

    with pytest.raises(Stop):
        encrypted_values_rotate(batch_size=1, on_batch=stop_after_first_batch)
    counts = encrypted_values_rotate(batch_size=3)
    assert counts["accounts.ExchangeAccount"].as_dict() == {"rotated": 3, "current": 1, "unreadable": []}
    assert counts["notifications.NotificationRule"].as_dict() == {"rotated": 4, "current": 0, "unreadable": []}
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    _read_all(accounts, rules)


@pytest.mark.django_db
def test_a_value_no_key_reads_is_reported_and_the_rest_rotated(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    accounts, rules = _rows(2)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_C]
    lost = NotificationRule.objects.create(name="lost", kind=Kind.WEBHOOK, target="https://93.184.215.14/h",
                                           secret_encrypted=crypto.encrypt("whsec-lost-0123456789"))
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    out = io.StringIO()
    with pytest.raises(CommandError, match="put back the key"):
        call_command("rotate_encryption_keys", stdout=out)
    assert f"1 unreadable (ids [{lost.id}])" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    _read_all(accounts, rules)


def test_only_crypto_py_touches_fernet():
    import pathlib

    backend = pathlib.Path(crypto.__file__).resolve().parents[1]
    users = sorted(str(path.relative_to(backend)) for path in backend.rglob("*.py")
                   if "tests" not in path.parts and "cryptography.fernet" in path.read_text(encoding="utf-8"))
    assert users == ["accounts/crypto.py"]
