"""Market reference data: the symbols the platform knows and which of them form the universe."""
from django.db import models


class Symbol(models.Model):
    """A tradable pair as the exchange describes it, refreshed with the universe."""

    symbol = models.CharField(max_length=30, unique=True)
    base = models.CharField(max_length=20)
    quote = models.CharField(max_length=20)
    status = models.CharField(max_length=20, default="TRADING")
    contract_type = models.CharField(max_length=30, blank=True, help_text="PERPETUAL on USD-M; empty on spot")
    tick_size = models.DecimalField(max_digits=30, decimal_places=12)
    step_size = models.DecimalField(max_digits=30, decimal_places=12)
    min_notional = models.DecimalField(max_digits=30, decimal_places=12, null=True, blank=True)
    quote_volume = models.DecimalField(max_digits=30, decimal_places=4, default=0,
                                       help_text="24h quote volume at the last refresh")
    in_universe = models.BooleanField(default=False, db_index=True)
    rank = models.PositiveIntegerField(null=True, blank=True, help_text="1 = most traded in the universe")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["rank", "symbol"]
        indexes = [models.Index(fields=["in_universe", "rank"], name="symbol_universe_rank")]

    def __str__(self) -> str:
        return self.symbol
