"""OpenID Connect sign-in, platform side: the user behind verified claims, and one-time sign-in codes.

The provider's callback ends in a browser redirect, and a URL is the wrong place for tokens (history,
logs, Referer). It carries a one-time code instead, which the dashboard trades for the token pair
with a POST: the code lives 60 s in Redis and a single GETDEL redeems it, so it works once.
"""
from __future__ import annotations

import hashlib
import secrets

import redis
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from accounts.oidc import OidcError
from accounts.services.users import EmailTaken, user_create

SIGN_IN_CODE_TTL_S = 60
_CODE_KEY = "accounts:oidc-sign-in-code:{}"


def oidc_user_get_or_create(*, claims: dict, provider_name: str) -> User:
    """The user whose email the provider asserts and has verified; created at the first sign-in.

    An existing account with that email (registered with a password, say) is signed in: the
    provider vouches for the address, so it is the same person. An unverified address is refused,
    since anyone could claim someone else's email at a provider that does not check it.
    """
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise OidcError(f"{provider_name} did not share your email address; allow the email permission and try again")
    # Some providers send the boolean as a string.
    if claims.get("email_verified") not in (True, "true"):
        raise OidcError(f"Your email address is not verified at {provider_name}; verify it there, then sign in again")
    email = email.strip().lower()
    user = User.objects.filter(username=email).first()
    if user is None:
        try:
            user = user_create(email=email, password=None)
        except EmailTaken:
            # Two callbacks for the same new user at once: the other one created it.
            user = User.objects.get(username=email)
        except ValidationError:
            raise OidcError(f"The email address {provider_name} gave cannot be used here") from None
    if not user.is_active:
        raise OidcError("This account is disabled")
    return user


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def _code_key(code: str) -> str:
    # The code itself is never stored: a Redis dump does not hand out sign-ins.
    return _CODE_KEY.format(hashlib.sha256(code.encode()).hexdigest())


def sign_in_code_issue(*, user: User) -> str:
    """A new one-time code that `sign_in_code_redeem` turns into `user` within 60 s, once."""
    code = secrets.token_urlsafe(32)
    _redis().set(_code_key(code), str(user.pk), ex=SIGN_IN_CODE_TTL_S, nx=True)
    return code


def sign_in_code_redeem(*, code: str) -> User | None:
    """The user of a valid code, which is thereby used up; None for an unknown, used or expired one."""
    user_id = _redis().getdel(_code_key(code))
    if user_id is None:
        return None
    return User.objects.filter(pk=int(user_id), is_active=True).first()
