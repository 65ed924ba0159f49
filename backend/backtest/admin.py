from django.contrib import admin

from .models import BacktestRun


@admin.register(BacktestRun)
class BacktestRunAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "kind", "status", "progress", "created_at", "finished_at")
    list_filter = ("status", "kind")
    readonly_fields = [f.name for f in BacktestRun._meta.fields]

    def has_add_permission(self, request) -> bool:  # runs are started from the API only
        return False
