"""Hedge Mode with two strategies on one symbol: s1 long, s2 long and short. Binance keeps one LONG
and one SHORT position; the platform splits them per tag. Every figure is checked against numbers
computed here from the sandbox's own `userTrades` (plain signed HTTP, harness/books.py) with
nothing but arithmetic: each tag's quantity, entry and realised PnL (the exchange's, and against
the tag's own entry), the legs against `positionRisk`, and the wallet against `/fapi/v2/balance`
and start + sum(realizedPnl) - sum(commission).

Each strategy only ever closes its own quantity here, so what each tag realised is exactly the
realizedPnl of its own closing fills on the exchange.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from trading.tests.harness import dec, proof_stack_start, wait_until
from trading.tests.harness.fixtures import *  # noqa: F401,F403 (the proofs' fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SYMBOL = "BTCUSDT"
START = Decimal(10_000)


def q8(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.00000001"), rounding=ROUND_HALF_UP)


class Hedge:
    def __init__(self, stack) -> None:
        self.stack, self.http, self.placed = stack, stack.http, []  # (Order, tag)

    def order(self, tag: str, side: str, position_side: str, quantity: str):
        from trading.models import Order

        run_id = int(tag[1:])
        order = self.stack.place("FILLED", side=side, position_side=position_side, quantity=Decimal(quantity),
                                 tag=tag, source="strategy", strategy_run_id=run_id)
        wait_until(lambda: Order.objects.get(id=order.id).status == "FILLED", timeout=60, what=f"{tag}'s order filled")
        self.placed.append((Order.objects.get(id=order.id), tag))

    def step(self) -> None:
        self.stack.sandbox.control("POST", "clock/step", {"candles": 2})

    def trades(self) -> list[dict]:
        """The exchange's trades, each with the tag of the order that made it."""
        tag_of = {o.exchange_order_id: tag for o, tag in self.placed}
        rows = self.http.get("/fapi/v1/userTrades", {"symbol": SYMBOL, "fromId": 0})
        for row in rows:
            row["tag"] = tag_of[row["orderId"]]
        return rows

    def expected(self, trades: list[dict]) -> dict[tuple[str, str], dict]:
        """(position side, tag) -> quantity, entry, realised (exchange's), own realised, commission,
        from the trades by hand: opening fills average the tag's own entry, closing fills take
        their realizedPnl and (price - own entry) x qty x direction."""
        out: dict[tuple[str, str], dict] = {}
        for t in sorted(trades, key=lambda r: (r["time"], r["id"])):
            key = (t["positionSide"], t["tag"])
            leg = out.setdefault(key, {"quantity": Decimal(0), "entry": Decimal(0), "realized": Decimal(0),
                                       "own": Decimal(0), "commission": Decimal(0)})
            qty, price = dec(t["qty"]), dec(t["price"])
            direction = 1 if t["positionSide"] == "LONG" else -1
            opens = (t["side"] == "BUY") == (direction == 1)
            leg["commission"] += dec(t["commission"])
            if opens:
                held = abs(leg["quantity"])
                leg["entry"] = (held * leg["entry"] + qty * price) / (held + qty)
                leg["quantity"] += direction * qty
            else:
                leg["realized"] += dec(t["realizedPnl"])
                leg["own"] += q8((price - leg["entry"]) * qty * direction)
                leg["quantity"] -= direction * qty
                if not leg["quantity"]:
                    leg["entry"] = Decimal(0)
        return out


def attribution_matches(account, expected: dict) -> None:
    from trading.services.positions import fills_attribution

    got = fills_attribution(account=account, symbols=[SYMBOL])
    for (position_side, tag), want in expected.items():
        pos = got[(SYMBOL, position_side, tag)]
        assert pos.quantity == want["quantity"], (position_side, tag, "quantity")
        assert pos.entry_price == want["entry"], (position_side, tag, "entry")
        assert pos.realized_pnl == want["realized"], (position_side, tag, "realized")
        assert pos.own_realized_pnl == want["own"], (position_side, tag, "own realized")
        assert pos.commission == want["commission"], (position_side, tag, "commission")
    assert {(ps, tag) for (_, ps, tag) in got} == set(expected)


def legs_match_position_risk(http, expected: dict) -> None:
    legs: dict[str, Decimal] = {}
    for (position_side, _), want in expected.items():
        legs[position_side] = legs.get(position_side, Decimal(0)) + want["quantity"]
    exchange = {row["positionSide"]: dec(row["positionAmt"])
                for row in http.get("/fapi/v2/positionRisk", {"symbol": SYMBOL}) if row["positionSide"] != "BOTH"}
    assert {side: amount for side, amount in exchange.items() if amount} == {s: q for s, q in legs.items() if q}


@pytest.fixture
def hedge(proof_stack):
    from trading.services.account_settings import position_mode_set

    stack = proof_stack_start(proof_stack)
    assert position_mode_set(account=stack.account, hedge=True).hedge_mode
    assert stack.http.get("/fapi/v1/positionSide/dual") == {"dualSidePosition": True}
    return Hedge(stack)


def test_two_strategies_long_and_short_on_one_symbol(hedge):
    from trading.models import BalanceSnapshot

    account = hedge.stack.account
    hedge.order("s1", "BUY", "LONG", "0.004")
    hedge.step()
    hedge.order("s2", "BUY", "LONG", "0.002")
    hedge.order("s2", "SELL", "SHORT", "0.003")
    hedge.step()
    hedge.order("s1", "SELL", "LONG", "0.002")  # s1 closes half of its own
    hedge.stack.recovered()

    trades = hedge.trades()
    expected = hedge.expected(trades)
    assert expected[("LONG", "s1")]["quantity"] == Decimal("0.002")
    assert expected[("LONG", "s2")]["quantity"] == Decimal("0.002")
    assert expected[("SHORT", "s2")]["quantity"] == Decimal("-0.003")
    attribution_matches(account, expected)
    legs_match_position_risk(hedge.http, expected)

    hedge.step()
    hedge.order("s2", "SELL", "LONG", "0.002")
    hedge.order("s2", "BUY", "SHORT", "0.003")
    hedge.order("s1", "SELL", "LONG", "0.002")
    hedge.stack.recovered()
    hedge.stack.check_fates()

    trades = hedge.trades()
    expected = hedge.expected(trades)
    assert all(want["quantity"] == 0 for want in expected.values())
    attribution_matches(account, expected)
    legs_match_position_risk(hedge.http, expected)

    realized = sum(dec(t["realizedPnl"]) for t in trades)
    commission = sum(dec(t["commission"]) for t in trades)
    assert realized == sum(want["realized"] for want in expected.values())
    # Flat again: what each tag realised against its own entry adds up to the exchange's total
    # (each piece is rounded to 8 decimals, so to within a few units of 1e-8 — far inside a cent).
    assert abs(sum(want["own"] for want in expected.values()) - realized) <= Decimal("0.00000010")
    wallet = dec(next(r for r in hedge.http.get("/fapi/v2/balance") if r["asset"] == "USDT")["balance"])
    assert wallet == START + realized - commission
    hedge.stack.recovered()
    wait_until(lambda: BalanceSnapshot.objects.filter(account=account, asset="USDT", wallet_balance=wallet).exists(),
               timeout=30, what="the platform's wallet to match the exchange's")
