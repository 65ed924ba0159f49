"""Trading tasks (queue `trading`): ids in, one service call out. Each is safe to run twice: an
order is claimed by a conditional UPDATE before it is sent, reconciliation takes a lock per account.
A worker killed mid-task leaves nothing undecided: `orders_recover` (every reconciliation, and the
trading process's start) resolves half-sent orders by lookup and sends unclaimed ones."""
from __future__ import annotations

from celery import shared_task

from accounts.models import ExchangeAccount


@shared_task(name="trading.order_send", acks_late=True, ignore_result=True)
def order_send(order_id: int) -> str:
    from trading.services.orders import order_send as send

    return send(order_id=order_id).status


@shared_task(name="trading.reconcile_account", acks_late=True, ignore_result=True)
def reconcile_account(account_id: int, trigger: str = "periodic") -> str | None:
    from trading.services.orders import orders_recover
    from trading.services.reconciliation import ReconciliationBusy, reconcile

    account = ExchangeAccount.objects.filter(pk=account_id).first()
    if account is None:
        return None
    orders_recover(account=account)
    try:
        return reconcile(account=account, trigger=trigger).status
    except ReconciliationBusy:
        return "busy"


@shared_task(name="trading.reconcile_all", ignore_result=True)
def reconcile_all() -> int:
    """Beat, every 60 s: one reconciliation task per account that can trade."""
    from trading.process import accounts_active

    accounts = accounts_active()
    for account in accounts:
        reconcile_account.delay(account.pk, "periodic")
    return len(accounts)


@shared_task(name="trading.kill_switch", acks_late=True, ignore_result=True)
def kill_switch(account_id: int) -> None:
    from trading.services.kill_switch import kill_switch as kill

    account = ExchangeAccount.objects.filter(pk=account_id).first()
    if account is not None:
        kill(account=account)
