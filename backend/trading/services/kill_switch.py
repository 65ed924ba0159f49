"""The kill switch: stop everything on one exchange account now.

`kill_switch_request` (the API) pauses the account at once (entries refused from this moment) and
queues `trading.kill_switch`; `kill_switch` (the task, or a test) then cancels every open order and
conditional order on the exchange, closes every position with closing MARKET orders (tag "k",
exempt from the per-minute limit), and reconciles, so the platform's books show the account flat.
Strategies read `TradingState.paused` and stop opening positions. `trading_resume` lifts the pause.
"""
from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from accounts.services.exchange_accounts import exchange_account_event_publish
from trading.exchange import ExchangeSession
from trading.models import OrderSource, TradingState
from trading.services.orders import order_send, position_close

logger = logging.getLogger(__name__)


def _pause(*, account, reason: str) -> TradingState:
    with transaction.atomic():
        state, _ = TradingState.objects.select_for_update().get_or_create(account=account)
        state.paused, state.pause_reason, state.kill_switch_at = True, reason[:200], timezone.now()
        state.save(update_fields=["paused", "pause_reason", "kill_switch_at", "updated_at"])
        exchange_account_event_publish(account=account, change="paused")
    return state


def kill_switch_request(*, account, by=None) -> TradingState:
    from trading.tasks import kill_switch as kill_switch_task

    state = _pause(account=account, reason="kill switch")
    transaction.on_commit(lambda: kill_switch_task.delay(account.pk))
    return state


def kill_switch(*, account, by=None) -> None:
    from trading.services.reconciliation import reconcile

    _pause(account=account, reason="kill switch")
    with ExchangeSession(account) as ex:
        open_orders = ex.call(lambda c, creds: c.trading.open_orders(creds))
        open_algos = ex.call(lambda c, creds: c.trading.open_algo_orders(creds))
        for symbol in sorted({o.symbol for o in open_orders}):
            ex.call(lambda c, creds: c.trading.cancel_all(creds, symbol=symbol))
        for symbol in sorted({a.symbol for a in open_algos}):
            ex.call(lambda c, creds: c.trading.cancel_all_algo_orders(creds, symbol=symbol))
        legs = [r for r in ex.call(lambda c, creds: c.trading.position_risk(creds)) if r.amount]
        for leg in legs:
            order = position_close(account=account, symbol=leg.symbol, position_side=leg.position_side, tag="k",
                                   source=OrderSource.KILL_SWITCH, send=False, session=ex)
            order_send(order_id=order.pk, session=ex)
    logger.info("kill switch on account %s: %d orders, %d algo orders canceled, %d positions closed",
                account.pk, len(open_orders), len(open_algos), len(legs))
    reconcile(account=account, trigger="manual")


def trading_resume(*, account) -> TradingState:
    with transaction.atomic():
        state, _ = TradingState.objects.select_for_update().get_or_create(account=account)
        state.paused, state.pause_reason = False, ""
        state.save(update_fields=["paused", "pause_reason", "updated_at"])
        exchange_account_event_publish(account=account, change="resumed")
    return state
