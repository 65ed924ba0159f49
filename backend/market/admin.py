from django.contrib import admin

from market.models import Candle, Symbol


@admin.register(Symbol)
class SymbolAdmin(admin.ModelAdmin):
    list_display = ["symbol", "rank", "in_universe", "status", "contract_type", "tick_size", "step_size",
                    "quote_volume", "updated_at"]
    list_filter = ["in_universe", "status", "quote"]
    search_fields = ["symbol", "base"]
    readonly_fields = ["updated_at"]


@admin.register(Candle)
class CandleAdmin(admin.ModelAdmin):
    """Read-only: the candle store is written by the stream process (upserts), never by hand."""

    list_display = ["market", "symbol", "interval", "open_time", "open", "high", "low", "close", "volume", "trades",
                    "history"]
    list_filter = ["market", "interval", "history"]
    search_fields = ["symbol"]
    ordering = ["symbol", "interval", "-open_time"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
