"""Exchange accounts: create, verify, relabel, delete; the paper account every user gets."""
from __future__ import annotations


def paper_account_ensure(*, user):
    """Give `user` a paper account on the sandbox if they have none (idempotent).

    Never raises because the sandbox is unreachable: the account is then created on a later call.
    """
    return None
