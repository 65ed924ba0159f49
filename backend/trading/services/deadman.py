"""The dead-man switch: while the trading process is alive it renews Binance's
`countdownCancelAll` for every symbol of an account with open orders. If the process dies (or
loses the network) the countdown runs out and the exchange cancels those orders itself, so no
order the platform can no longer watch stays in the book.

Binance's rules (POST /fapi/v1/countdownCancelAll): a countdown per (account, symbol); each call
restarts it; `countdownTime=0` switches it off. Renewed every `renew_s` (20 s) with a countdown
of `countdown_ms` (60 s): two renewals may fail before anything is cancelled.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from market.binance.errors import BinanceError
from trading.models import Order, OrderStatus

logger = logging.getLogger(__name__)

COUNTDOWN_MS = 60_000
RENEW_S = 20.0
# Orders that are, or may be, in the exchange's book.
LIVE_STATUSES = (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED, OrderStatus.SENDING, OrderStatus.UNKNOWN)


def deadman_symbols(*, account_id: int) -> set[str]:
    """Symbols where the account has orders that are (or may be) open on the exchange."""
    return set(Order.objects.filter(account_id=account_id, status__in=LIVE_STATUSES)
               .values_list("symbol", flat=True))


@dataclass
class DeadmanState:
    """What one account's renewals have armed (kept by the process between rounds)."""

    armed: set[str] = field(default_factory=set)
    renewals: int = 0
    failures: int = 0


async def deadman_renew(client, credentials, *, symbols: set[str], state: DeadmanState,
                        countdown_ms: int = COUNTDOWN_MS) -> DeadmanState:
    """Renew the countdown of `symbols`; switch it off for symbols armed before that have no open
    order any more. A failure is logged and counted; the next round tries again."""
    for symbol in sorted(symbols | state.armed):
        countdown = countdown_ms if symbol in symbols else 0
        try:
            await client.trading.countdown_cancel_all(credentials, symbol=symbol, countdown_ms=countdown)
        except BinanceError as exc:
            state.failures += 1
            logger.warning("dead-man switch: renewal for %s failed (%s)", symbol, exc)
            continue
        state.renewals += 1
        if countdown:
            state.armed.add(symbol)
        else:
            state.armed.discard(symbol)
    return state
