"""/api/trading/accounts/...: each exchange account's trading side (balances, positions, risk limits,
position mode, leverage, kill switch, reconciliation). Thin: validate, call one service, answer.

Every account is looked up through the caller's own (accounts.selectors), so another user's id is a 404.
"""
from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from accounts.models import ExchangeAccount
from accounts.selectors import exchange_account_of, exchange_accounts_of
from accounts.services.exchange_accounts import paper_account_ensure
from trading import payloads, selectors
from trading.api.errors import AccountNotTradable, NotTradable, account_tradable_check, trading_answer
from trading.api.serializers import (
    ErrorSerializer, KillSwitchSerializer, LeverageAnswerSerializer, LeverageSerializer, OrderSerializer,
    PositionCloseSerializer, PositionModeSerializer, QueuedSerializer, RiskLimitsSerializer,
    TradingAccountDetailSerializer, TradingAccountSerializer,
)
from trading.services.account_settings import leverage_set, position_mode_set
from trading.services.kill_switch import kill_switch_request, trading_resume
from trading.services.orders import position_close
from trading.services.positions import positions_payload
from trading.services.risk import risk_limits_update
from trading.tasks import reconcile_account


class TradingWriteThrottle(UserRateThrottle):
    """Orders, cancels and closes: each one is a request to the user's exchange on the platform's
    shared IP budget (the per-account risk limit `max_orders_per_minute` is checked on top)."""

    scope = "trading_writes"
    rate = "120/min"


class TradingCallThrottle(UserRateThrottle):
    """Position mode, leverage, kill switch, reconciliation: heavier calls a user never needs in a loop."""

    scope = "trading_calls"
    rate = "30/min"


REFUSED = OpenApiResponse(ErrorSerializer, description="Bad input, a risk limit, or the exchange refused")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such account of yours")
PAUSED = OpenApiResponse(ErrorSerializer, description="The account is paused: entries are refused")
UNAVAILABLE = OpenApiResponse(ErrorSerializer, description="The exchange did not answer; nothing changed")


def trading_account_payload(account: ExchangeAccount) -> dict:
    state = selectors.trading_state_of(account=account)
    return {"id": account.id, "label": account.label, "venue": account.venue, "is_paper": account.is_paper,
            "hedge_mode": state.hedge_mode, "paused": state.paused, "pause_reason": state.pause_reason}


class OwnedAccountApi(APIView):
    permission_classes = [IsAuthenticated]

    def account(self, request: Request, account_id: int, *, trading: bool = False) -> ExchangeAccount:
        """The caller's account `account_id` (404 otherwise); `trading`: one that may trade (else 400)."""
        account = exchange_account_of(user=request.user, account_id=account_id)
        if account is None:
            raise NotFound("No such exchange account.")
        if trading:
            try:
                account_tradable_check(account)
            except AccountNotTradable as exc:
                raise NotTradable(str(exc)) from None
        return account

    @staticmethod
    def validated(serializer_class, request: Request) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class TradingAccountListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=TradingAccountSerializer(many=True), summary="Your exchange accounts, as trading sees them")
    def get(self, request: Request) -> Response:
        # Sign-up makes the paper account; if the sandbox was down then, this makes it now.
        paper_account_ensure(user=request.user)
        return Response([trading_account_payload(a) for a in exchange_accounts_of(user=request.user)])


class TradingAccountDetailApi(OwnedAccountApi):
    @extend_schema(responses={200: TradingAccountDetailSerializer, 404: NOT_FOUND},
                   summary="Balances, positions (attributed), risk limits and the last reconciliation")
    def get(self, request: Request, account_id: int) -> Response:
        account = self.account(request, account_id)
        last_run = selectors.reconciliation_last(account=account)
        return Response({
            "account": trading_account_payload(account),
            "balances": [payloads.balance_payload(b) for b in selectors.balances_of(account=account)],
            "positions": positions_payload(account=account),
            "risk": payloads.risk_payload(selectors.risk_limits_of(account=account)),
            "open_orders": selectors.open_orders_count(account=account),
            "last_reconciliation": payloads.reconciliation_payload(last_run) if last_run else None,
        })


