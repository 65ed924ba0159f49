"""/api/strategies/...: the block catalogue, templates, strategies and their versions, and
compile-without-saving.  Thin: read the body, call one service or selector, answer.

Bodies carrying a workspace are read from the raw request, not through DRF's parser: their size is
checked against the Content-Length before reading (413), and `untrusted_json.load_json` refuses
nesting that would make a recursive parser fail (400 naming the block) before parsing.  Errors:

    400 {"detail", "errors": [{"block_id", "message"}]}   the workspace does not compile
    400 {"detail", "field"}                               another field is wrong
    413 {"detail"}                                        the body is too large
    404 {"detail"}                                        no such strategy or version of yours
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from strategies import selectors
from strategies.blocks import catalogue
from strategies.compiler import LIMITS, CompileFailed, compile_workspace
from strategies.models import Strategy, StrategyVersion
from strategies.services import StrategyInvalid, strategy_create, strategy_version_save
from strategies.template_library import templates
from strategies.untrusted_json import load_json

#: The workspace limit plus room for the envelope (name and keys).
MAX_BODY_BYTES = LIMITS.max_json_bytes + 4096


class StrategyWriteThrottle(UserRateThrottle):
    """Saves and validations compile up to 512 KB each: plenty for an editor, not for a loop."""

    scope = "strategy_writes"
    rate = "60/min"


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class BadBody(Exception):
    def __init__(self, response: Response):
        self.response = response


def compile_refusal(exc: CompileFailed) -> Response:
    return Response({"detail": "The strategy does not compile: " + exc.errors[0].message,
                     "errors": [e.as_dict() for e in exc.errors]}, status=status.HTTP_400_BAD_REQUEST)


def body_of(request) -> dict:
    """The request's JSON object, read with the untrusted-JSON checks (raises BodyTooLarge/BadBody)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        raise BodyTooLarge(f"The body is {declared:,} bytes; at most {MAX_BODY_BYTES:,} are accepted.")
    raw = request.body
    if len(raw) > MAX_BODY_BYTES:
        raise BodyTooLarge(f"The body is {len(raw):,} bytes; at most {MAX_BODY_BYTES:,} are accepted.")
    try:
        data = load_json(raw or b"{}", max_bytes=MAX_BODY_BYTES, max_nesting=LIMITS.max_json_nesting + 2)
    except CompileFailed as exc:
        raise BadBody(compile_refusal(exc)) from None
    if not isinstance(data, dict):
        raise BadBody(Response({"detail": "Send a JSON object."}, status=status.HTTP_400_BAD_REQUEST))
    return data


def workspace_in(data: dict):
    if "workspace" not in data:
        raise BadBody(Response({"detail": "Send the Blockly workspace in 'workspace'.", "field": "workspace"},
                               status=status.HTTP_400_BAD_REQUEST))
    return data["workspace"]


def answer(call, ok: int = status.HTTP_200_OK) -> Response:
    """Run one view body; turn the typed refusals into their 4xx answers."""
    try:
        return Response(call(), status=ok)
    except BadBody as exc:
        return exc.response
    except CompileFailed as exc:
        return compile_refusal(exc)
    except StrategyInvalid as exc:
        return Response({"detail": exc.message, "field": exc.field}, status=status.HTTP_400_BAD_REQUEST)


def strategy_payload(strategy: Strategy, latest: StrategyVersion | None = None, *, full: bool = False) -> dict:
    data = {"id": strategy.id, "name": strategy.name, "latest_version": strategy.last_version or None,
            "created_at": strategy.created_at, "updated_at": strategy.updated_at}
    if full:
        data["latest"] = None if latest is None else version_payload(latest, full=True)
    return data


def version_payload(version: StrategyVersion, *, full: bool = False) -> dict:
    data = {"number": version.number, "created_at": version.created_at}
    if full:
        data.update(workspace=version.workspace, ir=version.ir)
    return data


MAX_ID = 2**63 - 1  # bigint: a larger id in the path is no strategy, not a database error


def owned(request, strategy_id: int) -> Strategy:
    if strategy_id > MAX_ID:
        raise NotFound("No such strategy of yours.")
    try:
        return selectors.strategy_of(owner=request.user, strategy_id=strategy_id)
    except Strategy.DoesNotExist:
        raise NotFound("No such strategy of yours.") from None


# Request and answer shapes, for the OpenAPI schema (the views read the raw body themselves).
class WorkspaceBody(serializers.Serializer):
    workspace = serializers.JSONField(help_text="Blockly workspace serialization")


