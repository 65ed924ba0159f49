"""A manual entry with stop-loss and take-profit (conditional orders of the Algo Order service):
when one triggers, the exchange places a new order with an id of its own; run_trading ties that
order and its fill to the conditional order (tag, source, parent), so attribution keeps them."""
from __future__ import annotations

from decimal import Decimal

import pytest

from trading.models import Fill, Order
from trading.services.orders import order_create, order_send
from trading.tests.harness import trading_process, wait_until
from trading.tests.stream_helpers import SYMBOL, on_exchange, owner_and_account
from trading.tests.test_run_trading_process import WAIT_S, _ready

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_order_a_conditional_order_places_is_attributed_to_it(sandbox_process, tmp_path):
    _, account = owner_and_account(sandbox_process)
    process = trading_process(sandbox_process.url, tmp_path)
    try:
        process.start()
        wait_until(lambda: _ready(account), timeout=WAIT_S, what="the startup reconciliation")
        mark = on_exchange(account, lambda c, k: c.trading.position_risk(k, SYMBOL))[0].mark_price
        entry = order_create(account=account, symbol=SYMBOL, side="BUY", type="MARKET", quantity=Decimal("0.003"),
                             stop_loss_price=(mark * Decimal("0.999")).quantize(Decimal("0.1")),
                             take_profit_price=(mark * Decimal("1.001")).quantize(Decimal("0.1")), send=False)
        entry = order_send(order_id=entry.pk)
        assert entry.status == "FILLED"

        def one_triggered() -> bool:
            sandbox_process.step_candles(1)  # the price walks until it crosses one of the two levels
            return Order.objects.filter(account=account, is_algo=True, status="FILLED").exists()

        wait_until(one_triggered, timeout=WAIT_S, what="a stop-loss or take-profit to trigger")
        wait_until(lambda: Fill.objects.filter(account=account, order__parent__is_algo=True).exists(),
                   timeout=WAIT_S, what="the fill of the placed order")
    finally:
        process.stop()
    # The step may have crossed both levels: the second one's order finds the position closed.
    children = list(Order.objects.filter(account=account, parent__is_algo=True).select_related("parent"))
    assert children and all((c.tag, c.source) == ("m", "manual") for c in children)
    assert all(c.client_order_id != c.parent.client_order_id for c in children)  # the exchange's own ids
    (filled,) = [c for c in children if c.status == "FILLED"]
    (fill,) = Fill.objects.filter(order=filled)
    assert (fill.tag, fill.quantity) == ("m", Decimal("0.003"))
    assert Fill.objects.filter(account=account, tag="x").count() == 0
