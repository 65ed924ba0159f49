"""Thin DRF views: validate query parameters, call a selector, serialize."""
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.pagination import PageNumberPagination
from common.permissions import PublicMarketData
from signals import selectors
from signals.api.serializers import (
    PerformanceFilterSerializer,
    PerformanceSerializer,
    SignalDetailSerializer,
    SignalFilterSerializer,
    SignalSerializer,
    SignalStatsSerializer,
    ScannerStatusSerializer,
)
from signals.models import Signal
from signals.services.symbols import tick_sizes_for


class SignalPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def _validated(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class SignalListApi(GenericAPIView):
    permission_classes = [PublicMarketData]
    serializer_class = SignalSerializer
    pagination_class = SignalPagination

    @extend_schema(parameters=[SignalFilterSerializer], responses=SignalSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = _validated(SignalFilterSerializer, request)
        page = self.paginate_queryset(selectors.signal_list(**filters))
        context = {"tick_sizes": tick_sizes_for({s.symbol for s in page})}
        return self.get_paginated_response(SignalSerializer(page, many=True, context=context).data)


class SignalDetailApi(APIView):
    permission_classes = [PublicMarketData]

    @extend_schema(responses=SignalDetailSerializer)
    def get(self, request: Request, signal_id: int) -> Response:
        try:
            signal = selectors.signal_get(signal_id=signal_id)
        except Signal.DoesNotExist:
            raise Http404(f"no signal with id {signal_id}") from None
        return Response(SignalDetailSerializer(signal).data)


class SignalStatsApi(APIView):
    permission_classes = [PublicMarketData]

    @extend_schema(responses=SignalStatsSerializer)
    def get(self, request: Request) -> Response:
        return Response(SignalStatsSerializer(selectors.signal_stats()).data)


class SignalPerformanceApi(APIView):
    permission_classes = [PublicMarketData]

    @extend_schema(parameters=[PerformanceFilterSerializer], responses=PerformanceSerializer)
    def get(self, request: Request) -> Response:
        filters = _validated(PerformanceFilterSerializer, request)
        report = selectors.signal_performance(**filters)
        context = {"tick_sizes": tick_sizes_for({s.symbol for s in report["latest"]})}
        return Response(PerformanceSerializer(report, context=context).data)




class ScannerStatusApi(APIView):
    permission_classes = [PublicMarketData]

    @extend_schema(responses=ScannerStatusSerializer)
    def get(self, request: Request) -> Response:
        from signals.services.status import scanner_status_get

        return Response(ScannerStatusSerializer(scanner_status_get()).data)
