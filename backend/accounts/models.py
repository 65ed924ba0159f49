"""Accounts: users are Django's own `auth.User` (the email is the username); what they own lives here."""
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from simple_history import register
from simple_history.models import HistoricalRecords

# Who changed which user, and when (admin "History"). The password hash is left out: a table of old
# hashes is one more thing to leak; a password change still leaves a row with its reason.
# last_login is left out as well, and saves of last_login alone make no row (see apps.py).
register(User, app="accounts", excluded_fields=["password", "last_login"])


class Venue(models.TextChoices):
    SANDBOX = "sandbox"
    TESTNET = "testnet"
    LIVE = "live"


class AccountStatus(models.TextChoices):
    UNVERIFIED = "unverified"  # saved, never checked against its venue (the venue was unreachable)
    VERIFIED = "verified"  # the venue accepted the key at `verified_at`
    FAILED = "failed"  # the venue refused the key on the last check; `status_detail` says why


class ExchangeAccount(models.Model):
    """A user's API key on one venue. The key and the secret are stored only as Fernet tokens
    (accounts/crypto.py); what may be shown is kept beside them in clear: the key's last 4
    characters and its fingerprint."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="exchange_accounts")
    label = models.CharField(max_length=80)
    venue = models.CharField(max_length=8, choices=Venue.choices)
    api_key_encrypted = models.TextField()
    api_key_last4 = models.CharField(max_length=4)
    fingerprint = models.CharField(max_length=12, help_text="HMAC-SHA256 of the API key, first 12 hex digits")
    api_secret_encrypted = models.TextField()
    is_paper = models.BooleanField(default=False, help_text="The sandbox account every user gets")
    status = models.CharField(max_length=10, choices=AccountStatus.choices, default=AccountStatus.UNVERIFIED)
    status_detail = models.CharField(max_length=300, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    live_confirmed = models.BooleanField(default=False, help_text="The owner confirmed trading real money")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who changed what and when; the ciphertexts stay out of the history (rotation re-encrypts
    # the live rows only, and an old token is one more copy of a secret).
    history = HistoricalRecords(excluded_fields=["api_key_encrypted", "api_secret_encrypted"])

    class Meta:
        ordering = ["-is_paper", "created_at", "id"]
        constraints = [
            # The database decides the race of two first requests of a new user: one paper account.
            models.UniqueConstraint(fields=["owner"], condition=Q(is_paper=True), name="one_paper_account_per_owner"),
            models.CheckConstraint(condition=Q(is_paper=False) | Q(venue="sandbox"), name="paper_accounts_on_sandbox"),
            models.CheckConstraint(condition=~Q(venue="live") | Q(live_confirmed=True), name="live_needs_confirmation"),
            models.CheckConstraint(condition=Q(venue__in=["sandbox", "testnet", "live"]), name="exchange_account_venue"),
        ]

    def __str__(self) -> str:
        # Label, venue and the key's last 4: never the key or the secret.
        return f"{self.label} ({self.venue}, ...{self.api_key_last4})"
