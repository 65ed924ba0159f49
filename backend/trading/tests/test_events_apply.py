"""User data stream events applied to the platform's records: the real events of the sandbox
process, applied once, twice and in reverse order, always ending in the sandbox's own books
(harness.books_diff: allOrders and userTrades fetched with plain signed HTTP)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from market.binance.user_stream import AccountUpdate, OrderUpdate
from trading.client_ids import client_order_id_new
from trading.models import BalanceSnapshot, Fill, Order, PositionSnapshot
from trading.services.events import account_update_apply, order_update_apply
from trading.tests.harness import books_diff, sandbox_books
from trading.tests.stream_helpers import SYMBOL, events_while, owner_and_account

pytestmark = pytest.mark.django_db(transaction=True)


def apply_all(account, events) -> None:
    for event in events:
        if isinstance(event, OrderUpdate):
            order_update_apply(account=account, update=event)
        elif isinstance(event, AccountUpdate):
            account_update_apply(account=account, update=event)


def records(account) -> dict:
    """Everything the appliers write, as plain values (ids and timestamps of the rows aside)."""
    return {
        "orders": list(Order.objects.filter(account=account).order_by("client_order_id").values(
            "client_order_id", "exchange_order_id", "tag", "source", "status", "executed_qty", "avg_price",
            "cum_quote", "exchange_update_ms", "quantity", "side", "position_side", "type")),
        "fills": list(Fill.objects.filter(account=account).order_by("trade_id").values(
            "trade_id", "exchange_order_id", "order__client_order_id", "price", "quantity", "quote_quantity",
            "commission", "realized_pnl", "tag", "time_ms")),
        "positions": list(PositionSnapshot.objects.filter(account=account).order_by("symbol", "position_side").values(
            "symbol", "position_side", "amount", "entry_price", "update_time_ms")),
        "balances": list(BalanceSnapshot.objects.filter(account=account).values("asset", "wallet_balance")),
    }


def test_events_applied_twice_change_nothing_and_equal_the_books(sandbox_process):
    _, account = owner_and_account(sandbox_process)
    ours = client_order_id_new("m")
    events = events_while(sandbox_process, account, [
        {"side": "BUY", "quantity": Decimal("0.010"), "client_order_id": ours},
        {"side": "SELL", "quantity": Decimal("0.004"), "client_order_id": "web_evt1b"},
    ])
    apply_all(account, events)
    first = records(account)
    apply_all(account, events)
    assert records(account) == first

    books = sandbox_books(account, sandbox_process.url, [SYMBOL])
    assert books_diff(account, books) == []
    assert len(first["fills"]) == len(books.trades) == 2
    rows = {o["client_order_id"]: o for o in first["orders"]}
    assert (rows[ours]["tag"], rows[ours]["source"]) == ("m", "external")  # a platform id, placed elsewhere
    assert (rows["web_evt1b"]["tag"], rows["web_evt1b"]["source"]) == ("x", "external")
    assert {f["order__client_order_id"]: f["tag"] for f in first["fills"]} == {ours: "m", "web_evt1b": "x"}
    (position,) = [p for p in books.positions if p["symbol"] == SYMBOL]
    (snap,) = first["positions"]
    assert (snap["amount"], snap["entry_price"]) == (Decimal(position["positionAmt"]), Decimal(position["entryPrice"]))
    wallet = Decimal(books.balance["balance"])
    assert first["balances"] == [{"asset": "USDT", "wallet_balance": wallet}]


def test_events_in_reverse_order_end_in_the_same_state(sandbox_process):
    """A late NEW after FILLED, an older account update after a newer one: nothing moves back."""
    _, account = owner_and_account(sandbox_process)
    events = events_while(sandbox_process, account, [
        {"side": "BUY", "quantity": Decimal("0.006"), "client_order_id": "web_evt2a"},
        {"side": "BUY", "quantity": Decimal("0.002"), "client_order_id": "web_evt2b"},
    ])
    apply_all(account, reversed(events))
    backwards = records(account)
    assert books_diff(account, sandbox_books(account, sandbox_process.url, [SYMBOL])) == []
    apply_all(account, events)
    forwards = records(account)
    assert forwards["fills"] == backwards["fills"] and forwards["orders"] == backwards["orders"]
    assert [p["amount"] for p in forwards["positions"]] == [Decimal("0.008")]
