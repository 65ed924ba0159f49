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
