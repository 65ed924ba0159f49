"""The public view of what a user owns: what the API answers and the private channel carries.
Never a key or a secret: only the key's last 4 characters and its fingerprint."""
from __future__ import annotations

from accounts.models import ExchangeAccount
from market.binance.account import AssetBalance


def exchange_account_payload(account: ExchangeAccount) -> dict:
    return {
        "id": account.id,
        "label": account.label,
        "venue": account.venue,
        "is_paper": account.is_paper,
        "api_key_last4": account.api_key_last4,
        "fingerprint": account.fingerprint,
        "status": account.status,
        "status_detail": account.status_detail,
        "verified_at": account.verified_at.isoformat().replace("+00:00", "Z") if account.verified_at else None,
        "warnings": list(account.warnings or []),
        "live_confirmed": account.live_confirmed,
        "created_at": account.created_at.isoformat().replace("+00:00", "Z"),
    }


def balances_payload(balances: list[AssetBalance]) -> dict:
    """Decimal values as plain decimal strings, as Binance sends them (no float, no exponent)."""
    return {
        "assets": [
            {"asset": b.asset, "wallet_balance": f"{b.wallet_balance:f}",
             "available_balance": f"{b.available_balance:f}", "unrealized_pnl": f"{b.unrealized_pnl:f}"}
            for b in balances
        ]
    }
