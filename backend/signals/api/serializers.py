"""The API's representation of signals. The signal and scan run shapes live in
`signals/representation.py` (shared with the WebSocket events); this module adds the API's own.

The weighted share of the conditions that hold is a *score* (0-100), not a chance: the API names
it `score` (the column is still `confidence`). Beside it, `probability` is the calibrated
take-profit-first probability for the creation score (`signals.services.calibration`), or null
with `probability_note` saying why.
"""
from rest_framework import serializers

from signals.models import Direction, SignalChange, SignalOutcomeRecord, Status
from signals.config import SIGNAL_TIMEFRAMES as TIMEFRAMES
from signals.representation import ProbabilitySerializer, ScanRunSummarySerializer, SignalSerializer

__all__ = ["ProbabilitySerializer", "ScanRunSummarySerializer", "SignalSerializer", "TIMEFRAMES"]
#: API ordering -> model ordering.
ORDERINGS = {
    "-score": "-confidence", "score": "confidence", "-created_at": "-created_at", "created_at": "created_at",
    "symbol": "symbol", "-symbol": "-symbol",
}  # fmt: skip


class SignalChangeSerializer(serializers.ModelSerializer):
    score = serializers.FloatField(source="confidence", read_only=True)

    class Meta:
        model = SignalChange
        fields = ["kind", "reason", "at", "score", "stop_loss", "take_profit", "conditions"]


class SignalDetailSerializer(SignalSerializer):
    changes = SignalChangeSerializer(many=True, read_only=True)

    class Meta(SignalSerializer.Meta):
        fields = SignalSerializer.Meta.fields + ["changes"]
        read_only_fields = fields


class SignalFilterSerializer(serializers.Serializer):
    """Query parameters of /api/signals/; anything invalid is a 400 naming the parameter.

    Validated data are the keyword arguments of `selectors.signal_list` (score -> confidence).
    """

    direction = serializers.ChoiceField(choices=Direction.values, required=False)
    timeframe = serializers.ChoiceField(choices=TIMEFRAMES, required=False)
    status = serializers.ChoiceField(choices=[*Status.values, "closed"], required=False)
    min_score = serializers.FloatField(min_value=0, max_value=100, required=False)
    search = serializers.CharField(max_length=30, required=False, allow_blank=True)
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False, default="-score")

    def validate(self, attrs: dict) -> dict:
        attrs = dict(attrs)
        if "min_score" in attrs:
            attrs["min_confidence"] = attrs.pop("min_score")
        attrs["ordering"] = ORDERINGS[attrs["ordering"]]
        return attrs


class PerformanceFilterSerializer(serializers.Serializer):
    """Query parameters of /api/signals/performance/; `days` counts back on the wall clock."""

    timeframe = serializers.ChoiceField(choices=TIMEFRAMES, required=False)
    days = serializers.IntegerField(min_value=1, max_value=3650, required=False)


def _rate(text: str):
    return serializers.FloatField(allow_null=True, help_text=text)


