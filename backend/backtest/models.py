"""A backtest run: who asked, what (parameters), where it is (status, progress), what came out."""
from __future__ import annotations

from django.conf import settings
from django.db import models


class Status(models.TextChoices):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


#: The lifecycle table: the statuses a run may move to from each one. DONE, FAILED and CANCELED
#: are final, so a late worker cannot reopen a canceled run.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.QUEUED: frozenset({Status.RUNNING, Status.CANCELED, Status.FAILED}),
    Status.RUNNING: frozenset({Status.DONE, Status.FAILED, Status.CANCELED}),
    Status.DONE: frozenset(),
    Status.FAILED: frozenset(),
    Status.CANCELED: frozenset(),
}


class Kind(models.TextChoices):
    SCANNER = "scanner"
    STRATEGY = "strategy"


class BacktestRun(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="backtest_runs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    parameters = models.JSONField(help_text="validated request: symbols, timeframe, window, costs, balance, config")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0-100")
    cancel_requested = models.BooleanField(default=False, help_text="checked by the worker between chunks")
    results = models.JSONField(null=True, blank=True, help_text="metrics, equity curve (downsampled), trades (capped)")
    trades_csv = models.TextField(blank=True, help_text="every trade, as the CSV export serves it")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="last time its task was handed to the broker")
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="last sign of life from its worker")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-id",)

    def __str__(self) -> str:
        return f"backtest {self.id} ({self.kind}, {self.status})"
