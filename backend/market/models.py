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


class Candle(models.Model):
    """A closed candle in the candle store, written only by upserts on (market, symbol, interval, open time).

    `market` is the venue's market ("usdm" or "spot", market/binance/venues.py): the two list many
    of the same symbols with different prices, so their candles never share a key. `history` marks
    candles written by `fetch_history` / `import_klines`: the hourly prune, which bounds what the
    live stream accumulates, leaves them alone (a backtest window must not lose its candles).
    Prices are float8: the store feeds indicators and charts, which compute in float64 anyway;
    exact decimal strings travel on the Redis event stream (market/candle_events.py).
    `revision` orders the changes for readers that follow them (market/store_mirror.py).
    """

    market = models.CharField(max_length=8, choices=[("usdm", "USD-M futures"), ("spot", "spot")])
    symbol = models.CharField(max_length=30)
    interval = models.CharField(max_length=4)
    open_time = models.BigIntegerField(help_text="epoch ms")
    close_time = models.BigIntegerField(help_text="epoch ms")
    open = models.FloatField()
    high = models.FloatField()
    low = models.FloatField()
    close = models.FloatField()
    volume = models.FloatField()
    quote_volume = models.FloatField()
    trades = models.BigIntegerField()
    taker_buy_base = models.FloatField()
    taker_buy_quote = models.FloatField()
    history = models.BooleanField(default=False, help_text="written by fetch_history/import_klines: never pruned")
    # Set by every upsert that changes the row (services.candles_upsert), from one sequence: the
    # change feed that keeps a process's copy of the store current (market/store_mirror.py).
    revision = models.BigIntegerField(null=True, editable=False)

    class Meta:
        constraints = [
            # Also the index of every read: (market, symbol, interval) equality, then open_time order.
            models.UniqueConstraint(fields=["market", "symbol", "interval", "open_time"], name="market_candle_key"),
        ]
        indexes = [models.Index(fields=["market", "interval", "revision"], name="market_candle_feed")]

    def __str__(self) -> str:
        return f"{self.market} {self.symbol} {self.interval} {self.open_time}"
