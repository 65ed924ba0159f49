"""Reads of trading rows. Everything a user reaches is filtered by owner here, so an id of someone
else's order is simply not found."""
from __future__ import annotations

from django.db.models import QuerySet

from trading.models import (
    OPEN_STATUSES, TERMINAL_STATUSES, BalanceSnapshot, Fill, Order, ReconciliationRun, RiskLimits, TradingState,
)


def trading_state_of(*, account) -> TradingState:
    state, _ = TradingState.objects.get_or_create(account=account)
    return state


def risk_limits_of(*, account) -> RiskLimits:
    limits, _ = RiskLimits.objects.get_or_create(account=account)
    return limits


def orders_of(*, user, account: int | None = None, symbol: str | None = None, status: str | None = None,
              open: bool | None = None) -> QuerySet[Order]:
    orders = Order.objects.filter(account__owner=user)
    if account is not None:
        orders = orders.filter(account_id=account)
    if symbol:
        orders = orders.filter(symbol=symbol)
    if status:
        orders = orders.filter(status=status)
    if open is True:
        orders = orders.exclude(status__in=TERMINAL_STATUSES)
    elif open is False:
        orders = orders.filter(status__in=TERMINAL_STATUSES)
    return orders.order_by("-created_at", "-id")


def order_of(*, user, order_id: int) -> Order | None:
    return Order.objects.filter(account__owner=user, pk=order_id).first()


def fills_of_order(*, order: Order) -> QuerySet[Fill]:
    return Fill.objects.filter(account_id=order.account_id, order=order).order_by("time_ms", "trade_id")


def fills_of(*, user, account: int | None = None, symbol: str | None = None) -> QuerySet[Fill]:
    fills = Fill.objects.filter(account__owner=user)
    if account is not None:
        fills = fills.filter(account_id=account)
    if symbol:
        fills = fills.filter(symbol=symbol)
    return fills.order_by("-time_ms", "-trade_id")


def open_orders_of(*, account) -> QuerySet[Order]:
    return Order.objects.filter(account=account, status__in=OPEN_STATUSES)


def open_orders_count(*, account) -> int:
    return open_orders_of(account=account).count()


def balances_of(*, account) -> QuerySet[BalanceSnapshot]:
    return BalanceSnapshot.objects.filter(account=account).order_by("asset")


def reconciliation_runs_of(*, user, account: int | None = None) -> QuerySet[ReconciliationRun]:
    runs = ReconciliationRun.objects.filter(account__owner=user)
    if account is not None:
        runs = runs.filter(account_id=account)
    return runs.order_by("-started_at", "-id")


def reconciliation_last(*, account) -> ReconciliationRun | None:
    return ReconciliationRun.objects.filter(account=account).order_by("-started_at", "-id").first()
