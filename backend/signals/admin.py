from django.contrib import admin

from signals.models import ScanRun, Signal, SignalChange, SignalOutcomeRecord


class SignalChangeInline(admin.TabularInline):
    model = SignalChange
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "reason", "at", "confidence", "stop_loss", "take_profit", "conditions"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ["symbol", "timeframe", "direction", "status", "confidence", "entry", "stop_loss",
                    "take_profit", "created_at", "closed_at", "outcome_r"]
    list_filter = ["status", "direction", "timeframe"]
    search_fields = ["symbol", "key"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    inlines = [SignalChangeInline]
    # Signals are written by the engine only: the admin reads them, and may delete them.
    readonly_fields = [f.name for f in Signal._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(SignalOutcomeRecord)
class SignalOutcomeRecordAdmin(admin.ModelAdmin):
    list_display = ["symbol", "timeframe", "direction", "reason", "initial_confidence", "r_multiple", "closed_at"]
    list_filter = ["reason", "direction", "timeframe"]
    search_fields = ["symbol", "key"]
    readonly_fields = [f.name for f in SignalOutcomeRecord._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ScanRun)
class ScanRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "trigger", "timeframe", "status", "symbols", "duration_ms", "weight_used",
                    "signals_created", "signals_updated", "signals_closed"]
    list_filter = ["status", "trigger", "timeframe"]
    readonly_fields = [f.name for f in ScanRun._meta.fields]

    def has_add_permission(self, request):
        return False
