"""What a user's key may do on its venue, asked of the venue itself (market/binance/account.py).

* every venue: `GET /fapi/v2/account` must succeed (the key exists, the signature checks, futures
  are enabled for it);
* `live` also: `GET /sapi/v1/account/apiRestrictions`; a key that can withdraw is refused (the
  platform never needs it, and a leaked key that can withdraw empties the account), a key
  without an IP restriction is accepted with a warning.

Failures become two exceptions the API turns into answers: `KeyRefused` (the venue said no:
400 with Binance's code and message) and `VenueUnavailable` (no answer worth trusting: 503).
Requests run with a short timeout and two tries: someone is waiting for the answer.
"""
from __future__ import annotations

import dataclasses

from asgiref.sync import async_to_sync
from django.conf import settings

from market.binance.account import AssetBalance
from market.binance.client import BinanceClient
from market.binance.errors import AuthenticationError, BinanceError, DecodeError, PermanentError
from market.binance.retry import RetryPolicy
from market.binance.signing import Credentials
from market.binance.venues import Venue, venue_for

REQUEST_TIMEOUT_S = 5.0
RETRY = RetryPolicy(attempts=2, base_s=0.2, cap_s=1.0, rate_limited_attempts=2, banned_attempts=1)

WITHDRAWALS_REFUSED = (
    "This API key can withdraw funds. The platform never withdraws: create a key with withdrawals "
    "disabled (Binance API Management, \"Enable Withdrawals\" off) and add that one instead."
)
NO_IP_RESTRICTION = (
    "This API key is not restricted to trusted IP addresses: anyone who obtains it can use it from "
    "anywhere. Restrict it to this server's IP addresses in Binance API Management."
)


class KeyRefused(Exception):
    """The venue refused the key, or the key may do what the platform does not accept."""


class VenueUnavailable(Exception):
    """The venue did not answer (down, timing out, rate limiting us): nothing can be concluded."""


def venue_of(name: str, market: str) -> Venue:
    """Where a user's account on `name` is reached; `settings.EXCHANGE_ACCOUNT_REST_URLS` may
    point a venue elsewhere: a base URL, or "sandbox" for the sandbox exchange the platform uses
    (the test settings do so for testnet and live: the suite never calls the real Binance)."""
    conf = settings.BINANCE
    venue = venue_for(name, market, sandbox_url=conf.sandbox_url, sandbox_ws_url=conf.sandbox_ws_url)
    override = settings.EXCHANGE_ACCOUNT_REST_URLS.get(name)
    if override == "sandbox":
        override = conf.sandbox_url
    if override:
        venue = dataclasses.replace(venue, rest_url=override.rstrip("/"))
    return venue


def _client(name: str, market: str) -> BinanceClient:
    return BinanceClient.from_settings(venue=venue_of(name, market), retry=RETRY,
                                       timeout_s=min(REQUEST_TIMEOUT_S, settings.BINANCE.request_timeout_ms / 1000))


def _translate(exc: BinanceError, venue: str) -> Exception:
    # A refusal (bad key, signature, IP, permissions, or any other 4xx with a code) is the key's
    # fault; anything else (timeouts, 5xx, 429/418, a body we cannot read) says nothing about it.
    if isinstance(exc, AuthenticationError) or (isinstance(exc, PermanentError) and not isinstance(exc, DecodeError)):
        message = exc.args[0] if exc.args else ""
        detail = f"code {exc.code}" if exc.code is not None else f"HTTP {exc.status}"
        return KeyRefused(f"Binance rejected the key: {message} ({detail})")
    return VenueUnavailable(f"The {venue} exchange could not be reached ({type(exc).__name__}); try again in a moment.")


async def _check(name: str, credentials: Credentials) -> list[str]:
    async with _client(name, "usdm") as client:
        await client.account.futures_account(credentials)
    if name != "live":
        return []
    async with _client(name, "spot") as spot:
        permissions = await spot.account.api_restrictions(credentials)
    if permissions.enable_withdrawals:
        raise KeyRefused(WITHDRAWALS_REFUSED)
    return [] if permissions.ip_restrict else [NO_IP_RESTRICTION]


def key_check(*, venue: str, credentials: Credentials) -> list[str]:
    """Ask `venue` about the key; returns warnings (empty: all good). Raises KeyRefused or
    VenueUnavailable."""
    try:
        return async_to_sync(_check)(venue, credentials)
    except BinanceError as exc:
        raise _translate(exc, venue) from None


async def _balances(name: str, credentials: Credentials) -> list[AssetBalance]:
    async with _client(name, "usdm") as client:
        account = await client.account.futures_account(credentials)
    return [a for a in account.assets if not a.is_zero]


def balances_fetch(*, venue: str, credentials: Credentials) -> list[AssetBalance]:
    """The USD-M wallet per asset (assets with anything in them). Raises KeyRefused or VenueUnavailable."""
    try:
        return async_to_sync(_balances)(venue, credentials)
    except BinanceError as exc:
        raise _translate(exc, venue) from None
