"""Reads of the accounts app. Everything a user owns is looked up through its owner, so another
user's id finds nothing (the API answers 404, never 403: ids are not confirmed to exist)."""
from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from accounts.models import ExchangeAccount


def exchange_accounts_of(*, user: User) -> QuerySet[ExchangeAccount]:
    return ExchangeAccount.objects.filter(owner=user).order_by("-is_paper", "created_at", "id")


def exchange_account_of(*, user: User, account_id: int) -> ExchangeAccount | None:
    return exchange_accounts_of(user=user).filter(id=account_id).first()


def paper_account_of(*, user: User) -> ExchangeAccount | None:
    return ExchangeAccount.objects.filter(owner=user, is_paper=True).first()