class RiskLimitsApi(OwnedAccountApi):
    @extend_schema(responses={200: RiskLimitsSerializer, 404: NOT_FOUND}, summary="The account's risk limits")
    def get(self, request: Request, account_id: int) -> Response:
        return Response(payloads.risk_payload(selectors.risk_limits_of(account=self.account(request, account_id))))

    @extend_schema(request=RiskLimitsSerializer, responses={200: RiskLimitsSerializer, 400: REFUSED, 404: NOT_FOUND},
                   summary="Replace the account's risk limits")
    def put(self, request: Request, account_id: int) -> Response:
        account = self.account(request, account_id)
        data = self.validated(RiskLimitsSerializer, request)
        return trading_answer(lambda: risk_limits_update(account=account, **data), payloads.risk_payload)


class PositionModeApi(OwnedAccountApi):
    throttle_classes = [TradingCallThrottle]

    @extend_schema(request=PositionModeSerializer, summary="Switch between Hedge and One-way Mode (Binance's rules)",
                   responses={200: TradingAccountSerializer, 400: REFUSED, 404: NOT_FOUND, 503: UNAVAILABLE})
    def post(self, request: Request, account_id: int) -> Response:
        account = self.account(request, account_id, trading=True)
        hedge = self.validated(PositionModeSerializer, request)["hedge"]
        return trading_answer(lambda: position_mode_set(account=account, hedge=hedge),
                              lambda _: trading_account_payload(account), hedge=hedge)


class LeverageApi(OwnedAccountApi):
    throttle_classes = [TradingCallThrottle]

    @extend_schema(request=LeverageSerializer, summary="Set a symbol's leverage (at most the risk limit's)",
                   responses={200: LeverageAnswerSerializer, 400: REFUSED, 404: NOT_FOUND, 503: UNAVAILABLE})
    def post(self, request: Request, account_id: int) -> Response:
        account = self.account(request, account_id, trading=True)
        data = self.validated(LeverageSerializer, request)
        return trading_answer(lambda: leverage_set(account=account, **data),
                              lambda leverage: {"symbol": data["symbol"], "leverage": leverage})


class KillSwitchApi(OwnedAccountApi):
    throttle_classes = [TradingCallThrottle]

    @extend_schema(request=KillSwitchSerializer, summary="Pause the account, cancel every order, close every position",
                   responses={202: TradingAccountSerializer, 400: REFUSED, 404: NOT_FOUND})
    def post(self, request: Request, account_id: int) -> Response:
        account = self.account(request, account_id)
        self.validated(KillSwitchSerializer, request)
        return trading_answer(lambda: kill_switch_request(account=account, by=request.user),
                              lambda _: trading_account_payload(account), ok=status.HTTP_202_ACCEPTED)


class ResumeApi(OwnedAccountApi):
    @extend_schema(request=None, summary="Let the account open positions again after a pause",
                   responses={200: TradingAccountSerializer, 404: NOT_FOUND})
    def post(self, request: Request, account_id: int) -> Response:
        account = self.account(request, account_id)
        return trading_answer(lambda: trading_resume(account=account), lambda _: trading_account_payload(account))


class PositionCloseApi(OwnedAccountApi):
    throttle_classes = [TradingWriteThrottle]

    @extend_schema(request=PositionCloseSerializer, summary="Close a position with a reduce-only market order",
                   responses={202: OrderSerializer, 400: REFUSED, 404: NOT_FOUND})
    def post(self, request: Request, account_id: int) -> Response:
        account = self.account(request, account_id, trading=True)
        data = self.validated(PositionCloseSerializer, request)
        return trading_answer(lambda: position_close(account=account, **data), payloads.order_payload,
                              ok=status.HTTP_202_ACCEPTED)


class ReconcileApi(OwnedAccountApi):
    throttle_classes = [TradingCallThrottle]

    @extend_schema(request=None, summary="Compare the platform's records with the exchange's now",
                   responses={202: QueuedSerializer, 404: NOT_FOUND})
    def post(self, request: Request, account_id: int) -> Response:
        account = self.account(request, account_id)
        transaction.on_commit(lambda: reconcile_account.delay(account.id, "manual"))
        return Response({"detail": "Reconciliation queued."}, status=status.HTTP_202_ACCEPTED)
