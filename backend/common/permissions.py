"""Who may call what. The default (settings.REST_FRAMEWORK) is "signed in"; market-wide data says so explicitly."""
from __future__ import annotations

from django.conf import settings
from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import SAFE_METHODS, BasePermission


class PublicMarketData(BasePermission):
    """Market-wide data (signals, stats, performance, symbols, klines, scanner status, health).

    Readable by anyone while `settings.PUBLIC_MARKET_DATA` is true (the default), by signed-in users only
    when it is false. Never writable anonymously.
    """

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS and settings.PUBLIC_MARKET_DATA:
            return True
        return bool(request.user and request.user.is_authenticated)


class PublicAwareAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema; reads under PublicMarketData are documented as open to anonymous
    callers while PUBLIC_MARKET_DATA is true (drf-spectacular only knows AllowAny and its kin)."""

    def get_auth(self) -> list:
        auths = super().get_auth()
        public = any(isinstance(permission, PublicMarketData) for permission in self.view.get_permissions())
        if public and settings.PUBLIC_MARKET_DATA and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths
