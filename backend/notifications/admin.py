"""Admin for notification rules (secret write-only and encrypted, webhook URLs masked) and deliveries (read-only)."""
from django import forms
from django.contrib import admin, messages

from notifications.models import Kind, NotificationDelivery, NotificationRule
from notifications.services import notification_deliveries_retry
from notifications.targets import target_masked


class NotificationRuleForm(forms.ModelForm):
    # Write-only: the form never renders the stored value; blank keeps it. Stored encrypted.
    secret = forms.CharField(
        required=False,
        strip=True,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Webhook HMAC-SHA256 key. Write-only: it is never shown again. Leave blank to keep the current one.",
    )

    class Meta:
        model = NotificationRule
        fields = ["name", "kind", "target", "secret", "min_score", "min_probability", "direction", "timeframe", "enabled"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A webhook URL's path and query may carry a token: an existing one is not rendered either.
        if self.instance.pk and self.instance.kind == Kind.WEBHOOK:
            self.initial["target"] = ""
            target = self.fields["target"]
            target.required = False
            target.help_text = (f"Current: {target_masked(self.instance.target)} (path and query hidden). "
                                "Leave blank to keep it.")

    def clean_target(self) -> str:
        value = self.cleaned_data.get("target", "")
        if not value and self.instance.pk and self.instance.kind == Kind.WEBHOOK:
            return NotificationRule.objects.filter(pk=self.instance.pk).values_list("target", flat=True).first() or ""
        return value

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("secret"):  # encrypted now, so the model's own checks see it
            self.instance.secret = cleaned["secret"]
        return cleaned


@admin.register(NotificationRule)
class NotificationRuleAdmin(admin.ModelAdmin):
    form = NotificationRuleForm
    list_display = ["name", "kind", "target_shown", "min_score", "min_probability", "direction", "timeframe", "enabled",
                    "has_secret"]
    list_filter = ["kind", "enabled", "direction", "timeframe"]
    search_fields = ["name"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(boolean=True, description="secret set")
    def has_secret(self, rule: NotificationRule) -> bool:
        return bool(rule.secret_encrypted)

    @admin.display(description="target", ordering="target")
    def target_shown(self, rule: NotificationRule) -> str:
        # Webhook URLs as scheme and host only; email addresses and chat ids as they are.
        return target_masked(rule.target) if rule.kind == Kind.WEBHOOK else rule.target


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id", "symbol", "direction", "timeframe", "confidence", "rule", "kind", "status", "attempts",
        "created_at", "sent_at", "next_attempt_at",
    ]
    list_filter = ["status", "rule__kind", "rule"]
    search_fields = ["signal__symbol"]
    list_select_related = ["rule", "signal"]
    date_hierarchy = "created_at"
    actions = ["retry_failed"]
    fields = [
        "rule", "signal", "status", "attempts", "last_error", "created_at", "sent_at", "next_attempt_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(ordering="signal__symbol")
    def symbol(self, delivery: NotificationDelivery) -> str:
        return delivery.signal.symbol

    @admin.display(ordering="signal__direction")
    def direction(self, delivery: NotificationDelivery) -> str:
        return delivery.signal.direction

    @admin.display(ordering="signal__timeframe")
    def timeframe(self, delivery: NotificationDelivery) -> str:
        return delivery.signal.timeframe

    @admin.display(ordering="signal__confidence")
    def confidence(self, delivery: NotificationDelivery) -> str:
        return f"{delivery.signal.confidence:.0f}%"

    @admin.display(ordering="rule__kind")
    def kind(self, delivery: NotificationDelivery) -> str:
        return delivery.rule.kind

    @admin.action(description="Retry selected failed deliveries (signal still active)", permissions=["change"])
    def retry_failed(self, request, queryset) -> None:
        count = notification_deliveries_retry(delivery_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"{count} deliveries will be sent on the next run.", messages.SUCCESS)
