"""Admin: orders with their fills, reconciliation runs and their diffs (both read-only: the exchange is
the source of truth and an order's status changes only through trading/lifecycle.py), and each
account's risk limits (editable, checked like the API's)."""
from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from trading.models import Fill, Order, ReconciliationRun, RiskLimits, TradingState


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written: what the exchange said is corrected by reconciliation, not by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class FillInline(admin.TabularInline):
    model = Fill
    fields = ["trade_id", "time_ms", "side", "position_side", "price", "quantity", "commission", "commission_asset",
              "realized_pnl", "maker", "tag"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["time_ms", "trade_id"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(_ReadOnlyAdmin):
    list_display = ["id", "account", "symbol", "side", "position_side", "type", "quantity", "price", "status",
                    "executed_qty", "tag", "source", "created_at"]
    list_filter = ["status", "source", "type", "side", "account__venue"]
    search_fields = ["client_order_id", "=exchange_order_id", "symbol", "account__label", "account__owner__username"]
    list_select_related = ["account"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    inlines = [FillInline]
    fieldsets = [
        ("Order", {"fields": ["account", "symbol", "side", "position_side", "type", "time_in_force", "quantity",
                              "price", "stop_price", "reduce_only", "close_position", "parent", "tag", "source",
                              "strategy_run_id"]}),
        ("Exchange", {"fields": ["client_order_id", "exchange_order_id", "is_algo", "algo_id", "status",
                                 "executed_qty", "avg_price", "cum_quote", "send_timestamp_ms", "send_deadline_ms",
                                 "exchange_update_ms", "error_code", "error_message", "created_at", "updated_at"]}),
    ]


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(_ReadOnlyAdmin):
    list_display = ["id", "account", "trigger", "status", "diff_count", "started_at", "finished_at"]
    list_filter = ["status", "trigger"]
    search_fields = ["account__label", "account__owner__username"]
    list_select_related = ["account"]
    ordering = ["-started_at", "-id"]
    fields = ["account", "trigger", "status", "started_at", "finished_at", "error", "diffs_shown"]
    readonly_fields = fields

    @admin.display(description="diffs")
    def diff_count(self, run: ReconciliationRun) -> int:
        return len(run.diffs or [])

    @admin.display(description="diffs")
    def diffs_shown(self, run: ReconciliationRun) -> str:
        return format_html("<pre>{}</pre>", json.dumps(run.diffs or [], indent=2))


@admin.register(RiskLimits)
class RiskLimitsAdmin(admin.ModelAdmin):
    list_display = ["account", "max_leverage", "max_position_notional", "max_total_notional", "max_open_positions",
                    "max_orders_per_minute", "daily_loss_limit"]
    search_fields = ["account__label", "account__owner__username"]
    list_select_related = ["account"]
    raw_id_fields = ["account"]


@admin.register(TradingState)
class TradingStateAdmin(_ReadOnlyAdmin):
    """Paused by the kill switch or the daily loss limit; resumed by the owner (API) only."""

    list_display = ["account", "hedge_mode", "paused", "pause_reason", "kill_switch_at", "stream_connected_at",
                    "last_reconciled_at"]
    list_filter = ["paused", "hedge_mode"]
    list_select_related = ["account"]
