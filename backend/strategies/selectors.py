"""Reads, always through the owner: another user's strategy is simply not found."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Strategy, StrategyVersion


def strategies_of(*, owner) -> QuerySet[Strategy]:
    return Strategy.objects.filter(owner=owner)


def strategy_of(*, owner, strategy_id: int) -> Strategy:
    """`Strategy.DoesNotExist` when there is none of ``owner``'s with that id."""
    return strategies_of(owner=owner).get(pk=strategy_id)


def versions_of(*, strategy: Strategy) -> QuerySet[StrategyVersion]:
    return strategy.versions.order_by("-number")


def version_latest(*, strategy: Strategy) -> StrategyVersion | None:
    return versions_of(strategy=strategy).first()


def version_of(*, strategy: Strategy, number: int) -> StrategyVersion:
    return strategy.versions.get(number=number)


def runs_of(*, owner):
    from .models import StrategyRun

    return StrategyRun.objects.filter(owner=owner).select_related("version__strategy")


def run_of(*, owner, run_id: int):
    """`StrategyRun.DoesNotExist` when there is none of ``owner``'s with that id."""
    return runs_of(owner=owner).get(pk=run_id)


def run_pnl(*, run) -> dict:
    """Realised and unrealised PnL of the run's orders, from the trading attribution of tag s<run>."""
    from decimal import Decimal

    from trading.models import PositionSnapshot
    from trading.services.positions import fills_attribution

    realised, unrealised, commission = Decimal(0), Decimal(0), Decimal(0)
    attribution = fills_attribution(account=run.exchange_account, symbols=run.symbols)
    marks = {(p.symbol, p.position_side): p.mark_price or None
             for p in PositionSnapshot.objects.filter(account=run.exchange_account, symbol__in=run.symbols)}
    for (symbol, side, tag), position in attribution.items():
        if tag != run.tag:
            continue
        realised += position.realized_pnl
        commission += position.commission
        mark = marks.get((symbol, side))
        unrealised += position.unrealized_pnl(mark) if mark else 0
    return {"realized": str(realised), "unrealized": str(unrealised), "commission": str(commission)}
