"""run_trading waits out its dependencies' outages instead of exiting: with its Redis gone (no
events to browsers, no weight governor) it keeps following the user data stream and storing fills."""
from __future__ import annotations

import time

import pytest

from trading.models import Fill, Order
from trading.tests.harness import books_diff, sandbox_books, trading_process, wait_until
from trading.tests.stream_helpers import SYMBOL, market_order, owner_and_account
from trading.tests.test_run_trading_process import WAIT_S, _ready

pytestmark = pytest.mark.django_db(transaction=True)


def test_fills_are_stored_while_redis_is_away(sandbox_process, redis_server, tmp_path):
    _, account = owner_and_account(sandbox_process)
    process = trading_process(sandbox_process.url, tmp_path, REDIS_URL=redis_server.url)
    try:
        process.start()
        wait_until(lambda: _ready(account), timeout=WAIT_S, what="the startup reconciliation")
        redis_server.stop()
        market_order(account, side="BUY", qty="0.004", client_order_id="web_outage1")
        wait_until(lambda: Fill.objects.filter(account=account).exists(), timeout=WAIT_S, what="the fill")
        time.sleep(2)  # a publish or two has failed meanwhile
        assert process.alive
    finally:
        process.stop()
    assert Order.objects.get(account=account, client_order_id="web_outage1").status == "FILLED"
    assert books_diff(account, sandbox_books(account, sandbox_process.url, [SYMBOL])) == []
