"""/api/backtests/...: the caller's own backtest runs (another user's id is a 404). Thin: validate,
call one service, answer."""
from __future__ import annotations

from django.db import transaction
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backtest import selectors, services
from backtest.models import BacktestRun

COMPARE_MAX = 10
CANDLES_MAX = 20_000  # candles of one symbol drawn on the result page


def run_payload(run: BacktestRun, *, results: bool = False) -> dict:
    payload = {"id": run.id, "kind": run.kind, "status": run.status, "progress": run.progress,
               "parameters": run.parameters, "error": run.error, "created_at": run.created_at,
               "started_at": run.started_at, "finished_at": run.finished_at,
               "metrics": (run.results or {}).get("metrics")}
    if results:
        payload["results"] = run.results
    return payload


def _run_or_404(request: Request, run_id: int) -> BacktestRun:
    run = selectors.run_of(request.user, run_id)
    if run is None:
        raise NotFound("no such backtest of yours")
    return run


class BacktestListView(APIView):
    @extend_schema(operation_id="backtests_list", responses=OpenApiTypes.OBJECT,
                   description="The caller's backtests, newest first (at most 100).")
    def get(self, request: Request) -> Response:
        return Response([run_payload(r) for r in selectors.runs_of(request.user)[:100]])

    @extend_schema(operation_id="backtests_create", request=OpenApiTypes.OBJECT,
                   responses={201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
                   description="Queue a backtest (scanner settings or a strategy version over stored history); "
                               "400 names every bad field.")
    def post(self, request: Request) -> Response:
        try:
            with transaction.atomic():
                run = services.run_create(owner=request.user, data=request.data)
        except services.BacktestInputError as exc:
            return Response({"detail": str(exc), "errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(run_payload(run), status=status.HTTP_201_CREATED)


class BacktestDetailView(APIView):
    @extend_schema(operation_id="backtests_retrieve", responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT})
    def get(self, request: Request, run_id: int) -> Response:
        return Response(run_payload(_run_or_404(request, run_id), results=True))


class BacktestCancelView(APIView):
    @extend_schema(operation_id="backtests_cancel", request=None,
                   responses={202: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT})
    def post(self, request: Request, run_id: int) -> Response:
        run = services.run_cancel(run=_run_or_404(request, run_id))
        return Response(run_payload(run), status=status.HTTP_202_ACCEPTED)


class BacktestTradesCsvView(APIView):
    @extend_schema(operation_id="backtests_trades_csv",
                   responses={(200, "text/csv"): OpenApiTypes.STR, 404: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def get(self, request: Request, run_id: int) -> HttpResponse:
        run = _run_or_404(request, run_id)
        if run.status != "DONE":
            return Response({"detail": f"backtest {run.id} is {run.status}; trades exist once it is DONE"},
                            status=status.HTTP_409_CONFLICT)
        answer = HttpResponse(run.trades_csv, content_type="text/csv")
        answer["Content-Disposition"] = f'attachment; filename="backtest-{run.id}-trades.csv"'
        return answer


class BacktestCandlesView(APIView):
    @extend_schema(operation_id="backtests_candles",
                   parameters=[OpenApiParameter("symbol", str, description="one of the run's symbols")],
                   responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
                   description=f"The stored candles of the run's window for one symbol (the first {CANDLES_MAX}), "
                               "to draw its trades on.")
    def get(self, request: Request, run_id: int) -> Response:
        run = _run_or_404(request, run_id)
        symbol = request.query_params.get("symbol", "").upper()
        if symbol not in run.parameters.get("symbols", []):
            return Response({"detail": f"symbol: one of this backtest's symbols {run.parameters.get('symbols')}"},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response(selectors.run_candles(run, symbol, CANDLES_MAX))


class BacktestCompareView(APIView):
    @extend_schema(operation_id="backtests_compare",
                   parameters=[OpenApiParameter("ids", str, description="comma-separated ids, 1 to 10")],
                   responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("ids", "")
        try:
            ids = [int(x) for x in raw.split(",") if x.strip()]
        except ValueError:
            return Response({"detail": "ids: comma-separated integers, e.g. ids=1,2"}, status=400)
        if not 1 <= len(ids) <= COMPARE_MAX:
            return Response({"detail": f"ids: between 1 and {COMPARE_MAX} backtest ids"}, status=400)
        runs = {r.id: r for r in selectors.runs_of(request.user).filter(id__in=ids)}
        missing = [i for i in ids if i not in runs]
        if missing:
            raise NotFound(f"no such backtest of yours: {missing}")
        return Response({"runs": [{"id": i, "status": runs[i].status, "parameters": runs[i].parameters,
                                   "metrics": (runs[i].results or {}).get("metrics")} for i in ids]})
