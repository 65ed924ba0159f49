"""Admin: users with their change history (who changed what); axes registers its own attempt pages."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from simple_history.admin import SimpleHistoryAdmin

admin.site.unregister(User)


@admin.register(User)
class UserHistoryAdmin(SimpleHistoryAdmin, UserAdmin):
    """Django's user admin plus a "History" page listing every change, its author and reason."""

    history_list_display = ["email", "is_active", "is_staff", "is_superuser", "history_change_reason"]
    list_display = ["email", "is_active", "is_staff", "date_joined", "last_login"]
    ordering = ["-date_joined"]
