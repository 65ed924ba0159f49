"""Strategies and their versions.  A version is immutable: each save of the editor is a new row
(numbered by the database, see services.strategy_version_save) holding the workspace as saved and
the IR it compiled to; a run pins one version."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Strategy(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategies")
    name = models.CharField(max_length=100)
    #: The number of the latest version (0: none yet); incremented in the database to number a new one.
    last_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="strategy_owner_updated")]
        verbose_name_plural = "strategies"

    def __str__(self) -> str:
        return f"{self.name} (#{self.pk})"


class StrategyVersion(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    workspace = models.JSONField()  # Blockly's serialization, as the editor saved it
    ir = models.JSONField()  # what compiler.compile_workspace made of it
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["strategy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="strategy_version_unique_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="strategy_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.strategy.name} v{self.number}"


class StrategyRun(models.Model):
    """One strategy version running on an exchange account over symbols and a timeframe.  Its
    status moves only through `lifecycle.run_transition`; `state` holds the variables kept from
    candle to candle, per symbol ({symbol: {variable id: value}})."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategy_runs")
    version = models.ForeignKey(StrategyVersion, on_delete=models.PROTECT, related_name="runs")
    exchange_account = models.ForeignKey("accounts.ExchangeAccount", on_delete=models.PROTECT,
                                         related_name="strategy_runs")
    symbols = models.JSONField()
    timeframe = models.CharField(max_length=4)
    status = models.CharField(max_length=8, default="RUNNING",
                              choices=[(s, s) for s in ("RUNNING", "PAUSED", "STOPPED", "ERROR")])
    error = models.CharField(max_length=500, blank=True)
    trace = models.TextField(blank=True)
    state = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"], name="strategy_run_status"),
                   models.Index(fields=["owner", "-created_at"], name="strategy_run_owner")]

    @property
    def tag(self) -> str:
        """The tag of its orders' client ids (trading attribution groups fills by it)."""
        return f"s{self.pk}"

    def __str__(self) -> str:
        return f"run {self.pk} of {self.version} ({self.status})"


class StrategyRunCandle(models.Model):
    """The last candle a run handled per (symbol, timeframe): moved in the transaction that stores
    what the candle produced, so a candle is never handled twice (a restart skips it)."""

    run = models.ForeignKey(StrategyRun, on_delete=models.CASCADE, related_name="handled")
    symbol = models.CharField(max_length=30)
    timeframe = models.CharField(max_length=4)
    open_time = models.BigIntegerField()  # epoch ms

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "symbol", "timeframe"], name="strategy_run_candle_unique")]


class StrategyLog(models.Model):
    run = models.ForeignKey(StrategyRun, on_delete=models.CASCADE, related_name="logs")
    created_at = models.DateTimeField(auto_now_add=True)
    level = models.CharField(max_length=8, default="info")  # info / notify / warning / error
    symbol = models.CharField(max_length=30, blank=True)
    candle_time = models.BigIntegerField(null=True, blank=True)
    message = models.CharField(max_length=1000)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["run", "-id"], name="strategy_log_run")]


class StrategyDecision(models.Model):
    """One decision of one evaluation: (run, symbol, candle, seq) is unique, the database's own
    proof that no candle produced its decisions twice."""

    run = models.ForeignKey(StrategyRun, on_delete=models.CASCADE, related_name="decisions")
    symbol = models.CharField(max_length=30)
    candle_time = models.BigIntegerField()  # open time of the candle, epoch ms
    seq = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16)  # open / close / cancel
    payload = models.JSONField()
    order = models.ForeignKey("trading.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=300, blank=True)  # "" when placed, else why not
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["run", "symbol", "candle_time", "seq"],
                                               name="strategy_decision_unique")]
