"""The API's representation of signals: also the payload of every signal WebSocket event."""
from rest_framework import serializers

from signals.models import Direction, ScanRun, Signal, SignalChange, SignalOutcomeRecord, Status

TIMEFRAMES = ("5m", "15m", "1h", "4h")
ORDERINGS = ("-confidence", "confidence", "-created_at", "created_at", "symbol", "-symbol")


class SignalSerializer(serializers.ModelSerializer):
    tick_size = serializers.SerializerMethodField()

    class Meta:
        model = Signal
        fields = [
            "id", "key", "symbol", "timeframe", "direction", "status", "confidence", "initial_confidence",
            "entry", "stop_loss", "take_profit", "reward_risk", "conditions", "snapshot", "candle_open_time",
            "created_at", "updated_at", "expires_at", "closed_at", "exit_price", "outcome_r", "return_pct",
            "tick_size", "version",
        ]
        read_only_fields = fields

    def get_tick_size(self, obj: Signal) -> str | None:
        sizes = self.context.get("tick_sizes")
        if sizes is None:
            from signals.services.symbols import tick_sizes_for

            sizes = tick_sizes_for([obj.symbol])
        return sizes.get(obj.symbol)


class SignalChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = SignalChange
        fields = ["kind", "reason", "at", "confidence", "stop_loss", "take_profit", "conditions"]


class SignalDetailSerializer(SignalSerializer):
    changes = SignalChangeSerializer(many=True, read_only=True)

    class Meta(SignalSerializer.Meta):
        fields = SignalSerializer.Meta.fields + ["changes"]
        read_only_fields = fields


class SignalFilterSerializer(serializers.Serializer):
    """Query parameters of /api/signals/; anything invalid is a 400 naming the parameter."""

    direction = serializers.ChoiceField(choices=Direction.values, required=False)
    timeframe = serializers.ChoiceField(choices=TIMEFRAMES, required=False)
    status = serializers.ChoiceField(choices=[*Status.values, "closed"], required=False)
    min_confidence = serializers.FloatField(min_value=0, max_value=100, required=False)
    search = serializers.CharField(max_length=30, required=False, allow_blank=True)
    ordering = serializers.ChoiceField(choices=ORDERINGS, required=False, default="-confidence")


class PerformanceFilterSerializer(serializers.Serializer):
    timeframe = serializers.ChoiceField(choices=TIMEFRAMES, required=False)
    days = serializers.IntegerField(min_value=1, max_value=3650, required=False)


class StatsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    wins = serializers.IntegerField()
    losses = serializers.IntegerField()
    tp_hits = serializers.IntegerField()
    sl_hits = serializers.IntegerField()
    win_rate = serializers.FloatField(allow_null=True)
    tp_rate = serializers.FloatField(allow_null=True)
    average_r = serializers.FloatField(allow_null=True)
    expectancy = serializers.FloatField(allow_null=True, help_text="Mean R per signal")
    expectancy_pct = serializers.FloatField(allow_null=True, help_text="Mean return per signal, % of entry")
    profit_factor = serializers.FloatField(allow_null=True)
    no_losses = serializers.BooleanField()


class CalibrationSerializer(serializers.Serializer):
    bucket = serializers.CharField()
    count = serializers.IntegerField()
    mean_confidence = serializers.FloatField()
    hit_rate = serializers.FloatField()
    tp_rate = serializers.FloatField()


class EquityPointSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    cumulative_r = serializers.FloatField()


class ClosedSignalSerializer(serializers.ModelSerializer):
    """A closed signal from the outcome archive, with the names the Signal representation uses."""

    id = serializers.CharField(source="key")
    status = serializers.CharField(source="reason")
    confidence = serializers.FloatField(source="initial_confidence")
    outcome_r = serializers.FloatField(source="r_multiple")
    created_at = serializers.DateTimeField(source="opened_at")
    tick_size = serializers.SerializerMethodField()

    class Meta:
        model = SignalOutcomeRecord
        fields = [
            "id", "key", "symbol", "timeframe", "direction", "status", "confidence", "entry", "exit_price",
            "stop_loss", "take_profit", "outcome_r", "return_pct", "conditions", "created_at", "closed_at",
            "tick_size",
        ]

    def get_tick_size(self, obj) -> str | None:
        return (self.context.get("tick_sizes") or {}).get(obj.symbol)


class PerformanceSerializer(serializers.Serializer):
    overall = StatsSerializer()
    by_direction = serializers.DictField(child=StatsSerializer())
    by_timeframe = serializers.DictField(child=StatsSerializer())
    by_confidence = serializers.DictField(child=StatsSerializer())
    by_symbol = serializers.DictField(child=StatsSerializer())
    calibration = CalibrationSerializer(many=True)
    equity_curve = EquityPointSerializer(many=True)
    latest = ClosedSignalSerializer(many=True)


class SignalStatsSerializer(serializers.Serializer):
    active_count = serializers.IntegerField()
    average_confidence = serializers.FloatField(allow_null=True)
    updates_last_hour = serializers.IntegerField()
    long_count = serializers.IntegerField()
    short_count = serializers.IntegerField()
    by_timeframe = serializers.DictField(child=serializers.IntegerField())


class ScanRunSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ScanRun
        fields = ["started_at", "finished_at", "duration_ms", "symbols", "weight_used", "signals_created",
                  "signals_updated", "signals_closed", "status", "trigger", "timeframe", "errors"]


class ScannerStatusSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["idle", "running", "error", "banned"])
    timeframe = serializers.CharField(allow_null=True)
    since = serializers.IntegerField(allow_null=True, help_text="Epoch ms of the last state change")
    last_scan = ScanRunSummarySerializer(allow_null=True)
    stream = serializers.DictField()
    governor = serializers.DictField()
