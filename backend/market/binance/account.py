"""Account endpoints (SIGNED, USER_DATA): the futures account and the API key's permissions.

Reached as `client.account`, with the key passed per call (one client serves any number of keys):

    async with BinanceClient.from_settings(market="usdm") as client:
        account = await client.account.futures_account(credentials)     # GET /fapi/v2/account
    async with BinanceClient.from_settings(market="spot") as client:
        permissions = await client.account.api_restrictions(credentials)  # GET /sapi/v1/account/apiRestrictions

`apiRestrictions` is a wallet (SAPI) endpoint of the spot host (api.binance.com), so it needs a
spot client; USD-M's host does not serve it. Refusals arrive as the client's typed errors: a bad
key, signature or IP is `AuthenticationError` (-2014, -2015, -1022, 401), a clock outside
recvWindow (-1021) is re-measured and retried once by the client.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from market.binance.errors import DecodeError
from market.binance.schemas import _loads  # the one JSON reader of Binance bodies
from market.binance.signing import Credentials

if TYPE_CHECKING:
    from market.binance.client import BinanceClient

FUTURES_ACCOUNT_PATH = "/fapi/v2/account"
API_RESTRICTIONS_PATH = "/sapi/v1/account/apiRestrictions"


@dataclass(frozen=True)
class AssetBalance:
    asset: str
    wallet_balance: Decimal
    available_balance: Decimal
    unrealized_pnl: Decimal

    @property
    def is_zero(self) -> bool:
        return not (self.wallet_balance or self.available_balance or self.unrealized_pnl)


@dataclass(frozen=True)
class FuturesAccount:
    can_trade: bool
    assets: tuple[AssetBalance, ...]


@dataclass(frozen=True)
class ApiRestrictions:
    """What the key may do. Fields Binance leaves out read as False (never as allowed)."""

    ip_restrict: bool
    enable_reading: bool
    enable_withdrawals: bool
    enable_futures: bool
    enable_internal_transfer: bool
    permits_universal_transfer: bool


def _decimal(row: dict[str, Any], name: str, what: str) -> Decimal:
    try:
        return Decimal(str(row[name]))
    except (KeyError, InvalidOperation):
        raise DecodeError(f"{what}: missing or bad {name!r}", path=what) from None


def futures_account_decode(raw: bytes) -> FuturesAccount:
    body = _loads(raw, FUTURES_ACCOUNT_PATH)
    if not isinstance(body, dict) or not isinstance(body.get("assets"), list):
        raise DecodeError("account: no assets list", path=FUTURES_ACCOUNT_PATH)
    assets = []
    for row in body["assets"]:
        if not isinstance(row, dict) or not isinstance(row.get("asset"), str):
            raise DecodeError("account: an asset row without a name", path=FUTURES_ACCOUNT_PATH)
        assets.append(AssetBalance(
            asset=row["asset"],
            wallet_balance=_decimal(row, "walletBalance", FUTURES_ACCOUNT_PATH),
            available_balance=_decimal(row, "availableBalance", FUTURES_ACCOUNT_PATH),
            unrealized_pnl=_decimal(row, "unrealizedProfit", FUTURES_ACCOUNT_PATH),
        ))
    return FuturesAccount(can_trade=body.get("canTrade") is True, assets=tuple(assets))


def api_restrictions_decode(raw: bytes) -> ApiRestrictions:
    body = _loads(raw, API_RESTRICTIONS_PATH)
    if not isinstance(body, dict) or "enableWithdrawals" not in body:
        raise DecodeError("apiRestrictions: not a permissions object", path=API_RESTRICTIONS_PATH)

    def flag(name: str) -> bool:
        return body.get(name) is True

    return ApiRestrictions(
        ip_restrict=flag("ipRestrict"), enable_reading=flag("enableReading"),
        enable_withdrawals=flag("enableWithdrawals"), enable_futures=flag("enableFutures"),
        enable_internal_transfer=flag("enableInternalTransfer"),
        permits_universal_transfer=flag("permitsUniversalTransfer"),
    )


class AccountApi:
    def __init__(self, client: BinanceClient) -> None:
        self._client = client

    async def futures_account(self, credentials: Credentials) -> FuturesAccount:
        """The USD-M account (weight 5): balances per asset; fails with the key's refusal."""
        if self._client.venue.market != "usdm":
            raise ValueError("futures_account needs a USD-M client")
        return futures_account_decode(await self._client.get(FUTURES_ACCOUNT_PATH, credentials=credentials))

    async def api_restrictions(self, credentials: Credentials) -> ApiRestrictions:
        """The key's permissions (weight 1, spot host)."""
        if self._client.venue.market != "spot":
            raise ValueError("api_restrictions needs a spot client (SAPI lives on the spot host)")
        return api_restrictions_decode(await self._client.get(API_RESTRICTIONS_PATH, credentials=credentials))
