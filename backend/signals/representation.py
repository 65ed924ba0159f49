"""The wire shape of a signal and of a scan run: what the API answers and what every signal
WebSocket event carries (one shape, so a dashboard applies both the same way).

Below both edges: `signals/api/` (REST) and the services that publish events import it; it
imports neither. The weighted share of the conditions that hold is a *score* (0-100), not a
chance: the shape names it `score` (the column is still `confidence`). Beside it, `probability`
is the calibrated take-profit-first probability for the creation score
(`signals.services.calibration`), or null with `probability_note` saying why.
"""
import threading

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from signals.models import ScanRun, Signal
from signals.services.calibration import signal_probability


class ProbabilitySerializer(serializers.Serializer):
    value = serializers.FloatField(help_text="Realised take-profit-first rate, 0-1")
    low = serializers.FloatField(help_text="90% interval, lower bound")
    high = serializers.FloatField(help_text="90% interval, upper bound")
    n = serializers.IntegerField(help_text="Past signals the value rests on")
    source = serializers.ChoiceField(choices=["archive", "recorded-backtest"])


class SignalSerializer(serializers.ModelSerializer):
    score = serializers.FloatField(source="confidence", read_only=True, help_text="Last published score, 0-100")
    initial_score = serializers.FloatField(source="initial_confidence", read_only=True, help_text="Score at creation")
    probability = serializers.SerializerMethodField()
    probability_note = serializers.SerializerMethodField()
    tick_size = serializers.SerializerMethodField()

    class Meta:
        model = Signal
        fields = [
            "id", "key", "symbol", "timeframe", "direction", "status", "score", "initial_score",
            "probability", "probability_note", "entry", "stop_loss", "take_profit", "initial_stop_loss",
            "initial_take_profit", "reward_risk", "conditions", "snapshot", "candle_open_time", "created_at",
            "updated_at", "expires_at", "closed_at", "created_ms", "expires_ms", "closed_ms", "close_rule",
            "exit_price", "outcome_r", "return_pct", "tick_size", "version",
        ]
        read_only_fields = fields

    def _probability(self, obj: Signal):
        # One lookup per signal, shared by the two fields that show it.
        cached = getattr(obj, "_probability", None)
        if cached is None:
            cached = signal_probability(score=obj.initial_confidence, timeframe=obj.timeframe, direction=obj.direction)
            obj._probability = cached
        return cached

    @extend_schema_field(ProbabilitySerializer(allow_null=True))
    def get_probability(self, obj: Signal) -> dict | None:
        probability, _ = self._probability(obj)
        return None if probability is None else probability.as_dict()

    def get_probability_note(self, obj: Signal) -> str:
        return self._probability(obj)[1]

    def get_tick_size(self, obj: Signal) -> str | None:
        sizes = self.context.get("tick_sizes")
        if sizes is None:
            from signals.services.symbols import tick_sizes_for

            sizes = tick_sizes_for([obj.symbol])
        return sizes.get(obj.symbol)


class ScanRunSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ScanRun
        fields = ["started_at", "finished_at", "duration_ms", "symbols", "weight_used", "signals_created",
                  "signals_updated", "signals_closed", "status", "trigger", "timeframe", "errors"]


_PAYLOAD = threading.local()


def signal_payload(row: Signal, *, tick_sizes: dict[str, str] | None = None) -> dict:
    """The event payload of one signal (the API's shape).

    One serializer per thread, kept: a new one builds its fields from the model on first use,
    which cost more than the representation itself (a close of 1,000 symbols publishes hundreds
    of these). Only its context changes from one call to the next."""
    serializer = getattr(_PAYLOAD, "serializer", None)
    if serializer is None:
        serializer = _PAYLOAD.serializer = SignalSerializer(context={})
    serializer._context = {} if tick_sizes is None else {"tick_sizes": tick_sizes}
    return serializer.to_representation(row)


def scan_run_payload(run: ScanRun) -> dict:
    return ScanRunSummarySerializer(run).data
