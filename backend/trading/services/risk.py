"""Risk controls per exchange account, checked before any order leaves (`order_create` calls
`risk_check` inside its transaction, with the account's TradingState row locked, so two orders
checked at once cannot both pass a limit only one of them fits).

Exits (reduce-only, closePosition, Hedge Mode closing orders, One-way orders against the position
no larger than it) are always allowed: a paused account or one past its loss limit can still get
flat. Entries are refused when:

* the account is paused (kill switch, or the daily loss limit reached: it pauses the account);
* leverage > max_leverage;
* the position's notional after the order > max_position_notional (per symbol and side);
* the total notional of all positions after the order > max_total_notional;
* it would open one more position than max_open_positions;
* more than max_orders_per_minute orders were created in the last 60 s;
* the realised loss of the UTC day (realised PnL minus fees of today's fills) >= daily_loss_limit
  (`order_create` then pauses the account: strategies stop opening positions).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone as dt_timezone
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from trading.models import Fill, Order, OrderSource, PositionSnapshot, RiskLimits

ZERO = Decimal(0)


class RiskRefused(Exception):
    def __init__(self, message: str, limit: str) -> None:
        super().__init__(message)
        self.message, self.limit = message, limit


class AccountPaused(RiskRefused):
    """The account takes exits only (kill switch or daily loss limit)."""


@dataclass(frozen=True)
class Intent:
    symbol: str
    side: str
    position_side: str  # BOTH in One-way
    quantity: Decimal
    price: Decimal  # limit price, or the mark price for MARKET
    leverage: int
    is_exit: bool
    source: str


def order_is_exit(*, side: str, position_side: str, quantity: Decimal | None, position_amount: Decimal,
                  reduce_only: bool, close_position: bool) -> bool:
    """Does the order only reduce? `position_amount`: the signed amount of its (symbol, side) leg."""
    if reduce_only or close_position:
        return True
    if position_side == "LONG":
        return side == "SELL"
    if position_side == "SHORT":
        return side == "BUY"
    against = (side == "SELL" and position_amount > 0) or (side == "BUY" and position_amount < 0)
    return against and quantity is not None and quantity <= abs(position_amount)


def daily_realised_loss(*, account) -> Decimal:
    """Today's (UTC) realised loss: -(realised PnL - fees) of today's fills, 0 when in profit."""
    midnight = datetime.combine(timezone.now().astimezone(dt_timezone.utc).date(), time.min, tzinfo=dt_timezone.utc)
    totals = Fill.objects.filter(account=account, created_at__gte=midnight).aggregate(
        pnl=Sum("realized_pnl"), fees=Sum("commission"))
    net = (totals["pnl"] or ZERO) - (totals["fees"] or ZERO)
    return -net if net < 0 else ZERO


def risk_check(*, account, state, intent: Intent, positions: dict[tuple[str, str], tuple[Decimal, Decimal]]) -> None:
    """Raise RiskRefused for an order that breaks a limit. `state`: the locked TradingState;
    `positions`: {(symbol, position_side): (signed amount, mark price)} of the account now."""
    limits, _ = RiskLimits.objects.get_or_create(account=account)
    if intent.source == OrderSource.KILL_SWITCH:
        return
    recent = Order.objects.filter(account=account, created_at__gte=timezone.now() - timedelta(seconds=60)).count()
    if recent >= limits.max_orders_per_minute:
        raise RiskRefused(f"{recent} orders in the last minute: the limit is {limits.max_orders_per_minute}",
                          "max_orders_per_minute")
    if intent.is_exit:
        return
    if state.paused:
        raise AccountPaused(f"trading is paused on this account ({state.pause_reason or 'paused'}): "
                            f"only closing orders are accepted", "paused")
    if limits.daily_loss_limit is not None:
        loss = daily_realised_loss(account=account)
        if loss >= limits.daily_loss_limit:
            raise AccountPaused(f"today's realised loss {loss:.2f} USDT reached the daily limit "
                                f"{limits.daily_loss_limit:.2f} USDT: no new entries until tomorrow (UTC)",
                                "daily_loss_limit")
    if intent.leverage > limits.max_leverage:
        raise RiskRefused(f"leverage {intent.leverage}x is above this account's limit {limits.max_leverage}x",
                          "max_leverage")
    signed = intent.quantity if intent.side == "BUY" else -intent.quantity
    key = (intent.symbol, intent.position_side)
    amount, mark = positions.get(key, (ZERO, intent.price))
    after = abs(amount + signed) * intent.price
    if after > limits.max_position_notional:
        raise RiskRefused(f"the {intent.symbol} position would be worth {after:.2f} USDT: the limit is "
                          f"{limits.max_position_notional:.2f} USDT", "max_position_notional")
    total = after + sum(abs(a) * m for k, (a, m) in positions.items() if k != key)
    if total > limits.max_total_notional:
        raise RiskRefused(f"all positions would be worth {total:.2f} USDT: the limit is "
                          f"{limits.max_total_notional:.2f} USDT", "max_total_notional")
    open_legs = {k for k, (a, _) in positions.items() if a}
    if key not in open_legs and len(open_legs) >= limits.max_open_positions:
        raise RiskRefused(f"{len(open_legs)} positions are open: the limit is {limits.max_open_positions}",
                          "max_open_positions")


def positions_now(*, account, fresh: dict[tuple[str, str], tuple[Decimal, Decimal]]) -> dict:
    """The account's legs: the stored snapshots, overridden by what was just read from the exchange."""
    legs = {(p.symbol, p.position_side): (p.amount, p.mark_price or p.entry_price)
            for p in PositionSnapshot.objects.filter(account=account).exclude(amount=0)}
    legs.update(fresh)
    return legs


_LIMIT_FIELDS = ("max_leverage", "max_position_notional", "max_total_notional", "max_open_positions",
                 "max_orders_per_minute", "daily_loss_limit")


def risk_limits_update(*, account, **fields) -> RiskLimits:
    limits, _ = RiskLimits.objects.get_or_create(account=account)
    for name, value in fields.items():
        if name not in _LIMIT_FIELDS:
            raise ValueError(f"unknown risk limit {name!r}")
        setattr(limits, name, value)
    limits.save()
    return limits
