"""Admin: users and exchange accounts (masked) with their change history (who changed what); axes registers
its own attempt pages."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import ExchangeAccount
from accounts.services.exchange_accounts import exchange_account_delete

admin.site.unregister(User)


@admin.register(User)
class UserHistoryAdmin(SimpleHistoryAdmin, UserAdmin):
    """Django's user admin plus a "History" page listing every change, its author and reason."""

    history_list_display = ["email", "is_active", "is_staff", "is_superuser", "history_change_reason"]
    list_display = ["email", "is_active", "is_staff", "date_joined", "last_login"]
    ordering = ["-date_joined"]


@admin.register(ExchangeAccount)
class ExchangeAccountAdmin(SimpleHistoryAdmin):
    """Exchange accounts, masked: the key as its last 4 characters and fingerprint, the secret not at
    all (not even its ciphertext). Only the label may be edited; keys are added through the API,
    which checks them against their venue first."""

    list_display = ["label", "owner", "venue", "masked_key", "fingerprint", "status", "is_paper", "live_confirmed",
                    "verified_at"]
    list_filter = ["venue", "status", "is_paper", "live_confirmed"]
    search_fields = ["label", "owner__username", "fingerprint"]
    list_select_related = ["owner"]
    fields = ["owner", "label", "venue", "masked_key", "fingerprint", "is_paper", "status", "status_detail",
              "verified_at", "warnings", "live_confirmed", "created_at", "updated_at"]
    readonly_fields = [f for f in fields if f != "label"]
    history_list_display = ["label", "status", "status_detail"]

    @admin.display(description="API key")
    def masked_key(self, account: ExchangeAccount) -> str:
        return f"…{account.api_key_last4}"

    def has_add_permission(self, request) -> bool:
        return False

    # History is for reading: a revert would write back a state whose ciphertexts the history
    # never held (and would bypass the venue check).
    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Exchange accounts are not reverted from their history.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def delete_model(self, request, obj: ExchangeAccount) -> None:
        # Through the service: the owner's dashboard hears of it, a paper key leaves the sandbox.
        exchange_account_delete(account=obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for account in queryset:
            exchange_account_delete(account=account, by=request.user)
