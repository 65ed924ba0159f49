"""Exchange accounts: create, verify, relabel, delete; the paper account every user gets.

A key is checked against its venue before it is stored (venue_checks.py): a key the venue refuses
is never saved, and a live key that can withdraw neither. The key and the secret are encrypted
(accounts/crypto.py) before they touch a model; the only plaintext copies live in a
`Credentials` for the length of one check, and neither is logged, returned or put in an event.
"""
from __future__ import annotations

import logging
import re

from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import crypto
from accounts.models import AccountStatus, ExchangeAccount, Venue
from accounts.payloads import exchange_account_payload
from accounts.selectors import paper_account_of
from accounts.services.sandbox_keys import SandboxUnavailable, sandbox_key_create, sandbox_key_delete
from accounts.services.venue_checks import KeyRefused, VenueUnavailable, balances_fetch, key_check
from market.binance.account import AssetBalance
from market.binance.signing import Credentials

logger = logging.getLogger(__name__)

PAPER_LABEL = "Paper"
# Binance keys and secrets are 64 letters and digits; other lengths are allowed, other
# characters not (they go into an HTTP header and an HMAC, and a pasted space is a typo).
KEY_PATTERN = re.compile(r"^[A-Za-z0-9]{16,128}$")


class ExchangeAccountInvalid(Exception):
    """The request cannot be carried out as asked (bad field, live without confirmation, a key
    saved twice, or the venue refused the key): a 400 with this message."""


def exchange_account_create(*, owner: User, label: str, venue: str, api_key: str, api_secret: str,
                            confirm_live: bool = False) -> ExchangeAccount:
    """Check the key against `venue`, then store it encrypted. Raises ExchangeAccountInvalid (also
    when the venue refuses the key) or VenueUnavailable (nothing stored)."""
    label = _label_clean(label)
    if venue not in Venue.values:
        raise ExchangeAccountInvalid(f"venue must be one of {', '.join(Venue.values)}")
    api_key, api_secret = api_key.strip(), api_secret.strip()
    for name, value in (("api_key", api_key), ("api_secret", api_secret)):
        if not KEY_PATTERN.match(value):
            raise ExchangeAccountInvalid(f"{name} must be 16 to 128 letters and digits")
    if venue == Venue.LIVE and confirm_live is not True:
        raise ExchangeAccountInvalid(
            "A live account trades real money: send confirm_live=true to confirm that this is intended.")
    fingerprint = crypto.fingerprint(api_key)
    twin = ExchangeAccount.objects.filter(owner=owner, fingerprint=fingerprint).first()
    if twin is not None:
        raise ExchangeAccountInvalid(f'This API key is already saved as "{twin.label}".')

    credentials = Credentials(api_key=api_key, secret=api_secret)
    try:
        warnings = key_check(venue=venue, credentials=credentials)
    except KeyRefused as exc:
        raise ExchangeAccountInvalid(str(exc)) from None
    account = ExchangeAccount(
        owner=owner, label=label, venue=venue, api_key_encrypted=crypto.encrypt(api_key),
        api_key_last4=api_key[-4:], fingerprint=fingerprint, api_secret_encrypted=crypto.encrypt(api_secret),
        status=AccountStatus.VERIFIED, verified_at=timezone.now(), warnings=warnings,
        live_confirmed=venue == Venue.LIVE,
    )
    account._history_user = owner
    with transaction.atomic():
        account.save()
        exchange_account_event_publish(account=account, change="created")
    return account


def exchange_account_verify(*, account: ExchangeAccount) -> ExchangeAccount:
    """Ask the venue about the stored key again and record the answer: verified (with fresh
    warnings) or failed (with the reason). Raises VenueUnavailable, or ExchangeAccountInvalid when
    the stored key cannot be decrypted, without changing anything."""
    try:
        warnings = key_check(venue=account.venue, credentials=_credentials(account))
    except KeyRefused as exc:
        account.status, account.status_detail = AccountStatus.FAILED, str(exc)[:300]
    else:
        account.status, account.status_detail, account.warnings = AccountStatus.VERIFIED, "", warnings
        account.verified_at = timezone.now()
    account._history_user = account.owner
    with transaction.atomic():
        account.save(update_fields=["status", "status_detail", "warnings", "verified_at", "updated_at"])
        exchange_account_event_publish(account=account, change="verified")
    return account


def exchange_account_update(*, account: ExchangeAccount, label: str) -> ExchangeAccount:
    account.label = _label_clean(label)
    account._history_user = account.owner
    with transaction.atomic():
        account.save(update_fields=["label", "updated_at"])
        exchange_account_event_publish(account=account, change="updated")
    return account


