"""Reconciliation against the real sandbox: what happened while no stream was watching is found,
corrected and recorded with its diff; a second pass finds nothing; a run left running by a crash
is marked failed by the next."""
from __future__ import annotations

from decimal import Decimal

import pytest

from trading.models import Fill, Order, PositionSnapshot, ReconciliationRun, TradingState
from trading.services.reconciliation import reconcile
from trading.tests.harness import books_diff, sandbox_books
from trading.tests.stream_helpers import SYMBOL, market_order, owner_and_account

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_fill_made_while_the_process_was_down_is_found(sandbox_process):
    _, account = owner_and_account(sandbox_process)
    assert reconcile(account=account, trigger="startup").status == "clean"
    placed = market_order(account, side="BUY", qty="0.005", client_order_id="web_down1")

    run = reconcile(account=account, trigger="startup")

    books = sandbox_books(account, sandbox_process.url, [SYMBOL])
    ((trade_key, trade),) = books.trades.items()
    assert run.status == "corrected"
    kinds = {(d["kind"], d["action"]) for d in run.diffs}
    assert {("fill", "inserted"), ("order", "created"), ("position", "corrected")} <= kinds
    fill_diff = next(d for d in run.diffs if d["kind"] == "fill")
    assert fill_diff["key"] == f"{SYMBOL}#{trade['id']}" and fill_diff["platform"] is None
    assert books_diff(account, books) == []
    order = Order.objects.get(account=account, client_order_id="web_down1")
    assert (order.exchange_order_id, order.status, order.source) == (placed.order_id, "FILLED", "external")
    assert Fill.objects.get(account=account).order == order
    state = TradingState.objects.get(account=account)
    assert state.last_trade_ids == {SYMBOL: trade["id"]} and state.last_reconciled_at is not None

    again = reconcile(account=account, trigger="periodic")
    assert (again.status, again.diffs) == ("clean", [])


def test_a_position_changed_behind_the_platforms_back_is_corrected_with_its_diff(sandbox_process):
    _, account = owner_and_account(sandbox_process)
    market_order(account, side="BUY", qty="0.010", client_order_id="web_back1")
    reconcile(account=account, trigger="startup")
    before = PositionSnapshot.objects.get(account=account, symbol=SYMBOL)
    assert before.amount == Decimal("0.010")

    market_order(account, side="SELL", qty="0.004", client_order_id="web_back2")  # with the key, elsewhere
    run = reconcile(account=account, trigger="periodic")

    books = sandbox_books(account, sandbox_process.url, [SYMBOL])
    (row,) = [p for p in books.positions if p["symbol"] == SYMBOL]
    assert Decimal(row["positionAmt"]) == Decimal("0.006")
    (diff,) = [d for d in run.diffs if d["kind"] == "position"]
    assert diff == {"kind": "position", "key": f"{SYMBOL} BOTH", "field": "amount",
                    "platform": f"{before.amount} @ {before.entry_price}",
                    "exchange": f"{Decimal(row['positionAmt'])} @ {Decimal(row['entryPrice'])}",
                    "action": "corrected"}
    after = PositionSnapshot.objects.get(account=account, symbol=SYMBOL)
    assert (after.amount, after.entry_price) == (Decimal(row["positionAmt"]), Decimal(row["entryPrice"]))
    assert books_diff(account, books) == []
    assert ReconciliationRun.objects.get(pk=run.pk).status == "corrected"


def test_a_run_left_running_by_a_crash_is_marked_failed_by_the_next(sandbox_process):
    _, account = owner_and_account(sandbox_process)
    crashed = ReconciliationRun.objects.create(account=account, trigger="periodic", status="running")
    run = reconcile(account=account, trigger="manual")
    crashed.refresh_from_db()
    assert crashed.status == "failed" and crashed.finished_at is not None and "interrupted" in crashed.error
    assert run.status == "clean"


