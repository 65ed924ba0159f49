"""The dead-man switch against the sandbox's countdownCancelAll (wall-clock timers, as Binance's):
renewed while run_trading lives, the resting order stays; after kill -9 the exchange cancels it."""
from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

from trading.exchange import account_credentials, client_for
from trading.services.deadman import DeadmanState, deadman_renew
from trading.services.orders import order_create, order_send
from trading.tests.harness import trading_process, wait_until
from trading.tests.stream_helpers import SYMBOL, on_exchange, owner_and_account

pytestmark = pytest.mark.django_db(transaction=True)
COUNTDOWN_S = 6  # renewed every 1 s: five seconds of slack on a loaded machine


def _open_ids(account) -> set[int]:
    return {o.order_id for o in on_exchange(account, lambda c, k: c.trading.open_orders(k, SYMBOL))}


def _resting_buy(account):
    """A LIMIT buy far under the market: it rests in the book."""
    mark = on_exchange(account, lambda c, k: c.trading.position_risk(k, SYMBOL))[0].mark_price
    order = order_create(account=account, symbol=SYMBOL, side="BUY", type="LIMIT", quantity=Decimal("0.002"),
                         price=(mark * Decimal("0.8")).quantize(Decimal("0.1")), send=False)
    order = order_send(order_id=order.pk)
    assert order.status == "NEW"
    return order


def test_renewal_arms_the_symbols_with_open_orders_and_disarms_the_others(sandbox_process):
    _, account = owner_and_account(sandbox_process)
    order = _resting_buy(account)

    async def rounds():
        async with client_for(account) as client:
            creds = account_credentials(account)
            state = await deadman_renew(client, creds, symbols={SYMBOL}, state=DeadmanState(), countdown_ms=2000)
            armed = set(state.armed)
            await deadman_renew(client, creds, symbols=set(), state=state)  # switched off again
            return armed, state

    armed, state = asyncio.run(rounds())
    assert armed == {SYMBOL} and state.armed == set() and (state.renewals, state.failures) == (2, 0)
    time.sleep(3)  # the countdown of 2 s was stopped: nothing is cancelled
    assert order.exchange_order_id in _open_ids(account)


def test_orders_live_while_the_process_renews_and_go_when_it_dies(sandbox_process, tmp_path):
    _, account = owner_and_account(sandbox_process)
    process = trading_process(sandbox_process.url, tmp_path, TRADING_DEADMAN_COUNTDOWN_S=str(COUNTDOWN_S),
                              TRADING_DEADMAN_RENEW_S="1")
    order = _resting_buy(account)
    try:
        process.start()
        time.sleep(COUNTDOWN_S * 2)  # two countdowns: renewals kept the order
        assert order.exchange_order_id in _open_ids(account)
        process.kill9()
        wait_until(lambda: order.exchange_order_id not in _open_ids(account), timeout=COUNTDOWN_S * 10,
                   what="the exchange to cancel the orders of a dead process")
    finally:
        process.stop()
