"""/api/auth/: register, login, refresh, logout, me. Thin: validate, call a service, answer JSON.

The sign-in endpoints take no credentials in headers (authentication_classes = []): a stale access
token a client still sends must not turn a login into a 401 from the token check.
"""
from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import throttles
from accounts.services.tokens import token_pair_issue
from accounts.services.users import EmailTaken, user_create, user_email_normalize, user_password_problems

# auth.User.username holds the email: 150 characters at most.
EMAIL_MAX_LENGTH = 150
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="api"'}


class AuthDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Access token (JWT, 5 minutes): `Authorization: Bearer <access>`")
    refresh = serializers.CharField(help_text="Refresh token (7 days, single use: each refresh rotates it)")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    date_joined = serializers.DateTimeField()
    is_staff = serializers.BooleanField()


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})

    def validate_email(self, value: str) -> str:
        from django.contrib.auth.models import User

        email = user_email_normalize(value)
        if User.objects.filter(username=email).exists():
            raise serializers.ValidationError("An account with this email already exists. Sign in or reset the password.")
        return email

    def validate(self, attrs: dict) -> dict:
        problems = user_password_problems(password=attrs["password"], email=attrs["email"])
        if problems:
            raise serializers.ValidationError({"password": problems})
        return attrs


class RegisteredSerializer(TokenPairSerializer):
    user = MeSerializer()


class LoginSerializer(serializers.Serializer):
    # Not an EmailField: accounts made before email sign-in (the demo admin) have plain usernames.
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField()


def me_data(user) -> dict:
    return MeSerializer({"id": user.pk, "email": user.email or user.username, "date_joined": user.date_joined,
                         "is_staff": user.is_staff}).data


class RegisterApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [throttles.RegisterIpThrottle, throttles.RegisterAccountThrottle]

    @extend_schema(request=RegisterSerializer, responses={201: RegisteredSerializer, 400: OpenApiResponse(
        description="Invalid email, password refused by the validators, or the email is taken")},
        summary="Create an account (email + password) and sign in")
    def post(self, request: Request) -> Response:
        body = RegisterSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            user = user_create(**body.validated_data)
        except EmailTaken:
            raise serializers.ValidationError({"email": ["An account with this email already exists. Sign in or reset the password."]}) from None
        return Response({"user": me_data(user), **token_pair_issue(user=user)}, status=status.HTTP_201_CREATED)


class LoginApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [throttles.LoginIpThrottle, throttles.LoginAccountThrottle]

    @extend_schema(request=LoginSerializer, responses={
        200: TokenPairSerializer,
        401: OpenApiResponse(AuthDetailSerializer, description="Wrong email or password"),
        429: OpenApiResponse(AuthDetailSerializer, description="Throttled or locked out; see Retry-After")},
        summary="Sign in with email and password")
    def post(self, request: Request) -> Response:
        body = LoginSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # The Django request, not DRF's: django-axes counts the failure on it and its middleware turns a
        # lockout into a 429 (accounts.throttles.lockout_response).
        django_request = request._request
        user = authenticate(request=django_request, username=user_email_normalize(body.validated_data["email"]),
                            password=body.validated_data["password"])
        if user is None:
            return Response({"detail": "Wrong email or password."}, status=status.HTTP_401_UNAUTHORIZED,
                            headers=UNAUTHORIZED_HEADERS)
        # What django.contrib.auth.login() announces, without a session: last_login is set and axes
        # clears this (account, IP) pair's failures.
        user_logged_in.send(sender=type(user), request=django_request, user=user)
        return Response(token_pair_issue(user=user))


class RefreshApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshSerializer, responses={
        200: TokenPairSerializer,
        401: OpenApiResponse(AuthDetailSerializer, description="Refresh token invalid, expired or already used")},
        summary="Trade a refresh token for a new pair (the old refresh token is blacklisted)")
    def post(self, request: Request) -> Response:
        body = RefreshSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        from django.contrib.auth.models import User

        try:
            pair = TokenRefreshSerializer().validate({"refresh": body.validated_data["refresh"]})
        except (TokenError, User.DoesNotExist):
            return Response({"detail": "The refresh token is invalid, expired or already used. Sign in again."},
                            status=status.HTTP_401_UNAUTHORIZED, headers=UNAUTHORIZED_HEADERS)
        return Response(pair)


class LogoutApi(APIView):
    # Holding the refresh token is the proof: a client whose access token expired can still log out.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshSerializer, responses={
        204: None, 401: OpenApiResponse(AuthDetailSerializer, description="Not a valid refresh token")},
        summary="Log out: blacklist the refresh token")
    def post(self, request: Request) -> Response:
        body = RefreshSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            RefreshToken(body.validated_data["refresh"]).blacklist()
        except TokenError:
            return Response({"detail": "The refresh token is invalid, expired or already used."},
                            status=status.HTTP_401_UNAUTHORIZED, headers=UNAUTHORIZED_HEADERS)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer, summary="The signed-in user")
    def get(self, request: Request) -> Response:
        return Response(me_data(request.user))
