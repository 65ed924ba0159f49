"""Trading records: orders and their fills, the exchange's positions and balances as last seen,
per-account trading state and risk limits, and reconciliation runs.

Binance is the source of truth: these rows are what the platform sent and what it has learnt,
corrected by reconciliation (services/reconciliation.py). Order status changes follow the table in
`trading/lifecycle.py`; money is Decimal.
"""
from django.db import models
from django.db.models import Q

from accounts.models import ExchangeAccount


def _money(**kwargs):
    return models.DecimalField(max_digits=36, decimal_places=18, **kwargs)


class OrderStatus(models.TextChoices):
    PENDING = "PENDING"  # stored; no sender has claimed it, so it never left
    SENDING = "SENDING"  # claimed by a sender: the request may have left
    UNKNOWN = "UNKNOWN"  # the answer was lost: a lookup by origClientOrderId decides
    NEW = "NEW"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"
    REJECTED = "REJECTED"  # the exchange refused it
    NOT_SENT = "NOT_SENT"  # proved never accepted (absent after its deadline, or refused before sending)


TERMINAL_STATUSES = frozenset({OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.EXPIRED,
                               OrderStatus.REJECTED, OrderStatus.NOT_SENT})
OPEN_STATUSES = frozenset({OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED})


class OrderSource(models.TextChoices):
    MANUAL = "manual"
    STRATEGY = "strategy"
    KILL_SWITCH = "kill_switch"
    EXTERNAL = "external"  # placed elsewhere (another app, the exchange's site); found on the exchange


class Side(models.TextChoices):
    BUY = "BUY"
    SELL = "SELL"


class PositionSide(models.TextChoices):
    BOTH = "BOTH"
    LONG = "LONG"
    SHORT = "SHORT"


class Order(models.Model):
    account = models.ForeignKey(ExchangeAccount, on_delete=models.CASCADE, related_name="orders")
    client_order_id = models.CharField(max_length=36, unique=True)
    exchange_order_id = models.BigIntegerField(null=True, blank=True)
    tag = models.CharField(max_length=16, help_text="Who sent it: m manual, k kill switch, s<run> strategy, x external")
    source = models.CharField(max_length=12, choices=OrderSource.choices, default=OrderSource.MANUAL)
    strategy_run_id = models.IntegerField(null=True, blank=True)
    symbol = models.CharField(max_length=30)
    side = models.CharField(max_length=4, choices=Side.choices)
    position_side = models.CharField(max_length=5, choices=PositionSide.choices, default=PositionSide.BOTH)
    type = models.CharField(max_length=30)
    time_in_force = models.CharField(max_length=4, blank=True)
    quantity = _money(null=True, blank=True)  # null for closePosition conditional orders
    price = _money(null=True, blank=True)
    stop_price = _money(null=True, blank=True)
    reduce_only = models.BooleanField(default=False)
    close_position = models.BooleanField(default=False)
    is_algo = models.BooleanField(default=False, help_text="A conditional order of the Algo Order service")
    algo_id = models.BigIntegerField(null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
                               help_text="The entry a stop-loss or take-profit protects")
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    executed_qty = _money(default=0)
    avg_price = _money(null=True, blank=True)
    cum_quote = _money(default=0)
    send_timestamp_ms = models.BigIntegerField(null=True, blank=True)
    send_deadline_ms = models.BigIntegerField(
        null=True, blank=True, help_text="Exchange time after which the request can no longer be accepted")
    exchange_update_ms = models.BigIntegerField(default=0)
    error_code = models.IntegerField(null=True, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account", "status"], name="order_account_status"),
            models.Index(fields=["account", "symbol"], name="order_account_symbol"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["account", "exchange_order_id"], condition=Q(exchange_order_id__isnull=False),
                                    name="order_unique_exchange_id"),
            models.UniqueConstraint(fields=["account", "algo_id"], condition=Q(algo_id__isnull=False),
                                    name="order_unique_algo_id"),
        ]

    def __str__(self) -> str:
        return f"{self.client_order_id} {self.side} {self.symbol} {self.status}"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


