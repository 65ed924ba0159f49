"""Signals as stored: the lifecycle records of `lifecycle.py`, their history, and scan runs.

The database is the source of truth for which signals are active. Two constraints make a
duplicate impossible whichever path (live stream or periodic scan) gets there first:
`key` (the engine's deterministic id, one per symbol/timeframe/direction/candle) is unique, and
at most one row per (symbol, timeframe, direction) may have status `active`.
"""
from django.db import models
from django.db.models import Q


class Direction(models.TextChoices):
    LONG = "LONG"
    SHORT = "SHORT"


class Status(models.TextChoices):
    ACTIVE = "active"
    INVALIDATED = "invalidated"
    EXPIRED = "expired"
    TP_HIT = "tp_hit"
    SL_HIT = "sl_hit"
    # Closed by the wall-clock sweep because no engine saw it by its expiry: no price, no
    # outcome; left out of every statistic.
    STALE = "stale"


class Signal(models.Model):
    key = models.CharField(max_length=80, unique=True, help_text="symbol:timeframe:direction:candle open time")
    symbol = models.CharField(max_length=30)
    timeframe = models.CharField(max_length=4)
    direction = models.CharField(max_length=5, choices=Direction.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    confidence = models.FloatField(help_text="Last published confidence, 0-100")
    initial_confidence = models.FloatField(help_text="Confidence at creation; outcomes are bucketed by it")
    entry = models.FloatField()
    stop_loss = models.FloatField()
    take_profit = models.FloatField()
    reward_risk = models.FloatField()
    conditions = models.JSONField(default=list, help_text="Names of the conditions that held")
    snapshot = models.JSONField(default=dict, help_text="Indicator values behind the confidence")
    candle_open_time = models.BigIntegerField(help_text="Open time (ms) of the candle that created it")
    # Two clocks: *_at are wall-clock times when the platform wrote the change (audit only);
    # *_ms are the exchange's clock, which the lifecycle, expiry and outcomes run on and the
    # chart shows (they differ when the sandbox replays recorded markets faster than real time).
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    created_ms = models.BigIntegerField(default=0, help_text="Exchange time (ms) of creation")
    expires_ms = models.BigIntegerField(default=0, help_text="Exchange time (ms) of expiry")
    closed_ms = models.BigIntegerField(null=True, blank=True, help_text="Exchange time (ms) it closed; "
                                       "null while active and for stale signals (no engine saw the close)")
    initial_stop_loss = models.FloatField(null=True, blank=True, help_text="Stop-loss shown at creation; never trailed")
    initial_take_profit = models.FloatField(null=True, blank=True, help_text="Take-profit shown at creation; never trailed")
    close_rule = models.CharField(max_length=40, blank=True, help_text="What closed it, e.g. 'expired after 12 candles'")
    exit_price = models.FloatField(null=True, blank=True)
    outcome_r = models.FloatField(null=True, blank=True, help_text="Result in R on the bracket shown at creation, "
                                  "net of fees and slippage (multiples of the creation risk)")
    return_pct = models.FloatField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Grows with every change; guards concurrent writers")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["symbol", "timeframe", "direction"],
                condition=Q(status="active"),
                name="one_active_signal_per_market_direction",
            )
        ]
        indexes = [
            # Dashboard grid: active signals by confidence / recency, filtered by timeframe.
            models.Index(fields=["status", "-confidence"], name="signal_status_conf"),
            models.Index(fields=["status", "-created_at"], name="signal_status_created"),
            models.Index(fields=["timeframe", "status"], name="signal_tf_status"),
            models.Index(fields=["symbol", "timeframe"], name="signal_symbol_tf"),
            # Performance page and cleanup: closed signals by close time.
            models.Index(fields=["-closed_at"], name="signal_closed", condition=Q(closed_at__isnull=False)),
            models.Index(fields=["created_at"], name="signal_created"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.symbol} {self.timeframe} {self.confidence:.0f}% ({self.status})"


class SignalChange(models.Model):
    """One published change of a signal: its history on the detail page."""

    class Kind(models.TextChoices):
        CREATED = "created"
        UPDATED = "updated"
        DELETED = "deleted"

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    reason = models.CharField(max_length=12, blank=True, help_text="For deleted: why it ended")
    at = models.DateTimeField()
    confidence = models.FloatField()
    stop_loss = models.FloatField()
    take_profit = models.FloatField()
    conditions = models.JSONField(default=list)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["-at"], name="signalchange_at")]


