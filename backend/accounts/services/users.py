"""Users: sign-up, password change and reset. The username IS the email, lower-cased; `email` holds the same."""
from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.services.exchange_accounts import paper_account_ensure
from accounts.services.tokens import token_pair_issue
from realtime.dispatcher import user_sockets_close

logger = logging.getLogger(__name__)

#: The 4401 reason private sockets get when the password changes or is reset.
SESSIONS_ENDED = "signed out: the password was changed"


class EmailTaken(Exception):
    """An account with this email exists already."""


class ResetLinkInvalid(Exception):
    """The reset link is malformed, expired, already used, or its account is gone or inactive."""


def user_email_normalize(email: str) -> str:
    return email.strip().lower()


def user_create(*, email: str, password: str | None = None) -> User:
    """A new user named by its email; after commit, its paper account on the sandbox.

    `password=None` (OIDC sign-up) leaves an unusable password. The password is not validated here:
    the API validates what a person typed. Raises EmailTaken, also when a concurrent sign-up wins the race.
    """
    email = user_email_normalize(email)
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=email, email=email, password=password)
    except IntegrityError:
        raise EmailTaken(email) from None
    transaction.on_commit(lambda: paper_account_ensure(user=user))
    return user


def user_password_change(*, user: User, new_password: str) -> dict[str, str]:
    """Set a new password, end every other session (refresh tokens) and return a fresh token pair."""
    _password_set(user=user, new_password=new_password, reason="password changed")
    return token_pair_issue(user=user)


def user_refresh_tokens_revoke(*, user: User) -> int:
    """Blacklist every refresh token issued to `user` that is not blacklisted yet; returns how many."""
    live = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True, expires_at__gt=timezone.now())
    return len(BlacklistedToken.objects.bulk_create([BlacklistedToken(token=t) for t in live], ignore_conflicts=True))


def user_password_reset_send(*, email: str) -> bool:
    """Mail a reset link to the active account with this email, if there is one.

    Accounts without a usable password (signed up through OpenID Connect) get no mail, as with Django's
    PasswordResetForm: their sign-in belongs to the provider. Returns whether a mail went out, for
    tests and logs only: the API answers the same either way (no account enumeration).
    """
    email = user_email_normalize(email)
    user = User.objects.filter(username=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = f"{settings.SITE_URL}/reset-password?uid={uid}&token={token}"
    try:
        _reset_mail_send(to=user.email or email, link=link)
    except (smtplib.SMTPException, OSError) as exc:
        # The caller still answers 204 (it must not tell who has an account); the operator sees why.
        logger.error("password reset mail for user %s not sent: %s", user.pk, type(exc).__name__)
        return False
    return True


def _reset_mail_send(*, to: str, link: str) -> None:
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    send_mail(
        subject="Reset your password",
        message=(
            f"Someone asked to reset the password of the account {to}.\n\n"
            f"To choose a new password, open this link within {hours} hour{'s' if hours != 1 else ''}:\n{link}\n\n"
            "If it was not you, ignore this mail: your password stays as it is."
        ),
        from_email=None,
        recipient_list=[to],
    )


def user_password_reset_check(*, uid: str, token: str) -> User:
    """The user a reset link is for; raises ResetLinkInvalid if the link cannot be used."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
        user = User.objects.get(pk=pk, is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        raise ResetLinkInvalid from None
    # The token hashes the password and last login: once used (or after a sign-in), it no longer checks.
    if not default_token_generator.check_token(user, token):
        raise ResetLinkInvalid
    return user


def user_password_reset_confirm(*, user: User, new_password: str) -> None:
    """Set the password chosen through a reset link and end every session of the account."""
    _password_set(user=user, new_password=new_password, reason="password reset by email")


def _password_set(*, user: User, new_password: str, reason: str) -> None:
    with transaction.atomic():
        user.set_password(new_password)
        user._change_reason = reason  # shown in the admin's history of the user
        user.save(update_fields=["password"])
        user_refresh_tokens_revoke(user=user)
        # Open private sockets of the ended sessions close too (the changing client reconnects with
        # its new tokens). robust: Redis being away must not turn a saved change into a 500; such
        # sockets then close when their access token expires (5 min at most).
        user_id = user.id
        transaction.on_commit(lambda: user_sockets_close(user_id, reason=SESSIONS_ENDED), robust=True)


def user_password_problems(*, password: str, email: str | None = None, user: User | None = None) -> list[str]:
    """Django's password validators (settings.AUTH_PASSWORD_VALIDATORS); an empty list when it passes."""
    if user is None and email is not None:
        email = user_email_normalize(email)
        user = User(username=email, email=email)  # unsaved: lets the similarity check compare with the email
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        return list(exc.messages)
    return []
