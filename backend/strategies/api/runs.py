"""/api/strategies/.../runs/: start a run of a version, list runs, pause/resume/stop, logs and
decisions.  Owner-only: another user's run or strategy is a 404.

    400 {"detail", "field"}   bad input (services.StrategyInvalid)
    409 {"detail"}            a transition the run's status does not allow (lifecycle table)
"""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from strategies import selectors
from strategies.api.views import MAX_ID, owned
from strategies.lifecycle import IllegalTransition
from strategies.models import StrategyRun
from strategies.services import StrategyInvalid, run_start, run_trigger

PAGE = 200


def run_payload(run: StrategyRun, *, pnl: bool = False) -> dict:
    data = {"id": run.id, "strategy": run.version.strategy_id, "strategy_name": run.version.strategy.name,
            "version": run.version.number, "exchange_account": run.exchange_account_id, "symbols": run.symbols,
            "timeframe": run.timeframe, "status": run.status, "error": run.error, "tag": run.tag,
            "created_at": run.created_at, "started_at": run.started_at, "stopped_at": run.stopped_at}
    if pnl:
        data.update(pnl=selectors.run_pnl(run=run), trace=run.trace)
    return data


def run_owned(request, run_id: int) -> StrategyRun:
    if run_id > MAX_ID:
        raise NotFound("No such run of yours.")
    try:
        return selectors.run_of(owner=request.user, run_id=run_id)
    except StrategyRun.DoesNotExist:
        raise NotFound("No such run of yours.") from None


class RunStartApi(APIView):
    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT})
    def post(self, request, strategy_id: int):
        strategy = owned(request, strategy_id)
        body = request.data if isinstance(request.data, dict) else {}
        try:
            run = run_start(owner=request.user, strategy=strategy, version=body.get("version"),
                            exchange_account=body.get("exchange_account"), symbols=body.get("symbols"),
                            timeframe=body.get("timeframe"))
        except StrategyInvalid as exc:
            return Response({"detail": exc.message, "field": exc.field}, status=status.HTTP_400_BAD_REQUEST)
        return Response(run_payload(run), status=status.HTTP_201_CREATED)


class RunListApi(APIView):
    @extend_schema(operation_id="strategies_runs_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        runs = selectors.runs_of(owner=request.user)[:PAGE]
        return Response([run_payload(r) for r in runs])


class RunDetailApi(APIView):
    @extend_schema(operation_id="strategies_run_retrieve", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, run_id: int):
        return Response(run_payload(run_owned(request, run_id), pnl=True))


class RunTriggerApi(APIView):
    trigger = ""

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def post(self, request, run_id: int):
        run = run_owned(request, run_id)
        try:
            run = run_trigger(run=run, trigger=self.trigger)
        except IllegalTransition as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(run_payload(run))


class RunLogsApi(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, run_id: int):
        rows = run_owned(request, run_id).logs.all()[:PAGE]
        return Response([{"id": r.id, "at": r.created_at, "level": r.level, "symbol": r.symbol,
                          "candle_time": r.candle_time, "message": r.message} for r in rows])


class RunDecisionsApi(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, run_id: int):
        rows = run_owned(request, run_id).decisions.select_related("order")[:PAGE]
        return Response([{"id": r.id, "symbol": r.symbol, "candle_time": r.candle_time, "kind": r.kind,
                          "payload": r.payload, "outcome": r.outcome, "order_id": r.order_id,
                          "client_order_id": r.order.client_order_id if r.order else None,
                          "order_status": r.order.status if r.order else None, "at": r.created_at} for r in rows])
