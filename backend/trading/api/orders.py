"""/api/trading/orders/, /fills/ and /reconciliation-runs/: the caller's orders (filtered, newest first,
detail with fills), the manual order ticket, cancel; fills and reconciliation runs.

A filter naming an account that is not the caller's is a 404, like the account's own URL.
"""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import exchange_account_of
from common.pagination import PageNumberPagination
from trading import payloads, selectors
from trading.api.accounts import PAUSED, NOT_FOUND, REFUSED, UNAVAILABLE, OwnedAccountApi, TradingWriteThrottle
from trading.api.errors import trading_answer
from trading.api.serializers import (
    FillFilterSerializer, FillSerializer, OrderFilterSerializer, OrderSerializer, OrderTicketSerializer,
    ReconciliationRunSerializer, RunFilterSerializer,
)
from trading.services.orders import order_cancel, order_create


def _query(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    filters = dict(serializer.validated_data)
    if "account" in filters:
        account = exchange_account_of(user=request.user, account_id=filters["account"])
        if account is None:
            raise NotFound("No such exchange account.")
    return filters


class _ListApi(GenericAPIView):
    pagination_class = PageNumberPagination

    def page(self, rows, payload) -> Response:
        return self.get_paginated_response([payload(row) for row in self.paginate_queryset(rows)])


class OrderListApi(_ListApi, OwnedAccountApi):
    def get_throttles(self):
        return [TradingWriteThrottle()] if self.request.method == "POST" else []

    @extend_schema(parameters=[OrderFilterSerializer], responses=OrderSerializer(many=True),
                   summary="Your orders, newest first")
    def get(self, request: Request) -> Response:
        filters = _query(OrderFilterSerializer, request)
        return self.page(selectors.orders_of(user=request.user, **filters), payloads.order_payload)

    @extend_schema(request=OrderTicketSerializer, summary="Place a manual order (sent in the background)",
                   responses={202: OrderSerializer, 400: REFUSED, 404: NOT_FOUND, 409: PAUSED, 503: UNAVAILABLE})
    def post(self, request: Request) -> Response:
        data = self.validated(OrderTicketSerializer, request)
        account = self.account(request, data.pop("account"), trading=True)
        return trading_answer(lambda: order_create(**ticket_order_kwargs(account, data)), payloads.order_payload,
                              ok=status.HTTP_202_ACCEPTED)


def ticket_order_kwargs(account, ticket: dict) -> dict:
    """The ticket in order_create's words: LONG buys, SHORT sells; in Hedge Mode on that position side."""
    long = ticket["direction"] == "LONG"
    hedge = selectors.trading_state_of(account=account).hedge_mode
    return {
        "account": account, "symbol": ticket["symbol"], "side": "BUY" if long else "SELL", "type": ticket["type"],
        "quantity": ticket.get("quantity"), "quote_percent": ticket.get("percent_of_balance"),
        "price": ticket.get("price"), "position_side": ("LONG" if long else "SHORT") if hedge else None,
        "leverage": ticket.get("leverage"), "stop_loss_price": ticket.get("stop_loss_price"),
        "take_profit_price": ticket.get("take_profit_price"), "tag": "m", "source": "manual",
    }


class _OwnedOrderApi(OwnedAccountApi):
    def order(self, request: Request, order_id: int):
        order = selectors.order_of(user=request.user, order_id=order_id)
        if order is None:
            raise NotFound("No such order.")
        return order


class OrderDetailApi(_OwnedOrderApi):
    @extend_schema(responses={200: OrderSerializer, 404: NOT_FOUND}, summary="One of your orders, with its fills")
    def get(self, request: Request, order_id: int) -> Response:
        order = self.order(request, order_id)
        return Response(payloads.order_payload(order, fills=list(selectors.fills_of_order(order=order))))


class OrderCancelApi(_OwnedOrderApi):
    throttle_classes = [TradingWriteThrottle]

    @extend_schema(request=None, summary="Cancel a working order",
                   responses={202: OrderSerializer, 400: REFUSED, 404: NOT_FOUND, 409: REFUSED, 503: UNAVAILABLE})
    def post(self, request: Request, order_id: int) -> Response:
        order = self.order(request, order_id)
        self.account(request, order.account_id, trading=True)
        return trading_answer(lambda: order_cancel(order=order), payloads.order_payload, ok=status.HTTP_202_ACCEPTED)


class FillListApi(_ListApi, OwnedAccountApi):
    @extend_schema(parameters=[FillFilterSerializer], responses=FillSerializer(many=True),
                   summary="Your fills, newest first")
    def get(self, request: Request) -> Response:
        filters = _query(FillFilterSerializer, request)
        return self.page(selectors.fills_of(user=request.user, **filters), payloads.fill_payload)


class ReconciliationRunListApi(_ListApi, OwnedAccountApi):
    @extend_schema(parameters=[RunFilterSerializer], responses=ReconciliationRunSerializer(many=True),
                   summary="Reconciliation runs of your accounts, newest first, with what they corrected")
    def get(self, request: Request) -> Response:
        filters = _query(RunFilterSerializer, request)
        return self.page(selectors.reconciliation_runs_of(user=request.user, **filters),
                         payloads.reconciliation_payload)
