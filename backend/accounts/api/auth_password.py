"""/api/auth/password/: change (signed in), reset by email (request a link, then confirm with it)."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import throttles
from accounts.api.auth import AuthDetailSerializer, TokenPairSerializer
from accounts.services.users import (
    ResetLinkInvalid,
    user_password_change,
    user_password_problems,
    user_password_reset_check,
    user_password_reset_confirm,
    user_password_reset_send,
)

_password = {"max_length": 128, "trim_whitespace": False, "style": {"input_type": "password"}}


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(**_password)
    new_password = serializers.CharField(**_password)

    def validate_old_password(self, value: str) -> str:
        if not self.context["user"].check_password(value):
            raise serializers.ValidationError("The current password is wrong.")
        return value

    def validate_new_password(self, value: str) -> str:
        problems = user_password_problems(password=value, user=self.context["user"])
        if problems:
            raise serializers.ValidationError(problems)
        return value


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(**_password)

    def validate(self, attrs: dict) -> dict:
        try:
            user = user_password_reset_check(uid=attrs["uid"], token=attrs["token"])
        except ResetLinkInvalid:
            raise serializers.ValidationError(
                {"detail": "This reset link is invalid, expired or already used. Ask for a new one."}) from None
        problems = user_password_problems(password=attrs["new_password"], user=user)
        if problems:
            raise serializers.ValidationError({"new_password": problems})
        return {**attrs, "user": user}


class PasswordChangeApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [throttles.PasswordChangeThrottle]

    @extend_schema(request=PasswordChangeSerializer, responses={
        200: OpenApiResponse(TokenPairSerializer, description="A new pair; every other refresh token is blacklisted"),
        400: OpenApiResponse(description="Wrong current password, or the new one is refused by the validators")},
        summary="Change the password (signs out every other session)")
    def post(self, request: Request) -> Response:
        body = PasswordChangeSerializer(data=request.data, context={"user": request.user})
        body.is_valid(raise_exception=True)
        return Response(user_password_change(user=request.user, new_password=body.validated_data["new_password"]))


class PasswordResetApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [throttles.ResetIpThrottle, throttles.ResetAccountThrottle]

    @extend_schema(request=PasswordResetSerializer, responses={
        204: OpenApiResponse(description="Always, whether an account has this email or not"),
        429: OpenApiResponse(AuthDetailSerializer, description="Throttled; see Retry-After")},
        summary="Mail a password reset link to the account's email")
    def post(self, request: Request) -> Response:
        body = PasswordResetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user_password_reset_send(email=body.validated_data["email"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetConfirmApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [throttles.ResetConfirmIpThrottle]

    @extend_schema(request=PasswordResetConfirmSerializer, responses={
        204: OpenApiResponse(description="Password set; every session of the account is signed out"),
        400: OpenApiResponse(description="Bad, expired or used link, or the password is refused by the validators")},
        summary="Set a new password with the uid and token of a reset link")
    def post(self, request: Request) -> Response:
        body = PasswordResetConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user_password_reset_confirm(user=body.validated_data["user"], new_password=body.validated_data["new_password"])
        return Response(status=status.HTTP_204_NO_CONTENT)
