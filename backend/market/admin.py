from django.contrib import admin

from market.models import Symbol


@admin.register(Symbol)
class SymbolAdmin(admin.ModelAdmin):
    list_display = ["symbol", "rank", "in_universe", "status", "contract_type", "tick_size", "step_size",
                    "quote_volume", "updated_at"]
    list_filter = ["in_universe", "status", "quote"]
    search_fields = ["symbol", "base"]
    readonly_fields = ["updated_at"]
