"""Encrypted storage of secrets (exchange API keys and secrets, webhook secrets): the ONLY place
that decrypts.

Envelope: Fernet (AES-128-CBC + HMAC-SHA256, with a timestamp) under a MultiFernet built from
`settings.FIELD_ENCRYPTION_KEYS` (env FIELD_ENCRYPTION_KEYS or FIELD_ENCRYPTION_KEYS_FILE): the
first key encrypts, every key decrypts, so a new key is put first, `manage.py
rotate_encryption_keys` re-encrypts every stored value under it, and then the old key can go.

Stored values are Fernet tokens (ASCII text). A decrypted value comes back as `Secret`, whose
repr and str never show it: a secret that reaches a log line, a traceback's locals or an f-string
prints as `Secret('****')`. Only `reveal()` gives the text, at the one place that needs it (an
HMAC signature, an HTTP header).
"""
from __future__ import annotations

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

FINGERPRINT_LENGTH = 12


class DecryptionError(Exception):
    """A stored value cannot be decrypted with any configured key (a key was removed before
    `rotate_encryption_keys` re-encrypted it, or the value is damaged). The message never
    contains the value."""


class Secret:
    """A decrypted secret. `repr`/`str`/format show a mask; `reveal()` returns the text."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def last4(self) -> str:
        return self._value[-4:]

    def __repr__(self) -> str:
        return "Secret('****')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self):  # never pickled into a cache, a task argument or a session
        raise TypeError("a Secret cannot be pickled")


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _keys() -> tuple[str, ...]:
    keys = tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS", ()) or ())
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS (or FIELD_ENCRYPTION_KEYS_FILE) is not set: secrets cannot be stored or read. "
            "Generate a key with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        )
    return keys


def encrypt(plaintext: str) -> str:
    """A Fernet token of `plaintext` under the first key."""
    if isinstance(plaintext, Secret):
        plaintext = plaintext.reveal()
    return _multi_fernet(_keys()).encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str) -> Secret:
    """The secret inside `token`, tried with every configured key."""
    try:
        return Secret(_multi_fernet(_keys()).decrypt(token.encode("ascii")).decode())
    except (InvalidToken, UnicodeError, ValueError):
        raise DecryptionError("a stored secret cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS") from None


def is_current(token: str) -> bool:
    """True when `token` is already encrypted under the first key (rotation can skip it)."""
    try:
        Fernet(_keys()[0].encode()).decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeError, ValueError):
        return False
    return True


def rotate(token: str) -> str:
    """`token` re-encrypted under the first key (MultiFernet.rotate: the plaintext never leaves
    this module)."""
    try:
        return _multi_fernet(_keys()).rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError, ValueError):
        raise DecryptionError("a stored secret cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS") from None


def fingerprint(value: str) -> str:
    """A short, stable identifier of an API key that is safe to show: the first 12 hex digits of
    HMAC-SHA256(value) under a key derived from SECRET_KEY. Without SECRET_KEY it cannot be
    matched against a list of candidate keys."""
    if isinstance(value, Secret):
        value = value.reveal()
    digest = salted_hmac("accounts.crypto.fingerprint", value, algorithm="sha256")
    return digest.hexdigest()[:FINGERPRINT_LENGTH]


def key_id(key: str) -> str:
    """A label of an encryption key for operators' output (never the key): sha256, 8 hex digits."""
    return hashlib.sha256(key.encode()).hexdigest()[:8]