class StatsSerializer(serializers.Serializer):
    """Outcome statistics (signals/outcomes.py). R: on the bracket shown at creation, net of fees
    and slippage, unless named otherwise. Stale signals are not counted."""

    count = serializers.IntegerField(help_text="Closed signals with an outcome")
    tp_first = serializers.IntegerField(help_text="Signals whose creation take-profit was reached first")
    sl_first = serializers.IntegerField(help_text="Signals whose creation stop-loss was reached first")
    in_profit = serializers.IntegerField(help_text="Signals closed with net R > 0")
    tp_hits = serializers.IntegerField(help_text="Closed by the lifecycle on the trailed take-profit")
    sl_hits = serializers.IntegerField(help_text="Closed by the lifecycle on the trailed stop-loss")
    expired = serializers.IntegerField()
    invalidated = serializers.IntegerField()
    tp_rate = _rate("Take-profit rate: share whose creation take-profit was reached before its stop-loss, 0-1")
    sl_rate = _rate("Share whose creation stop-loss was reached before its take-profit, 0-1")
    profit_rate = _rate("Closed in profit: share with net R > 0 (includes expired / invalidated in profit), 0-1; "
                        "not the take-profit rate")
    average_r = _rate("Mean net R, creation bracket (the headline)")
    average_r_gross = _rate("Mean R before fees and slippage, creation bracket")
    average_r_trailed = _rate("Mean net R on the trailed bracket, in the risk in force at close")
    expectancy_pct = _rate("Mean net return per signal, % of the entry price")
    profit_factor = _rate("Sum of positive net R / |sum of negative net R|; null with no_losses or no trades")
    no_losses = serializers.BooleanField()
    mean_mfe_r = _rate("Mean maximum favourable excursion, creation R")
    mean_mae_r = _rate("Mean maximum adverse excursion, creation R")


class CalibrationSerializer(serializers.Serializer):
    bucket = serializers.CharField(help_text="Creation score bucket, e.g. 70-75")
    count = serializers.IntegerField()
    mean_score = serializers.FloatField(help_text="Mean creation score of the bucket, 0-100")
    tp_rate = serializers.FloatField(help_text="Realised take-profit-first rate, 0-1")
    profit_rate = serializers.FloatField(help_text="Realised closed-in-profit rate (net R > 0), 0-1")


class EquityPointSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="Wall clock of the write")
    closed_ms = serializers.IntegerField(allow_null=True, help_text="Exchange time (ms) of the close")
    cumulative_r = serializers.FloatField(help_text="Cumulative net R, creation bracket")


class ClosedSignalSerializer(serializers.ModelSerializer):
    """A closed signal from the outcome archive, with the names the Signal representation uses.

    `r` (= `outcome_r`) is net R on the creation bracket; null, like every result, for a stale
    signal (`close_rule` "stale"). Times: *_ms on the exchange clock, *_at wall-clock write times.
    """

    id = serializers.CharField(source="key")
    status = serializers.CharField(source="reason")
    score = serializers.FloatField(source="initial_confidence", help_text="Creation score, 0-100")
    r = serializers.FloatField(source="r_multiple", allow_null=True)
    outcome_r = serializers.FloatField(source="r_multiple", allow_null=True)
    created_at = serializers.DateTimeField(source="opened_at")
    created_ms = serializers.IntegerField(source="opened_ms", allow_null=True)
    tick_size = serializers.SerializerMethodField()

    class Meta:
        model = SignalOutcomeRecord
        fields = [
            "id", "key", "symbol", "timeframe", "direction", "status", "close_rule", "score", "entry", "exit_price",
            "stop_loss", "take_profit", "initial_stop_loss", "initial_take_profit", "r", "outcome_r", "r_gross",
            "r_trailed", "fees_r", "mfe_r", "mae_r", "mfe_pct", "mae_pct", "tp_first", "sl_first", "return_pct",
            "conditions", "created_at", "closed_at", "created_ms", "closed_ms", "tick_size",
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
    average_score = serializers.FloatField(source="average_confidence", allow_null=True)
    updates_last_hour = serializers.IntegerField()
    long_count = serializers.IntegerField()
    short_count = serializers.IntegerField()
    by_timeframe = serializers.DictField(child=serializers.IntegerField())


class ScannerStatusSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["idle", "running", "error", "banned"])
    timeframe = serializers.CharField(allow_null=True)
    since = serializers.IntegerField(allow_null=True, help_text="Epoch ms of the last state change")
    last_scan = ScanRunSummarySerializer(allow_null=True)
    timeframes = serializers.ListField(child=serializers.ChoiceField(choices=TIMEFRAMES),
                                       help_text="The signal timeframes, in order (the one list the client uses)")
    stream = serializers.DictField()
    governor = serializers.DictField()