class ScanRun(models.Model):
    class Trigger(models.TextChoices):
        SCHEDULE = "schedule"
        STREAM = "stream"
        MANUAL = "manual"

    class Outcome(models.TextChoices):
        RUNNING = "running"
        OK = "ok"
        FAILED = "failed"
        SKIPPED = "skipped"

    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    status = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.RUNNING)
    timeframe = models.CharField(max_length=4)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    symbols = models.PositiveIntegerField(default=0)
    weight_used = models.PositiveIntegerField(default=0)
    signals_created = models.PositiveIntegerField(default=0)
    signals_updated = models.PositiveIntegerField(default=0)
    signals_closed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["-started_at"], name="scanrun_started")]

    def __str__(self) -> str:
        return f"scan {self.timeframe} {self.started_at:%Y-%m-%d %H:%M:%S} {self.status}"


class SignalOutcomeRecord(models.Model):
    """How a closed signal ended, kept after the signal itself is cleaned up (24 h).

    The performance page and the calibration read only this table, so cleaning up old signals
    never erases the track record.
    """

    key = models.CharField(max_length=80, unique=True)
    symbol = models.CharField(max_length=30)
    timeframe = models.CharField(max_length=4)
    direction = models.CharField(max_length=5, choices=Direction.choices)
    reason = models.CharField(max_length=12, choices=Status.choices)
    close_rule = models.CharField(max_length=40, blank=True, help_text="tp_hit, sl_hit, 'expired after N candles', "
                                  "'invalidated at score x', stale")
    initial_confidence = models.FloatField(help_text="Score at creation; calibration buckets on it")
    entry = models.FloatField()
    exit_price = models.FloatField(null=True, blank=True, help_text="Where the signal closed (null: stale)")
    stop_loss = models.FloatField(help_text="Levels in force at close (trailed)")
    take_profit = models.FloatField()
    initial_stop_loss = models.FloatField(null=True, blank=True, help_text="Bracket shown at creation")
    initial_take_profit = models.FloatField(null=True, blank=True)
    # Outcome (signals/brackets.py); all null for a stale signal, which statistics leave out.
    r_multiple = models.FloatField(null=True, blank=True, help_text="Net R on the creation bracket (headline)")
    r_gross = models.FloatField(null=True, blank=True, help_text="R on the creation bracket before costs")
    r_trailed = models.FloatField(null=True, blank=True, help_text="Net R on the trailed bracket, in the risk at close")
    fees_r = models.FloatField(null=True, blank=True, help_text="Fees and slippage, in creation R")
    mfe_r = models.FloatField(null=True, blank=True, help_text="Maximum favourable excursion, creation R")
    mae_r = models.FloatField(null=True, blank=True, help_text="Maximum adverse excursion, creation R")
    mfe_pct = models.FloatField(null=True, blank=True)
    mae_pct = models.FloatField(null=True, blank=True)
    tp_first = models.BooleanField(null=True, help_text="Creation take-profit reached before its stop-loss")
    sl_first = models.BooleanField(null=True, help_text="Creation stop-loss reached before its take-profit")
    return_pct = models.FloatField(null=True, blank=True, help_text="Net return, % of entry, creation bracket")
    conditions = models.JSONField(default=list)
    opened_at = models.DateTimeField(help_text="Wall clock, when the platform wrote it")
    closed_at = models.DateTimeField(help_text="Wall clock, when the platform wrote it")
    opened_ms = models.BigIntegerField(null=True, blank=True, help_text="Exchange time (ms) of creation")
    closed_ms = models.BigIntegerField(null=True, blank=True, help_text="Exchange time (ms) of the close")

    class Meta:
        ordering = ["-closed_at"]
        indexes = [
            models.Index(fields=["-closed_at"], name="outcome_closed"),
            models.Index(fields=["timeframe", "-closed_at"], name="outcome_tf_closed"),
        ]
