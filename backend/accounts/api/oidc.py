"""`/api/auth/providers/` and `/api/auth/oidc/...`: sign in with the OpenID Connect provider.

login and callback are browser navigations, not JSON calls: they answer with redirects, and every
failure lands on `/sign-in?error=<message>`. The callback ends on `/auth/callback?code=...`, the
dashboard page that trades the one-time code for the token pair at `exchange`.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.signals import user_logged_in
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import oidc
from accounts.services.oidc_sign_in import oidc_user_get_or_create, sign_in_code_issue, sign_in_code_redeem
from accounts.services.tokens import token_pair_issue

NEXT_MAX_LENGTH = 2000


def _next_path(value: str | None) -> str:
    # Only a path on this site: `next` must never send a freshly signed-in user elsewhere.
    if (
        value
        and len(value) <= NEXT_MAX_LENGTH
        and value.startswith("/")
        and url_has_allowed_host_and_scheme(value, allowed_hosts=None)
    ):
        return value
    return "/"


def _sign_in_error(message: str, next_path: str) -> HttpResponseRedirect:
    query = {"error": message}
    if next_path != "/":
        query["next"] = next_path
    return HttpResponseRedirect(f"/sign-in?{urlencode(query)}")


class AnonymousView(APIView):
    # These views are how one gets signed in: no credentials, whatever the API's defaults are.
    authentication_classes: list = []
    permission_classes = [AllowAny]


class SignInProviderSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    login_url = serializers.CharField()


class SignInProvidersSerializer(serializers.Serializer):
    providers = SignInProviderSerializer(many=True)


class ProvidersView(AnonymousView):
    @extend_schema(
        summary="Sign-in providers",
        description="The OpenID Connect provider of the \"Sign in with ...\" button; an empty list when none is configured.",
        responses=SignInProvidersSerializer,
    )
    def get(self, request):
        config = oidc.provider_config()
        providers = []
        if config is not None:
            providers.append(
                {"id": oidc.PROVIDER_ID, "name": config.provider_name, "login_url": reverse("auth-oidc-login")}
            )
        return Response({"providers": providers})


_REDIRECT = OpenApiResponse(description="A redirect (Location header) for the browser to follow")


class OidcLoginView(AnonymousView):
    @extend_schema(
        summary="Start signing in with the OpenID Connect provider",
        parameters=[OpenApiParameter("next", str, description="Path to open after signing in")],
        responses={302: _REDIRECT},
    )
    def get(self, request):
        next_path = _next_path(request.GET.get("next"))
        # The provider sends the browser back to the host it left from, where its session cookie is.
        redirect_uri = request.build_absolute_uri(reverse("auth-oidc-callback"))
        try:
            url = oidc.authorization_url(request, redirect_uri=redirect_uri, next_path=next_path)
        except oidc.OidcError as exc:
            return _sign_in_error(str(exc), next_path)
        return HttpResponseRedirect(url)


class OidcCallbackView(AnonymousView):
    @extend_schema(
        summary="The OpenID Connect provider's redirect back to the platform",
        parameters=[OpenApiParameter("code", str), OpenApiParameter("state", str), OpenApiParameter("error", str)],
        responses={302: _REDIRECT},
    )
    def get(self, request):
        try:
            claims, next_path = oidc.callback_claims(request)
            user = oidc_user_get_or_create(claims=claims, provider_name=oidc.provider_config().provider_name)
        except oidc.OidcError as exc:
            return _sign_in_error(str(exc), "/")
        code = sign_in_code_issue(user=user)
        return HttpResponseRedirect(f"/auth/callback?{urlencode({'code': code, 'next': next_path})}")


class ExchangeSerializer(serializers.Serializer):
    # The codes are URL-safe base64 (secrets.token_urlsafe): anything else is not one of ours.
    code = serializers.RegexField(r"^[A-Za-z0-9_-]+$", max_length=200)


class OidcExchangeView(AnonymousView):
    @extend_schema(
        summary="Trade a one-time sign-in code for the platform's token pair",
        request=ExchangeSerializer,
        responses={
            200: inline_serializer("SignInTokens", {"access": serializers.CharField(), "refresh": serializers.CharField()}),
            400: OpenApiResponse(description="Unknown, used or expired code"),
        },
    )
    def post(self, request):
        serializer = ExchangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = sign_in_code_redeem(code=serializer.validated_data["code"])
        if user is None:
            return Response({"detail": "This sign-in code is unknown, used or expired; please sign in again"}, status=400)
        # As the password sign-in does: last_login, and django-axes' access log.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        return Response(token_pair_issue(user=user))
