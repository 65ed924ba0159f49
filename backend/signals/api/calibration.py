"""GET /api/signals/calibration/: the probability tables in use and the out-of-sample walk-forward."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.permissions import PublicMarketData
from signals.services.calibration import calibration_archive, calibration_prior, calibration_prior_document


class CalibrationPointSerializer(serializers.Serializer):
    score = serializers.FloatField()
    probability = serializers.FloatField()
    low = serializers.FloatField()
    high = serializers.FloatField()
    n = serializers.IntegerField()


class CalibrationCurveSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=["archive", "recorded-backtest"])
    timeframe = serializers.CharField()
    direction = serializers.CharField()
    count = serializers.IntegerField(help_text="Closed signals of this timeframe and direction")
    min_signals = serializers.IntegerField(help_text="Fewest closed signals before a probability is shown")
    points = CalibrationPointSerializer(many=True, help_text="Empty: not enough history")


class CalibrationReportSerializer(serializers.Serializer):
    curves = CalibrationCurveSerializer(many=True)
    about = serializers.DictField(help_text="How the shipped prior was made (bench/walk_forward.py)")
    out_of_sample = serializers.DictField(help_text="Walk-forward: chosen or fitted on days 1-7, measured on 8-14")


def _curves(table) -> list[dict]:
    if table is None:
        return []
    return [
        {"source": table.source, "timeframe": tf, "direction": d, "count": n, "min_signals": table.min_signals,
         "points": [vars(p) for p in table.curves.get((tf, d), ())]}
        for (tf, d), n in sorted(table.counts.items())
    ]  # fmt: skip


class SignalCalibrationApi(APIView):
    permission_classes = [PublicMarketData]

    @extend_schema(responses=CalibrationReportSerializer)
    def get(self, request: Request) -> Response:
        document = calibration_prior_document()
        report = {
            "curves": _curves(calibration_archive()) + _curves(calibration_prior()),
            "about": document.get("about", {}),
            "out_of_sample": document.get("out_of_sample", {}),
        }
        return Response(CalibrationReportSerializer(report).data)
