"""/api/exchange-accounts/: a user's exchange accounts. Thin: validate, call a service, answer JSON.

Every lookup goes through the caller's own accounts (selectors), so another user's id is a 404.
The key and the secret are write-only: answers carry the key's last 4 characters and fingerprint.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from accounts.models import AccountStatus, ExchangeAccount, Venue
from accounts.payloads import balances_payload, exchange_account_payload
from accounts.selectors import exchange_account_of, exchange_accounts_of
from accounts.services.exchange_accounts import (
    KEY_PATTERN, ExchangeAccountInvalid, exchange_account_balances, exchange_account_create, exchange_account_delete,
    exchange_account_update, exchange_account_verify, paper_account_ensure,
)
from accounts.services.venue_checks import VenueUnavailable

T = TypeVar("T")


class ExchangeCallThrottle(UserRateThrottle):
    """Creating, verifying and reading a balance each call the user's exchange, on the platform's
    shared IP weight budget: a user may not spend it in a loop."""

    scope = "exchange_account_calls"
    rate = "30/min"


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ExchangeAccountSerializer(serializers.Serializer):
    """The answer's shape (accounts/payloads.py builds it; declared here for the schema)."""

    id = serializers.IntegerField()
    label = serializers.CharField()
    venue = serializers.ChoiceField(choices=Venue.choices)
    is_paper = serializers.BooleanField()
    api_key_last4 = serializers.CharField()
    fingerprint = serializers.CharField(help_text="HMAC-SHA256 of the API key, first 12 hex digits")
    status = serializers.ChoiceField(choices=AccountStatus.choices)
    status_detail = serializers.CharField()
    verified_at = serializers.DateTimeField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())
    live_confirmed = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class ExchangeAccountCreateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=80)
    venue = serializers.ChoiceField(choices=Venue.choices)
    api_key = serializers.RegexField(KEY_PATTERN, max_length=128, write_only=True,
                                     error_messages={"invalid": "16 to 128 letters and digits."})
    api_secret = serializers.RegexField(KEY_PATTERN, max_length=128, write_only=True, style={"input_type": "password"},
                                        error_messages={"invalid": "16 to 128 letters and digits."})
    confirm_live = serializers.BooleanField(
        default=False, help_text="Required true for venue=live: the account trades real money")


class ExchangeAccountUpdateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=80)


class AssetBalanceSerializer(serializers.Serializer):
    asset = serializers.CharField()
    wallet_balance = serializers.DecimalField(max_digits=40, decimal_places=20, coerce_to_string=True)
    available_balance = serializers.DecimalField(max_digits=40, decimal_places=20, coerce_to_string=True)
    unrealized_pnl = serializers.DecimalField(max_digits=40, decimal_places=20, coerce_to_string=True)


class BalancesSerializer(serializers.Serializer):
    assets = AssetBalanceSerializer(many=True)


REFUSED = OpenApiResponse(DetailSerializer, description="Bad input, or the venue refused the key")
NOT_FOUND = OpenApiResponse(DetailSerializer, description="No such account of yours")
UNAVAILABLE = OpenApiResponse(DetailSerializer, description="The venue did not answer; nothing changed")


def _venue_answer(call: Callable[[], T], payload: Callable[[T], object], ok: int = status.HTTP_200_OK) -> Response:
    """Run a service call; a refused key or bad input is a 400, a venue that did not answer a 503."""
    try:
        result = call()
    except ExchangeAccountInvalid as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    except VenueUnavailable as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "10"})
    return Response(payload(result), status=ok)


class _OwnedAccountApi(APIView):
    permission_classes = [IsAuthenticated]

    def account(self, request: Request, account_id: int) -> ExchangeAccount:
        account = exchange_account_of(user=request.user, account_id=account_id)
        if account is None:
            raise NotFound("No such exchange account.")
        return account


class ExchangeAccountListApi(APIView):
    permission_classes = [IsAuthenticated]

    def get_throttles(self):
        return [ExchangeCallThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses=ExchangeAccountSerializer(many=True), summary="Your exchange accounts")
    def get(self, request: Request) -> Response:
        # Sign-up makes the paper account; if the sandbox was down then, this makes it now.
        paper_account_ensure(user=request.user)
        return Response([exchange_account_payload(a) for a in exchange_accounts_of(user=request.user)])

    @extend_schema(request=ExchangeAccountCreateSerializer, summary="Add an exchange account (key checked first)",
                   responses={201: ExchangeAccountSerializer, 400: REFUSED, 503: UNAVAILABLE})
    def post(self, request: Request) -> Response:
        data = ExchangeAccountCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _venue_answer(lambda: exchange_account_create(owner=request.user, **data.validated_data),
                             exchange_account_payload, ok=status.HTTP_201_CREATED)


class ExchangeAccountDetailApi(_OwnedAccountApi):
    @extend_schema(responses={200: ExchangeAccountSerializer, 404: NOT_FOUND}, summary="One of your exchange accounts")
    def get(self, request: Request, account_id: int) -> Response:
        return Response(exchange_account_payload(self.account(request, account_id)))

    @extend_schema(request=ExchangeAccountUpdateSerializer, summary="Rename an exchange account",
                   responses={200: ExchangeAccountSerializer, 400: REFUSED, 404: NOT_FOUND})
    def patch(self, request: Request, account_id: int) -> Response:
        account = self.account(request, account_id)
        data = ExchangeAccountUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _venue_answer(lambda: exchange_account_update(account=account, label=data.validated_data["label"]),
                             exchange_account_payload)

    @extend_schema(responses={204: None, 404: NOT_FOUND}, summary="Delete an exchange account (the key is forgotten)")
    def delete(self, request: Request, account_id: int) -> Response:
        exchange_account_delete(account=self.account(request, account_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExchangeAccountVerifyApi(_OwnedAccountApi):
    throttle_classes = [ExchangeCallThrottle]

    @extend_schema(request=None, summary="Check the stored key against its venue again",
                   responses={200: ExchangeAccountSerializer, 400: REFUSED, 404: NOT_FOUND, 503: UNAVAILABLE})
    def post(self, request: Request, account_id: int) -> Response:
        account = self.account(request, account_id)
        return _venue_answer(lambda: exchange_account_verify(account=account), exchange_account_payload)


class ExchangeAccountBalanceApi(_OwnedAccountApi):
    throttle_classes = [ExchangeCallThrottle]

    @extend_schema(responses={200: BalancesSerializer, 400: REFUSED, 404: NOT_FOUND, 503: UNAVAILABLE},
                   summary="The account's USD-M wallet, read from its venue")
    def get(self, request: Request, account_id: int) -> Response:
        account = self.account(request, account_id)
        return _venue_answer(lambda: exchange_account_balances(account=account), balances_payload)
