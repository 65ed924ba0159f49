"""Admin: strategies with their versions.  Versions are read-only: a version is immutable, a change
is a new version saved through the editor (services.strategy_version_save compiles it)."""
from __future__ import annotations

from django.contrib import admin

from strategies.models import Strategy, StrategyLog, StrategyRun, StrategyVersion


class StrategyVersionInline(admin.TabularInline):
    model = StrategyVersion
    fields = ["number", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-number"]
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "owner", "last_version", "updated_at"]
    search_fields = ["name", "owner__email"]
    readonly_fields = ["owner", "last_version", "created_at", "updated_at"]
    inlines = [StrategyVersionInline]

    def has_add_permission(self, request) -> bool:
        return False  # created by their owners in the editor


@admin.register(StrategyVersion)
class StrategyVersionAdmin(admin.ModelAdmin):
    list_display = ["id", "strategy", "number", "created_at"]
    list_select_related = ["strategy"]
    readonly_fields = ["strategy", "number", "workspace", "ir", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class StrategyLogInline(admin.TabularInline):
    model = StrategyLog
    fields = ["created_at", "level", "symbol", "candle_time", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-id"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StrategyRun)
class StrategyRunAdmin(admin.ModelAdmin):
    """Runs change status only through the API (the lifecycle table); the admin reads them."""

    list_display = ["id", "version", "owner", "exchange_account", "timeframe", "status", "created_at"]
    list_filter = ["status", "timeframe"]
    list_select_related = ["version__strategy", "owner", "exchange_account"]
    search_fields = ["owner__email", "version__strategy__name"]
    readonly_fields = ["owner", "version", "exchange_account", "symbols", "timeframe", "status", "error", "trace",
                       "state", "created_at", "started_at", "stopped_at", "updated_at"]
    inlines = [StrategyLogInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
