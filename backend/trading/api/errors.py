"""How the trading API answers a refusal: one place that turns the services' typed errors and the
exchange's refusals into 4xx/503 answers with a body a person can act on.

    400 {"detail", "field"}   the order itself is wrong (OrderInvalid: filters, precision, input)
    400 {"detail", "limit"}   a risk limit refused it before anything was sent (RiskRefused)
    409 {"detail", "limit"}   the account is paused (kill switch or daily loss): entries refused
    400 {"detail", "code"}    Binance refused the request (its code; the common ones explained)
    409 {"detail"}            the order or account is not in a state that allows the request
    429 / 503 + Retry-After   the exchange is rate limiting, banned or did not answer: nothing changed
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from accounts.crypto import DecryptionError
from accounts.models import AccountStatus, ExchangeAccount, Venue
from market.binance.errors import (
    AuthenticationError, BannedError, BinanceError, RateLimitedError, TemporaryError,
)
from trading.lifecycle import IllegalTransition
from trading.math import OrderInvalid
from trading.services.risk import AccountPaused, RiskRefused

logger = logging.getLogger(__name__)
T = TypeVar("T")

class AccountNotTradable(Exception):
    """The account may not trade: a live account without its owner's opt-in, or a key its venue refused."""


class NotTradable(APIException):
    """AccountNotTradable raised from a view: 400 {"detail"}."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "not_tradable"


def account_tradable_check(account: ExchangeAccount) -> None:
    """Paper (sandbox) accounts trade by default; testnet and live ones were added with a key their
    owner gave, and live ones only with the owner's explicit confirmation (accounts' `confirm_live`,
    also a database constraint). A key the venue refused on its last check trades nowhere."""
    if account.venue == Venue.LIVE and not account.live_confirmed:
        raise AccountNotTradable("This live account trades real money and its owner has not confirmed that: "
                                 "add it again with confirm_live.")
    if account.status == AccountStatus.FAILED:
        raise AccountNotTradable(f"{_venue_name(account)} refused this account's key on the last check"
                                 f"{': ' + account.status_detail if account.status_detail else ''}. "
                                 "Verify the account again once the key is fixed.")


def _venue_name(account: ExchangeAccount) -> str:
    return {"sandbox": "The sandbox exchange", "testnet": "Binance testnet", "live": "Binance"}.get(
        account.venue, "The exchange")


def binance_meaning(code: int | None, message: str, *, hedge: bool | None = None) -> str:
    """Binance's refusal in words a user can act on; its own message for the codes not listed."""
    if code == -4059:
        mode = {True: "Hedge", False: "One-way"}.get(hedge)
        return f"The position mode is already {mode} Mode." if mode else "The position mode is already the one asked for."
    if code == -4067:
        return "The position mode cannot change while the account has open orders: cancel them first."
    if code == -4068:
        return "The position mode cannot change while the account has open positions: close them first."
    if code == -4028:
        return "Binance does not accept this leverage for the symbol."
    if code == -2027:
        return "The position is too large for this leverage: reduce the position or the leverage."
    if code == -2019:
        return "Not enough margin for this order."
    if code == -1121:
        return "Binance does not know this symbol."
    return f"Binance refused the request: {message}"


def binance_error_answer(exc: BinanceError, *, hedge: bool | None = None) -> Response:
    message = getattr(exc, "message", None) or (exc.args[0] if exc.args else str(exc))
    if isinstance(exc, RateLimitedError):
        return Response({"detail": "The exchange is rate limiting this account: try again shortly."},
                        status=status.HTTP_429_TOO_MANY_REQUESTS,
                        headers={"Retry-After": str(max(1, int(exc.retry_after + 0.999)))})
    if isinstance(exc, (BannedError, TemporaryError)):
        return Response({"detail": "The exchange did not answer; nothing was changed. Try again shortly."},
                        status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "10"})
    if isinstance(exc, AuthenticationError):
        body = {"detail": f"The exchange refused this account's API key: {message}"}
    else:
        body = {"detail": binance_meaning(exc.code, message, hedge=hedge)}
    if exc.code is not None:
        body["code"] = exc.code
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def trading_answer(call: Callable[[], T], payload: Callable[[T], object], *, ok: int = status.HTTP_200_OK,
                   hedge: bool | None = None) -> Response:
    """Run one service call and answer with `payload(result)`, or with the refusal's answer."""
    try:
        result = call()
    except OrderInvalid as exc:
        return Response({"detail": exc.message, **({"field": exc.field} if exc.field else {})},
                        status=status.HTTP_400_BAD_REQUEST)
    except RiskRefused as exc:
        # A paused account (kill switch, daily loss limit) is a state to resume from, not a number to edit.
        code = status.HTTP_409_CONFLICT if isinstance(exc, AccountPaused) else status.HTTP_400_BAD_REQUEST
        return Response({"detail": exc.message, "limit": exc.limit}, status=code)
    except AccountNotTradable as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    except IllegalTransition as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    except DecryptionError:
        return Response({"detail": "This account's stored key cannot be decrypted (its encryption key was removed): "
                                   "delete the account and add the key again."}, status=status.HTTP_400_BAD_REQUEST)
    except BinanceError as exc:
        logger.info("trading request refused by the exchange: %s", exc)
        return binance_error_answer(exc, hedge=hedge)
    return Response(payload(result), status=ok)
