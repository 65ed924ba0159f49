"""Who may try how often: sign-in throttles (DRF, state in Redis) and django-axes' lockout answer.

Two independent limits stand in front of a password check:
- throttles count every request to login, registration and reset, per client IP (one machine spraying
  many accounts) and per account (many machines guessing one account), and answer 429 + Retry-After;
- django-axes counts failed logins per (account, IP) pair and locks that pair out for a while
  (settings.AXES_*), for the API login and the admin login alike.
"""
from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


def client_ip(request: HttpRequest) -> str:
    """The caller's address, for throttles and axes alike.

    REMOTE_ADDR as common.proxies.trusted_proxy_middleware (first in MIDDLEWARE) left it: the client
    behind a trusted proxy, the peer otherwise. X-Forwarded-For is never read here: a caller could
    write any address there and get a fresh throttle and lockout bucket per request.
    """
    return request.META.get("REMOTE_ADDR", "") or ""


def axes_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The username axes counts failures for: lower-cased, as accounts store it (admin form and API)."""
    value = (credentials or {}).get("username")
    if value is None:
        value = request.POST.get("username")
    return value.strip().lower() if isinstance(value, str) else value


class _ScopedThrottle(SimpleRateThrottle):
    """A DRF rate throttle whose rate is looked up at request time from DEFAULT_THROTTLE_RATES[scope]."""

    def get_rate(self) -> str | None:
        # DRF's own class copies the rates once at import; reading them here honours settings changes.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def key_for(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}

    @classmethod
    def for_scope(cls, scope: str) -> type[_ScopedThrottle]:
        """This throttle counting under `scope` (its rate: DEFAULT_THROTTLE_RATES[scope])."""
        return type(f"{cls.__name__}[{scope}]", (cls,), {"scope": scope})


class IpThrottle(_ScopedThrottle):
    def get_cache_key(self, request, view) -> str:
        return self.key_for(client_ip(request._request))


class AccountThrottle(_ScopedThrottle):
    """Keyed by the email in the request body, lower-cased and hashed (no addresses in Redis keys)."""

    def get_cache_key(self, request, view) -> str | None:
        data = request.data
        email = data.get("email") if hasattr(data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None  # nothing to count against: the serializer answers 400
        return self.key_for(hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32])


class UserThrottle(_ScopedThrottle):
    def get_cache_key(self, request, view) -> str | None:
        return self.key_for(str(request.user.pk)) if request.user.is_authenticated else None


# One class per scope: DRF takes throttle classes, and each scope has its own rate and counters.
LoginIpThrottle = IpThrottle.for_scope("login_ip")
LoginAccountThrottle = AccountThrottle.for_scope("login_account")
RegisterIpThrottle = IpThrottle.for_scope("register_ip")
RegisterAccountThrottle = AccountThrottle.for_scope("register_account")
ResetIpThrottle = IpThrottle.for_scope("reset_ip")
ResetAccountThrottle = AccountThrottle.for_scope("reset_account")
ResetConfirmIpThrottle = IpThrottle.for_scope("reset_confirm_ip")
PasswordChangeThrottle = UserThrottle.for_scope("password_change_user")


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """django-axes' answer to a locked-out login (settings.AXES_LOCKOUT_CALLABLE).

    429 with Retry-After: the seconds until the last counted failure of this (account, IP) pair leaves
    the cool-off window. JSON under /api/, plain text for the admin's form.
    """
    # Under ASGI, axes' middleware passes the credentials where the response goes; the request keeps them too.
    if credentials is None:
        credentials = getattr(request, "axes_credentials", None) or (
            original_response if isinstance(original_response, dict) else None)
    retry_after = _lockout_seconds_left(request, credentials)
    minutes = math.ceil(retry_after / 60)
    message = f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


def _lockout_seconds_left(request: HttpRequest, credentials: dict | None) -> int:
    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request) or timedelta(0)
    latest = None
    for attempts in AxesProxyHandler.get_implementation().get_user_attempts(request, credentials):
        for attempt_time in attempts.values_list("attempt_time", flat=True):
            latest = attempt_time if latest is None else max(latest, attempt_time)
    if latest is None:
        return max(1, math.ceil(cool_off.total_seconds()))
    return max(1, math.ceil((latest + cool_off - timezone.now()).total_seconds()))
