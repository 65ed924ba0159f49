"""Attribution per (symbol, position side, tag): hand-computed ledgers, and the sandbox's own ledger
(an independent implementation of the exchange's rules) as the reference for random sequences."""
from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.trading.ledger import Ledger
from trading.attribution import FillIn, attribute

S = "BTCUSDT"


def fill(tag, side, qty, price, *, ps="BOTH", pnl="0", fee="0", t=0):
    fill.n += 1
    return FillIn(symbol=S, position_side=ps, side=side, quantity=D(qty), price=D(price), realized_pnl=D(pnl),
                  commission=D(fee), tag=tag, time_ms=t or fill.n, trade_id=fill.n)


fill.n = 0


def test_hedge_two_tags_long_each_keep_their_own_entry_and_pnl():
    # LONG leg: s1 2 @ 100, s2 1 @ 130 -> the exchange's entry (200 + 130) / 3 = 110.
    # s1 sells 1 @ 120: exchange realises (120 - 110) * 1 = 10; s1's own basis says 20.
    tags = attribute([
        fill("s1", "BUY", "2", "100", ps="LONG", fee="0.08"),
        fill("s2", "BUY", "1", "130", ps="LONG", fee="0.052"),
        fill("s1", "SELL", "1", "120", ps="LONG", pnl="10", fee="0.048"),
    ])
    s1, s2 = tags[(S, "LONG", "s1")], tags[(S, "LONG", "s2")]
    assert (s1.quantity, s1.entry_price, s1.realized_pnl, s1.own_realized_pnl) == (D(1), D(100), D(10), D(20))
    assert (s2.quantity, s2.entry_price, s2.realized_pnl, s2.own_realized_pnl) == (D(1), D(130), D(0), D(0))
    assert s1.commission == D("0.128") and s2.commission == D("0.052")
    assert s1.unrealized_pnl(D(125)) == D(25) and s2.unrealized_pnl(D(125)) == D(-5)


def test_hedge_two_tags_flat_again_own_and_exchange_totals_agree():
    tags = attribute([
        fill("s1", "BUY", "2", "100", ps="LONG"),
        fill("s2", "BUY", "1", "130", ps="LONG"),
        fill("s1", "SELL", "1", "120", ps="LONG", pnl="10"),
        fill("s2", "SELL", "1", "120", ps="LONG", pnl="10"),  # entry stays 110 on the exchange
        fill("s1", "SELL", "1", "120", ps="LONG", pnl="10"),
    ])
    s1, s2 = tags[(S, "LONG", "s1")], tags[(S, "LONG", "s2")]
    assert (s1.quantity, s2.quantity, s1.entry_price, s2.entry_price) == (0, 0, 0, 0)
    assert (s1.own_realized_pnl, s2.own_realized_pnl) == (D(40), D(-10))  # 20 + 20; 120 - 130
    assert (s1.realized_pnl, s2.realized_pnl) == (D(20), D(10))
    assert s1.own_realized_pnl + s2.own_realized_pnl == s1.realized_pnl + s2.realized_pnl == D(30)


def test_hedge_long_and_short_on_one_symbol_are_separate_legs():
    tags = attribute([
        fill("s1", "BUY", "1", "100", ps="LONG"),
        fill("s2", "SELL", "3", "50", ps="SHORT"),
        fill("s2", "BUY", "1", "45", ps="SHORT", pnl="5"),  # (45 - 50) * 1 * -1
        fill("s1", "SELL", "1", "90", ps="LONG", pnl="-10"),
    ])
    long, short = tags[(S, "LONG", "s1")], tags[(S, "SHORT", "s2")]
    assert (long.quantity, long.realized_pnl, long.own_realized_pnl) == (D(0), D(-10), D(-10))
    assert (short.quantity, short.entry_price, short.realized_pnl, short.own_realized_pnl) == (D(-2), D(50), D(5), D(5))
    assert short.unrealized_pnl(D(40)) == D(20)  # -2 * (40 - 50)


def test_one_way_flip_closes_then_opens_the_rest_at_the_fill_price():
    tags = attribute([
        fill("m", "BUY", "1", "100"),
        fill("m", "SELL", "3", "90", pnl="-10"),  # closes 1 (-10), opens -2 @ 90
        fill("m", "BUY", "0.5", "80", pnl="5"),  # (80 - 90) * 0.5 * -1
    ])
    m = tags[(S, "BOTH", "m")]
    assert (m.quantity, m.entry_price, m.realized_pnl, m.own_realized_pnl) == (D("-1.5"), D(90), D(-5), D(-5))


def test_partial_closes_keep_the_entry():
    tags = attribute([
        fill("m", "BUY", "0.003", "100000"),
        fill("m", "BUY", "0.001", "104000"),  # entry (300 + 104) / 0.004 = 101000
        fill("m", "SELL", "0.001", "102000", pnl="1"),
        fill("m", "SELL", "0.002", "99000", pnl="-4"),
    ])
    m = tags[(S, "BOTH", "m")]
    assert (m.quantity, m.entry_price, m.realized_pnl, m.own_realized_pnl) == (D("0.001"), D(101000), D(-3), D(-3))