def test_two_passes_at_once_take_turns_and_store_each_fill_once(sandbox_process):
    import threading

    from django.db import connection

    _, account = owner_and_account(sandbox_process)
    market_order(account, side="BUY", qty="0.004", client_order_id="web_race1")
    market_order(account, side="SELL", qty="0.002", client_order_id="web_race2")
    runs, barrier = [], threading.Barrier(2)

    def one_pass():
        try:
            barrier.wait()
            runs.append(reconcile(account=account, trigger="manual"))
        finally:
            connection.close()

    threads = [threading.Thread(target=one_pass) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(run.status for run in runs) == ["clean", "corrected"]  # the second found nothing left
    inserted = [d for run in runs for d in run.diffs if d["kind"] == "fill"]
    assert len(inserted) == Fill.objects.filter(account=account).count() == 2
    assert books_diff(account, sandbox_books(account, sandbox_process.url, [SYMBOL])) == []


def test_an_entry_whose_answer_was_lost_is_found_filled_and_its_protection_sent(sandbox_process):
    from trading.services.orders import order_create
    from trading.tests.stream_helpers import on_exchange

    _, account = owner_and_account(sandbox_process)
    mark = on_exchange(account, lambda c, k: c.trading.position_risk(k, SYMBOL))[0].mark_price
    entry = order_create(account=account, symbol=SYMBOL, side="BUY", type="MARKET", quantity=Decimal("0.002"),
                         stop_loss_price=(mark * Decimal("0.9")).quantize(Decimal("0.1")),
                         take_profit_price=(mark * Decimal("1.1")).quantize(Decimal("0.1")), send=False)
    # A sender claimed it and the request left; the process died before the answer was stored.
    Order.objects.filter(pk=entry.pk).update(status="SENDING")
    market_order(account, side="BUY", qty="0.002", client_order_id=entry.client_order_id)

    run = reconcile(account=account, trigger="recovery")

    entry.refresh_from_db()
    assert entry.status == "FILLED" and Fill.objects.get(account=account).order == entry
    assert ("order", entry.client_order_id) in {(d["kind"], d["key"]) for d in run.diffs}
    children = Order.objects.filter(parent=entry)
    assert sorted(c.status for c in children) == ["NEW", "NEW"]
    algos = on_exchange(account, lambda c, k: c.trading.open_algo_orders(k, SYMBOL))
    assert sorted(a.client_algo_id for a in algos) == sorted(c.client_order_id for c in children)


def test_a_stop_that_triggered_unseen_is_attributed_to_its_entry_by_reconciliation(sandbox_process):
    """No stream watches: the ALGO_UPDATE naming the order a stop placed never arrives. The
    algo order's REST answer (`actualOrderId`) ties that order and its fill to the entry's tag."""
    from trading.services.orders import order_create, order_send
    from trading.tests.stream_helpers import on_exchange

    _, account = owner_and_account(sandbox_process)
    mark = on_exchange(account, lambda c, k: c.trading.position_risk(k, SYMBOL))[0].mark_price
    entry = order_create(account=account, symbol=SYMBOL, side="BUY", type="MARKET", quantity=Decimal("0.003"),
                         stop_loss_price=(mark * Decimal("0.999")).quantize(Decimal("0.1")),
                         take_profit_price=(mark * Decimal("1.001")).quantize(Decimal("0.1")), send=False)
    assert order_send(order_id=entry.pk).status == "FILLED"
    assert len(on_exchange(account, lambda c, k: c.trading.open_algo_orders(k, SYMBOL))) == 2

    for _ in range(400):  # the price walks until it crosses one of the two levels
        sandbox_process.step_candles(1)
        if len(on_exchange(account, lambda c, k: c.trading.open_algo_orders(k, SYMBOL))) < 2:
            break
    else:
        raise AssertionError("neither the stop-loss nor the take-profit triggered")
    positions = on_exchange(account, lambda c, k: c.trading.position_risk(k, SYMBOL))
    assert all(p.amount == 0 for p in positions)  # the triggered one closed the position

    reconcile(account=account, trigger="periodic")

    children = list(Order.objects.filter(account=account, parent__parent=entry).select_related("parent"))
    (closing,) = [c for c in children if c.status == "FILLED"]
    assert (closing.tag, closing.source, closing.parent.status) == ("m", "manual", "FILLED")
    (fill,) = Fill.objects.filter(order=closing)
    assert (fill.tag, fill.quantity, fill.side) == ("m", Decimal("0.003"), "SELL")
    assert not Fill.objects.filter(account=account).exclude(tag="m").exists()
    assert books_diff(account, sandbox_books(account, sandbox_process.url, [SYMBOL])) == []
