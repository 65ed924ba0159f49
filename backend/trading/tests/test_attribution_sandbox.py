"""Attribution on the real sandbox, Hedge Mode: two tags share the LONG leg of one symbol, one of
them also holds the SHORT leg, and closes by the other tag. The platform learns the fills by
reconciliation; each tag's quantity, entry and realised PnL are checked against the sandbox's own
userTrades and positionRisk, and the sum over tags against the sum of realizedPnl to the last digit."""
from __future__ import annotations

from decimal import Decimal

import pytest

from trading.client_ids import client_order_id_new
from trading.services.positions import fills_attribution, positions_payload, realized_pnl_by_tag
from trading.services.reconciliation import reconcile
from trading.tests.harness import books_diff, sandbox_books
from trading.tests.stream_helpers import SYMBOL, market_order, on_exchange, owner_and_account

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def test_hedge_mode_two_tags_on_one_symbol_reconcile_to_the_cent(sandbox_process):
    _, account = owner_and_account(sandbox_process)
    on_exchange(account, lambda c, k: c.trading.position_mode_set(k, hedge=True))
    steps = [  # (tag, side, position side, quantity)
        ("s1", "BUY", "LONG", "0.010"),
        ("s2", "BUY", "LONG", "0.006"),
        ("s1", "SELL", "LONG", "0.004"),  # s1 closes its own
        ("s2", "SELL", "SHORT", "0.005"),  # s2 opens the SHORT leg
        ("s1", "BUY", "SHORT", "0.002"),  # s1 holds no short: it closes s2's
        ("s2", "SELL", "LONG", "0.006"),  # s2 closes its own long
    ]
    ids = []
    for tag, side, position_side, qty in steps:
        ids.append(market_order(account, side=side, qty=qty, client_order_id=client_order_id_new(tag),
                                position_side=position_side).order_id)
        sandbox_process.step_candles(3)  # the price moves between fills
    reconcile(account=account, trigger="manual")

    books = sandbox_books(account, sandbox_process.url, [SYMBOL])
    assert books_diff(account, books) == []
    trades = {row["orderId"]: row for row in books.trades.values()}
    price = {n: D(trades[i]["price"]) for n, i in enumerate(ids)}
    pnl = {n: D(trades[i]["realizedPnl"]) for n, i in enumerate(ids)}
    tags = fills_attribution(account=account)
    s1_long, s2_long = tags[(SYMBOL, "LONG", "s1")], tags[(SYMBOL, "LONG", "s2")]
    s1_short, s2_short = tags[(SYMBOL, "SHORT", "s1")], tags[(SYMBOL, "SHORT", "s2")]

    assert (s1_long.quantity, s1_long.entry_price, s1_long.realized_pnl) == (D("0.006"), price[0], pnl[2])
    assert s1_long.own_realized_pnl == ((price[2] - price[0]) * D("0.004")).quantize(D("0.00000001"))
    assert (s2_long.quantity, s2_long.realized_pnl) == (D(0), pnl[5])
    assert (s2_short.quantity, s2_short.entry_price, s2_short.realized_pnl) == (D("-0.003"), price[3], pnl[4])
    assert (s1_short.quantity, s1_short.realized_pnl) == (D(0), D(0))

    total = sum((D(row["realizedPnl"]) for row in books.trades.values()), D(0))
    by_tag = realized_pnl_by_tag(account=account)
    assert sum(by_tag.values(), D(0)) == total
    assert by_tag == {"s1": pnl[2], "s2": pnl[4] + pnl[5]}
    exchange = {row["positionSide"]: D(row["positionAmt"]) for row in books.positions}
    assert exchange == {"LONG": D("0.006"), "SHORT": D("-0.003")}
    fees = sum((D(row["commission"]) for row in books.trades.values()), D(0))
    assert D(books.balance["balance"]) == D(10000) + total - fees  # the wallet agrees

    payload = {p["position_side"]: p for p in positions_payload(account=account)}
    assert [(t["tag"], D(t["quantity"])) for t in payload["LONG"]["tags"]] == [("s1", D("0.006")), ("s2", D(0))]
    assert [(t["tag"], D(t["quantity"])) for t in payload["SHORT"]["tags"]] == [("s2", D("-0.003"))]