def test_a_close_by_another_tag_closes_the_oldest_positions_and_splits_the_exchange_pnl():
    # s1 1 @ 100, then s2 3 @ 120: exchange entry 115. The kill switch sells 4 @ 110: -20.
    tags = attribute([
        fill("s1", "BUY", "1", "100", ps="LONG"),
        fill("s2", "BUY", "3", "120", ps="LONG"),
        fill("k", "SELL", "4", "110", ps="LONG", pnl="-20", fee="0.176"),
    ])
    s1, s2, k = tags[(S, "LONG", "s1")], tags[(S, "LONG", "s2")], tags[(S, "LONG", "k")]
    assert (s1.quantity, s1.realized_pnl, s1.own_realized_pnl) == (D(0), D(-5), D(10))
    assert (s2.quantity, s2.realized_pnl, s2.own_realized_pnl) == (D(0), D(-15), D(-30))
    assert (k.quantity, k.realized_pnl, k.commission, k.fills) == (D(0), D(0), D("0.176"), 1)


def test_split_of_a_repeating_share_is_exact_to_the_last_piece():
    # s1 1 @ 100, s2 2 @ 101: entry 100.666..; k sells 3 @ 102: exchange realises 4.00000000.
    tags = attribute([
        fill("s1", "BUY", "1", "100"),
        fill("s2", "BUY", "2", "101"),
        fill("k", "SELL", "3", "102", pnl="4.00000000"),
    ])
    assert tags[(S, "BOTH", "s1")].realized_pnl == D("1.33333333")
    assert tags[(S, "BOTH", "s2")].realized_pnl == D("2.66666667")
    assert tags[(S, "BOTH", "s1")].own_realized_pnl == D(2) and tags[(S, "BOTH", "s2")].own_realized_pnl == D(2)


def test_the_sender_closes_its_own_quantity_before_anyone_elses():
    tags = attribute([
        fill("s1", "BUY", "1", "100"),
        fill("s2", "BUY", "1", "110"),  # entry 105
        fill("s2", "SELL", "1", "120", pnl="15"),
    ])
    assert tags[(S, "BOTH", "s1")].quantity == 1 and tags[(S, "BOTH", "s2")].quantity == 0
    assert tags[(S, "BOTH", "s2")].realized_pnl == 15 and tags[(S, "BOTH", "s2")].own_realized_pnl == 10


def test_input_order_does_not_matter_fills_are_sorted_by_exchange_time():
    fills = [fill("m", "BUY", "1", "100", t=1), fill("m", "SELL", "1", "110", pnl="10", t=2)]
    assert attribute(reversed(fills)) == attribute(fills)


_fills = st.lists(st.tuples(st.sampled_from(["s1", "s2", "m", "k"]), st.sampled_from(["BUY", "SELL"]),
                            st.integers(1, 40), st.integers(90, 130)), min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(_fills, st.booleans())
def test_against_the_sandbox_ledger(rows, hedge):
    """The sandbox's ledger books the same fills; its realised PnL per fill feeds the attribution.
    Tags' quantities add up to the exchange's amount and their realised PnL to its sum, exactly."""
    ledger = Ledger(account_id="a", wallet=D(10000), dual_side=hedge)
    fills, realized = [], D(0)
    for n, (tag, side, qty, price) in enumerate(rows, 1):
        quantity, price = D(qty) / 1000, D(price) + D("0.1")
        ps = "BOTH"
        if hedge:  # a SELL may only close a LONG leg as far as it is open; the rest opens SHORT
            if side == "SELL":
                ps = "LONG" if ledger.position(S, "LONG").amount >= quantity else "SHORT"
            else:
                ps = "SHORT" if price % 2 > 1 and -ledger.position(S, "SHORT").amount >= quantity else "LONG"
        pnl = ledger.apply_fill(symbol=S, position_side=ps, side=side, qty=quantity, price=price,
                                commission=D(0), now_ms=n)
        realized += pnl
        fills.append(FillIn(S, ps, side, quantity, price, pnl, D(0), tag, n, n))
    tags = attribute(fills)
    for ps in ("BOTH", "LONG", "SHORT"):
        leg = [p for (s, side, _), p in tags.items() if side == ps]
        assert sum((p.quantity for p in leg), D(0)) == (ledger.position(S, ps).amount if leg else 0)
        if leg and not ledger.position(S, ps).amount:  # flat: own-basis PnL agrees up to rounding
            own, exchange = sum(p.own_realized_pnl for p in leg), sum(p.realized_pnl for p in leg)
            assert abs(own - exchange) <= D("0.00000001") * 2 * len(fills)
    assert sum(p.realized_pnl for p in tags.values()) == realized
