"""Admin: strategies with their versions.  Versions are read-only: a version is immutable, a change
is a new version saved through the editor (services.strategy_version_save compiles it)."""
from __future__ import annotations

from django.contrib import admin

from strategies.models import Strategy, StrategyVersion


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