class CreateBody(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    workspace = serializers.JSONField(required=False)


class VersionAnswer(serializers.Serializer):
    number = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    workspace = serializers.JSONField(required=False)
    ir = serializers.JSONField(required=False)


class StrategyAnswer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    latest_version = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    latest = VersionAnswer(required=False, allow_null=True)


class TemplateAnswer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    workspace = serializers.JSONField()


class ValidateAnswer(serializers.Serializer):
    ok = serializers.BooleanField()
    ir = serializers.JSONField()


class ErrorAnswer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.ListField(child=serializers.DictField(), required=False)
    field = serializers.CharField(required=False)


REFUSED = OpenApiResponse(ErrorAnswer, description="Bad input; a workspace error names its block")
TOO_LARGE = OpenApiResponse(ErrorAnswer, description="The body is too large")
NOT_FOUND = OpenApiResponse(ErrorAnswer, description="No such strategy of yours")


class CatalogueApi(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="Block catalogue, toolbox and indicators")
    def get(self, request):
        return Response(catalogue())


class TemplateListApi(APIView):
    @extend_schema(responses={200: TemplateAnswer(many=True)}, summary="Strategy templates (Blockly workspaces)")
    def get(self, request):
        return Response(templates())


class ValidateApi(APIView):
    throttle_classes = [StrategyWriteThrottle]

    @extend_schema(request=WorkspaceBody, responses={200: ValidateAnswer, 400: REFUSED, 413: TOO_LARGE},
                   summary="Compile a workspace without saving it")
    def post(self, request):
        return answer(lambda: {"ok": True, "ir": compile_workspace(workspace_in(body_of(request)))})


class StrategyListApi(APIView):
    def get_throttles(self):
        return [StrategyWriteThrottle()] if self.request.method == "POST" else super().get_throttles()

    @extend_schema(responses={200: StrategyAnswer(many=True)}, summary="Your strategies")
    def get(self, request):
        return Response([strategy_payload(s) for s in selectors.strategies_of(owner=request.user)])

    @extend_schema(request=CreateBody, responses={201: StrategyAnswer, 400: REFUSED, 413: TOO_LARGE},
                   summary="Create a strategy (with its version 1 when a workspace is sent)")
    def post(self, request):
        def create():
            data = body_of(request)
            strategy = strategy_create(owner=request.user, name=data.get("name"), workspace=data.get("workspace"))
            return strategy_payload(strategy, selectors.version_latest(strategy=strategy), full=True)

        return answer(create, ok=status.HTTP_201_CREATED)


class StrategyDetailApi(APIView):
    @extend_schema(responses={200: StrategyAnswer, 404: NOT_FOUND}, summary="A strategy with its latest version")
    def get(self, request, strategy_id: int):
        strategy = owned(request, strategy_id)
        return Response(strategy_payload(strategy, selectors.version_latest(strategy=strategy), full=True))


class VersionListApi(APIView):
    def get_throttles(self):
        return [StrategyWriteThrottle()] if self.request.method == "POST" else super().get_throttles()

    @extend_schema(responses={200: VersionAnswer(many=True), 404: NOT_FOUND}, summary="A strategy's versions")
    def get(self, request, strategy_id: int):
        strategy = owned(request, strategy_id)
        return Response([version_payload(v) for v in selectors.versions_of(strategy=strategy)])

    @extend_schema(request=WorkspaceBody, responses={201: VersionAnswer, 400: REFUSED, 404: NOT_FOUND, 413: TOO_LARGE},
                   summary="Save a new version (compiled first)")
    def post(self, request, strategy_id: int):
        strategy = owned(request, strategy_id)
        return answer(lambda: version_payload(
            strategy_version_save(strategy=strategy, workspace=workspace_in(body_of(request))), full=True),
            ok=status.HTTP_201_CREATED)


class VersionDetailApi(APIView):
    @extend_schema(responses={200: VersionAnswer, 404: NOT_FOUND}, summary="One version with its workspace and IR")
    def get(self, request, strategy_id: int, number: int):
        strategy = owned(request, strategy_id)
        if number > 2**31 - 1:
            raise NotFound("No such version of this strategy.")
        try:
            version = selectors.version_of(strategy=strategy, number=number)
        except StrategyVersion.DoesNotExist:
            raise NotFound("No such version of this strategy.") from None
        return Response(version_payload(version, full=True))
