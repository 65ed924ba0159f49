"""Notification rules (where high-confidence signals go) and their deliveries.

A delivery row is the record that a signal was (or is being) delivered to one rule's target.
`UNIQUE (rule, signal)` makes a second delivery of the same signal to the same rule impossible,
whichever run of the task gets there first. The dashboard's `signal_notification` WebSocket
event is a rule too (kind `websocket`, created by a migration), so it gets the same guarantee.
"""
import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.conf import settings
from django.db.models import Q

from accounts import crypto
from notifications.targets import TargetRefused, webhook_target_check
from signals.models import Direction, Signal

TIMEFRAMES = ("1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d")
# A numeric chat id (groups and channels are negative) or a public channel's @username.
TELEGRAM_CHAT_ID = re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$")


class Kind(models.TextChoices):
    WEBHOOK = "webhook"
    EMAIL = "email"
    TELEGRAM = "telegram"
    WEBSOCKET = "websocket", "WebSocket (dashboard)"


class NotificationRule(models.Model):
    """Where signals at or above `min_score` (and, when set, a calibrated take-profit probability of
    at least `min_probability` percent; optionally one direction / timeframe) are sent."""

    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    target = models.CharField(
        max_length=500, blank=True, help_text="Webhook URL, email address or Telegram chat id; empty for WebSocket"
    )
    # The webhook's HMAC-SHA256 key, stored only encrypted (accounts/crypto.py); read and written
    # through `secret`. Never shown: not in the admin list, not in any form (write-only there).
    secret_encrypted = models.TextField(blank=True, default="")
    min_score = models.FloatField(
        default=85, validators=[MinValueValidator(0), MaxValueValidator(100)], help_text="Score 0-100 at creation"
    )
    min_probability = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Calibrated P(take-profit) in percent; empty: not required. 'Not enough history' never passes it",
    )
    direction = models.CharField(max_length=5, choices=Direction.choices, blank=True, help_text="Empty: both")
    timeframe = models.CharField(
        max_length=4, choices=[(t, t) for t in TIMEFRAMES], blank=True, help_text="Empty: every timeframe"
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            # One dashboard rule, so a signal never yields two signal_notification events.
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="websocket"), name="one_websocket_rule"),
            models.CheckConstraint(condition=Q(min_score__gte=0, min_score__lte=100), name="rule_min_score_0_100"),
            models.CheckConstraint(
                condition=Q(min_probability__isnull=True) | Q(min_probability__gte=0, min_probability__lte=100),
                name="rule_min_probability_0_100",
            ),
        ]

    def __str__(self) -> str:
        # Never the secret; the target only as far as it is not one (a URL's path may carry a token).
        return f"{self.name} ({self.kind})"

    @property
    def secret(self) -> crypto.Secret:
        """The webhook secret, decrypted: masked in repr/str, `.reveal()` where it signs."""
        return crypto.decrypt(self.secret_encrypted) if self.secret_encrypted else crypto.Secret("")

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = crypto.encrypt(value) if value else ""

    def clean(self) -> None:
        errors = {}
        if self.kind == Kind.WEBHOOK:
            try:
                URLValidator(schemes=["http", "https"])(self.target)
            except ValidationError:
                errors["target"] = "Enter an http:// or https:// URL."
            else:
                try:
                    webhook_target_check(
                        self.target, allow_private=settings.NOTIFICATIONS.webhook_allow_private_targets)
                except TargetRefused as exc:
                    errors["target"] = f"Refused: {exc}."
            if not self.secret_encrypted:
                errors["secret"] = "A webhook needs a secret: every request it receives is signed with it."
        elif self.kind == Kind.EMAIL:
            try:
                EmailValidator()(self.target)
            except ValidationError:
                errors["target"] = "Enter an email address."
        elif self.kind == Kind.TELEGRAM:
            if not TELEGRAM_CHAT_ID.match(self.target):
                errors["target"] = "Enter a Telegram chat id (e.g. 123456789 or -1001234567890) or @channelname."
        elif self.kind == Kind.WEBSOCKET and self.target:
            errors["target"] = "The WebSocket rule has no target: it goes to every connected dashboard."
        if self.secret_encrypted and self.kind != Kind.WEBHOOK:
            errors["secret"] = "Only webhooks use a secret."
        if errors:
            raise ValidationError(errors)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class NotificationDelivery(models.Model):
    """One signal to one rule. Created once (the unique constraint), sent at most until it succeeds.

    `next_attempt_at` says when a run may (re)try it; NULL means never again (sent, permanently
    failed, out of attempts, or the signal closed first). A run claims a delivery by moving
    `next_attempt_at` past the send's worst-case duration with a conditional UPDATE, so two runs
    never send the same delivery at once.
    """

    rule = models.ForeignKey(NotificationRule, on_delete=models.CASCADE, related_name="deliveries")
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="notification_deliveries")
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0, help_text="Sends started so far")
    last_error = models.CharField(max_length=500, blank=True, help_text="Secrets are masked")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "notification deliveries"
        constraints = [
            models.UniqueConstraint(fields=["rule", "signal"], name="one_delivery_per_rule_and_signal"),
        ]
        indexes = [
            # The task's "what is due" query only ever looks at rows that may still be sent.
            models.Index(
                fields=["next_attempt_at"], name="delivery_due", condition=Q(next_attempt_at__isnull=False)
            ),
            models.Index(fields=["status", "-created_at"], name="delivery_status_created"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} of signal {self.signal_id} to rule {self.rule_id}: {self.status}"
