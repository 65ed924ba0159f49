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
