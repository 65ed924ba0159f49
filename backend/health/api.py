from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.permissions import PublicMarketData
from health.checks import system_check

_check = inline_serializer(
    name="HealthCheck",
    fields={
        "ok": serializers.BooleanField(),
        "latency_ms": serializers.FloatField(),
        "error": serializers.CharField(required=False),
        "detail": serializers.DictField(required=False),
    },
)
_health = inline_serializer(
    name="Health",
    fields={
        "status": serializers.ChoiceField(choices=["ok", "error"]),
        "failed": serializers.ListField(child=serializers.CharField()),
        "checks": serializers.DictField(child=_check),
    },
)


class HealthApi(APIView):
    """Database, Redis, channel layer and Celery worker state: 200 if all are ok, else 503."""

    permission_classes = [PublicMarketData]

    @extend_schema(responses={200: _health, 503: OpenApiResponse(_health, description="A part failed")})
    def get(self, request: Request) -> Response:
        results = system_check()
        failed = [name for name, result in results.items() if not result.ok]
        body = {
            "status": "error" if failed else "ok",
            "failed": failed,
            "checks": {name: result.as_dict() for name, result in results.items()},
        }
        return Response(body, status=503 if failed else 200)
