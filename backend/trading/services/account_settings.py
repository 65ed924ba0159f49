"""An exchange account's settings on the exchange: position mode (Hedge or One-way) and a symbol's
leverage. The exchange decides (Binance's rules: -4059 nothing to change, -4067 open orders, -4068
open positions); the platform records what it accepted."""
from __future__ import annotations

from market.binance.errors import PermanentError
from trading.exchange import exchange_call
from trading.models import PositionSnapshot, TradingState
from trading.selectors import risk_limits_of
from trading.services.risk import RiskRefused

ALREADY_IN_MODE = -4059


def position_mode_set(*, account, hedge: bool) -> TradingState:
    """Hedge Mode (`hedge`) or One-way Mode on the exchange, then in TradingState.

    -4059 means the exchange is already in that mode: the platform's record is corrected to it
    before the refusal goes back to the caller (who asked for a change that was not needed)."""
    try:
        exchange_call(account, lambda client, creds: client.trading.position_mode_set(creds, hedge=hedge))
    except PermanentError as exc:
        if exc.code == ALREADY_IN_MODE:
            TradingState.objects.update_or_create(account=account, defaults={"hedge_mode": hedge})
        raise
    state, _ = TradingState.objects.update_or_create(account=account, defaults={"hedge_mode": hedge})
    return state


def leverage_set(*, account, symbol: str, leverage: int) -> int:
    """The symbol's leverage on the exchange, at most the account's `max_leverage`; returns what the
    exchange set. The stored positions of the symbol take it at once (reconciliation would too)."""
    limits = risk_limits_of(account=account)
    if leverage > limits.max_leverage:
        raise RiskRefused(f"leverage {leverage}x is above this account's limit {limits.max_leverage}x", "max_leverage")
    accepted = exchange_call(account, lambda client, creds: client.trading.leverage_set(creds, symbol=symbol,
                                                                                        leverage=leverage))
    PositionSnapshot.objects.filter(account=account, symbol=symbol).update(leverage=accepted)
    return accepted
