"""Positions as the exchange has them (PositionSnapshot, kept by the stream and reconciliation)
and attributed to what opened them (trading/attribution.py over the stored fills).

Reads only. `positions_payload` is what `position_updated` events and the API carry: the
exchange's aggregate row of each (symbol, position side) with its tags' shares beside it.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from trading import payloads
from trading.attribution import FillIn, TagPosition, attribute
from trading.models import Fill, PositionSnapshot

ZERO = Decimal(0)


def positions_open(*, account) -> list[PositionSnapshot]:
    """The account's non-zero positions, by symbol then side."""
    return list(PositionSnapshot.objects.filter(account=account).exclude(amount=0).order_by("symbol", "position_side"))


def fills_attribution(*, account, symbols: Iterable[str] | None = None) -> dict[tuple[str, str, str], TagPosition]:
    """Every (symbol, position_side, tag) of the account's fills (of `symbols` if given)."""
    fills = Fill.objects.filter(account=account)
    if symbols is not None:
        fills = fills.filter(symbol__in=list(symbols))
    rows = fills.values_list("symbol", "position_side", "side", "quantity", "price", "realized_pnl", "commission",
                             "tag", "time_ms", "trade_id")
    return attribute(FillIn(*row) for row in rows)


def tag_payload(position: TagPosition, mark: Decimal | None) -> dict:
    """One tag's share of a leg (Decimals as exact strings, like every trading payload)."""
    text = payloads._text
    return {
        "tag": position.tag,
        "quantity": text(position.quantity),
        "entry_price": text(position.entry_price),
        "realized_pnl": text(position.realized_pnl),
        "own_realized_pnl": text(position.own_realized_pnl),
        "commission": text(position.commission),
        "unrealized_pnl": text(position.unrealized_pnl(mark)) if mark else None,
    }


def leg_attribution(attribution: dict, symbol: str, position_side: str, mark: Decimal | None) -> list[dict]:
    """The tags of one leg that hold something or realised something, oldest first."""
    leg = [p for (s, ps, _), p in attribution.items() if s == symbol and ps == position_side]
    leg.sort(key=lambda p: (p.quantity == 0, p.opened_seq, p.tag))
    return [tag_payload(p, mark) for p in leg if p.quantity or p.realized_pnl or p.own_realized_pnl]


def positions_payload(*, account, snapshots: list[PositionSnapshot] | None = None) -> list[dict]:
    """`position_payload` of each snapshot (the open ones by default) with its attribution."""
    if snapshots is None:
        snapshots = positions_open(account=account)
    attribution = fills_attribution(account=account, symbols={s.symbol for s in snapshots})
    return [payloads.position_payload(s, leg_attribution(attribution, s.symbol, s.position_side,
                                                         s.mark_price or None))
            for s in snapshots]


def realized_pnl_by_tag(*, account, symbol: str | None = None) -> dict[str, Decimal]:
    """Realised PnL per tag (the exchange's figures as attributed: their sum is the sum of
    realizedPnl over the account's trades, to the last decimal)."""
    totals: dict[str, Decimal] = {}
    for (_, _, tag), position in fills_attribution(account=account,
                                                   symbols=[symbol] if symbol else None).items():
        totals[tag] = totals.get(tag, ZERO) + position.realized_pnl
    return totals