class Fill(models.Model):
    account = models.ForeignKey(ExchangeAccount, on_delete=models.CASCADE, related_name="fills")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="fills")
    trade_id = models.BigIntegerField()
    exchange_order_id = models.BigIntegerField()
    symbol = models.CharField(max_length=30)
    side = models.CharField(max_length=4, choices=Side.choices)
    position_side = models.CharField(max_length=5, choices=PositionSide.choices, default=PositionSide.BOTH)
    price = _money()
    quantity = _money()
    quote_quantity = _money()
    commission = _money()
    commission_asset = models.CharField(max_length=12)
    realized_pnl = _money()
    maker = models.BooleanField(default=False)
    time_ms = models.BigIntegerField()
    tag = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-time_ms", "-trade_id"]
        constraints = [models.UniqueConstraint(fields=["account", "symbol", "trade_id"], name="fill_unique_trade")]
        indexes = [models.Index(fields=["account", "symbol", "time_ms"], name="fill_account_symbol_time")]

    def __str__(self) -> str:
        return f"trade {self.trade_id} {self.side} {self.quantity} {self.symbol} @ {self.price}"


class PositionSnapshot(models.Model):
    """The exchange's position on one (symbol, side) as last seen (ACCOUNT_UPDATE or positionRisk)."""

    account = models.ForeignKey(ExchangeAccount, on_delete=models.CASCADE, related_name="positions")
    symbol = models.CharField(max_length=30)
    position_side = models.CharField(max_length=5, choices=PositionSide.choices, default=PositionSide.BOTH)
    amount = _money(default=0)  # signed: negative is short in One-way mode
    entry_price = _money(default=0)
    break_even_price = _money(default=0)
    mark_price = _money(default=0)
    unrealized_pnl = _money(default=0)
    leverage = models.IntegerField(default=20)
    margin_type = models.CharField(max_length=10, default="cross")
    liquidation_price = _money(default=0)
    update_time_ms = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["symbol", "position_side"]
        constraints = [models.UniqueConstraint(fields=["account", "symbol", "position_side"], name="position_unique_side")]

    def __str__(self) -> str:
        return f"{self.symbol} {self.position_side} {self.amount}"


class BalanceSnapshot(models.Model):
    account = models.ForeignKey(ExchangeAccount, on_delete=models.CASCADE, related_name="balances")
    asset = models.CharField(max_length=12)
    wallet_balance = _money(default=0)
    cross_wallet_balance = _money(default=0)
    available_balance = _money(default=0)
    unrealized_pnl = _money(default=0)
    update_time_ms = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["asset"]
        constraints = [models.UniqueConstraint(fields=["account", "asset"], name="balance_unique_asset")]


class TradingState(models.Model):
    account = models.OneToOneField(ExchangeAccount, on_delete=models.CASCADE, related_name="trading_state")
    hedge_mode = models.BooleanField(default=False)
    paused = models.BooleanField(default=False, help_text="No new entries (kill switch or daily loss limit)")
    pause_reason = models.CharField(max_length=200, blank=True)
    kill_switch_at = models.DateTimeField(null=True, blank=True)
    last_trade_ids = models.JSONField(default=dict, blank=True, help_text="{symbol: last trade id seen}")
    stream_connected_at = models.DateTimeField(null=True, blank=True)
    last_reconciled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class RiskLimits(models.Model):
    account = models.OneToOneField(ExchangeAccount, on_delete=models.CASCADE, related_name="risk_limits")
    max_leverage = models.IntegerField(default=20)
    max_position_notional = _money(default=5000)
    max_total_notional = _money(default=20000)
    max_open_positions = models.IntegerField(default=10)
    max_orders_per_minute = models.IntegerField(default=60)
    daily_loss_limit = _money(null=True, blank=True, default=500, help_text="USDT of realised loss per UTC day; empty = off")
    updated_at = models.DateTimeField(auto_now=True)


class ReconciliationRun(models.Model):
    class Trigger(models.TextChoices):
        STARTUP = "startup"
        PERIODIC = "periodic"
        MANUAL = "manual"
        STREAM_GAP = "stream_gap"
        RECOVERY = "recovery"

    class Status(models.TextChoices):
        RUNNING = "running"
        CLEAN = "clean"
        CORRECTED = "corrected"
        FAILED = "failed"

    account = models.ForeignKey(ExchangeAccount, on_delete=models.CASCADE, related_name="reconciliation_runs")
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    diffs = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["account", "status"], name="recon_account_status")]