def exchange_account_delete(*, account: ExchangeAccount, by: User | None = None) -> None:
    """Forget the account (`by`: who, for the history; the owner by default). A paper account's
    sandbox key is deleted too; the next list makes a fresh paper account (a reset to the
    starting balance)."""
    try:
        api_key = crypto.decrypt(account.api_key_encrypted) if account.is_paper else None
    except crypto.DecryptionError:
        api_key = None  # unreadable: the sandbox key stays behind, the account still goes
    account._history_user = by or account.owner
    account_id, owner_id = account.id, account.owner_id
    with transaction.atomic():
        account.delete()
        exchange_account_event_publish(account=None, change="deleted", account_id=account_id, owner_id=owner_id)
    if api_key is not None and not sandbox_key_delete(api_key=api_key.reveal()):
        logger.warning("paper account %s deleted; its sandbox key could not be deleted", account_id)


def exchange_account_balances(*, account: ExchangeAccount) -> list[AssetBalance]:
    """The account's USD-M wallet, asked of its venue. Raises ExchangeAccountInvalid (the venue
    refuses the key) or VenueUnavailable."""
    try:
        return balances_fetch(venue=account.venue, credentials=_credentials(account))
    except KeyRefused as exc:
        raise ExchangeAccountInvalid(str(exc)) from None


def paper_account_ensure(*, user: User) -> ExchangeAccount | None:
    """Give `user` a paper account on the sandbox if they have none (idempotent): a sandbox key made
    through the sandbox's key store (a fresh account with its starting balance), stored encrypted,
    verified. Returns the paper account, or None when the sandbox cannot make one now (a warning
    is logged; a later call tries again). Never raises for that: sign-up must not fail with it.
    """
    existing = paper_account_of(user=user)
    if existing is not None:
        return existing
    try:
        credentials = sandbox_key_create(label=f"paper account of user {user.pk}")
        api_key_encrypted, api_secret_encrypted = crypto.encrypt(credentials.api_key), crypto.encrypt(credentials.secret)
    except (SandboxUnavailable, ImproperlyConfigured) as exc:
        logger.warning("no paper account for user %s yet: %s", user.pk, exc)
        return None
    account = ExchangeAccount(
        owner=user, label=PAPER_LABEL, venue=Venue.SANDBOX, is_paper=True, api_key_encrypted=api_key_encrypted,
        api_key_last4=credentials.api_key[-4:], fingerprint=crypto.fingerprint(credentials.api_key),
        api_secret_encrypted=api_secret_encrypted,
    )
    try:
        account.warnings = key_check(venue=Venue.SANDBOX, credentials=credentials)
        account.status, account.verified_at = AccountStatus.VERIFIED, timezone.now()
    except KeyRefused as exc:
        account.status, account.status_detail = AccountStatus.FAILED, str(exc)[:300]
    except VenueUnavailable as exc:
        account.status_detail = str(exc)[:300]  # stays unverified; POST .../verify/ asks again
    account._history_user = user
    try:
        with transaction.atomic():
            account.save()
            exchange_account_event_publish(account=account, change="created")
    except IntegrityError:
        # A concurrent call gave the user their paper account first (the partial unique index).
        sandbox_key_delete(api_key=credentials.api_key)
        return paper_account_of(user=user)
    return account


def exchange_account_event_publish(*, account: ExchangeAccount | None, change: str, account_id: int | None = None,
                                   owner_id: int | None = None) -> None:
    """The one place that tells the owner's private channel (/ws/account/) that an account was
    created, verified, relabelled or deleted; sent after commit. No secret is in it."""
    from realtime.dispatcher import publish_on_commit
    from realtime.events import Event, user_group

    data = {
        "change": change,
        "id": account.id if account is not None else account_id,
        "account": exchange_account_payload(account) if account is not None else None,
    }
    owner = account.owner_id if account is not None else owner_id
    publish_on_commit(Event("exchange_account_updated", data, group=user_group(owner)))


def _credentials(account: ExchangeAccount) -> Credentials:
    try:
        return Credentials(api_key=crypto.decrypt(account.api_key_encrypted).reveal(),
                           secret=crypto.decrypt(account.api_secret_encrypted).reveal())
    except crypto.DecryptionError:
        logger.error("exchange account %s: its key cannot be decrypted with FIELD_ENCRYPTION_KEYS", account.id)
        raise ExchangeAccountInvalid("The stored key cannot be read (the encryption key it was saved under is gone): "
                                     "delete this account and add the key again.") from None


def _label_clean(label: str) -> str:
    label = " ".join(str(label).split())
    if not label or len(label) > 80:
        raise ExchangeAccountInvalid("label must be 1 to 80 characters")
    return label
