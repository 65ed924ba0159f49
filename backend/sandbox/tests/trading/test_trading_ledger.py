"""Position and money math of one account (Decimal), with reconciliation as a property."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.trading.ledger import Ledger, q8

RATE = D("0.0005")


def fill(ledger: Ledger, side: str, qty: str, price: str, pside: str = "BOTH", symbol: str = "BTCUSDT"):
    qty_d, price_d = D(qty), D(price)
    fee = q8(qty_d * price_d * RATE)
    realized = ledger.apply_fill(symbol=symbol, position_side=pside, side=side, qty=qty_d, price=price_d,
                                 commission=fee, now_ms=1)
    return realized, fee


def test_entry_price_is_quantity_weighted_and_realized_on_reduction():
    led = Ledger("a", D("10000"))
    fill(led, "BUY", "1", "100")
    fill(led, "BUY", "3", "200")
    pos = led.position("BTCUSDT", "BOTH")
    assert pos.amount == 4 and pos.entry_price == 175
    realized, _ = fill(led, "SELL", "1", "195")
    assert realized == D("20.00000000")
    assert pos.amount == 3 and pos.entry_price == 175
    assert pos.unrealized(D("180")) == D("15.00000000")


def test_one_way_flip_closes_then_opens_at_fill_price():
    led = Ledger("a", D("10000"))
    fill(led, "BUY", "2", "100")
    realized, _ = fill(led, "SELL", "5", "90")
    pos = led.position("BTCUSDT", "BOTH")
    assert realized == D("-20.00000000")
    assert pos.amount == -3 and pos.entry_price == 90
    assert pos.unrealized(D("80")) == D("30.00000000")


def test_hedge_long_and_short_are_independent():
    led = Ledger("a", D("10000"), dual_side=True)
    fill(led, "BUY", "1", "100", "LONG")
    fill(led, "SELL", "2", "110", "SHORT")
    long_, short = led.position("BTCUSDT", "LONG"), led.position("BTCUSDT", "SHORT")
    assert (long_.amount, short.amount) == (1, -2)
    realized, _ = fill(led, "BUY", "2", "100", "SHORT")  # close the short
    assert realized == D("20.00000000") and short.amount == 0 and short.entry_price == 0
    assert long_.amount == 1 and long_.entry_price == 100


def test_break_even_includes_the_opening_commission():
    # positionRisk v3 doc example: entry 0.385, breakEvenPrice 0.385077 = entry * (1 + 0.0002)
    led = Ledger("a", D("1000"))
    led.apply_fill(symbol="ADAUSDT", position_side="BOTH", side="BUY", qty=D("30"), price=D("0.385"),
                   commission=q8(D("30") * D("0.385") * D("0.0002")), now_ms=1)
    assert led.position("ADAUSDT", "BOTH").break_even() == D("0.385077")


def test_margins_and_available_balance():
    led = Ledger("a", D("1000"))
    led.settings_for("BTCUSDT").leverage = 10
    fill(led, "BUY", "0.1", "50000")  # notional 5000, fee 2.5
    s = led.summary(lambda symbol: D("51000"), open_order_margin=D("100"))
    assert s.wallet == D("997.5")
    assert s.unrealized == D("100")
    assert s.position_initial_margin == D("510")
    assert s.available == D("997.5") + 100 - 510 - 100
    assert s.maint_margin == q8(D("5100") * D("0.004"))


def test_isolated_wallet_leaves_the_cross_wallet():
    led = Ledger("a", D("1000"))
    led.settings_for("BTCUSDT").margin_type = "ISOLATED"
    led.settings_for("BTCUSDT").leverage = 5
    fill(led, "BUY", "0.01", "50000")
    s = led.summary(lambda symbol: D("50000"), open_order_margin=D(0))
    assert s.cross_wallet == s.wallet - D("100")
    assert s.position_initial_margin == 0  # isolated margin sits in the isolated wallet instead


trade = st.tuples(
    st.sampled_from(["BUY", "SELL"]),
    st.integers(min_value=1, max_value=5000).map(lambda n: D(n).scaleb(-3)),        # qty 0.001..5
    st.integers(min_value=100_000, max_value=900_000).map(lambda n: D(n).scaleb(-1)),  # price 10000.0..90000.0
    st.sampled_from(["BOTH", "LONG", "SHORT"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(trade, min_size=1, max_size=40), st.booleans())
def test_wallet_reconciles_exactly_for_any_sequence(trades, hedge):
    start = D("10000")
    led = Ledger("p", start, dual_side=hedge)
    realized_sum = fee_sum = D(0)
    cash = D(0)  # quote flow: sells bring cash in, buys pay out
    for side, qty, price, pside in trades:
        pside = pside if hedge else "BOTH"
        if hedge and pside == "BOTH":
            pside = "LONG"
        if hedge and led.closable("BTCUSDT", pside, side) == 0 and (pside, side) in (("LONG", "SELL"), ("SHORT", "BUY")):
            continue  # a Hedge Mode close with nothing to close is refused by the engine
        if hedge and (pside, side) in (("LONG", "SELL"), ("SHORT", "BUY")):
            qty = min(qty, led.closable("BTCUSDT", pside, side))
        realized, fee = fill(led, side, str(qty), str(price), pside)
        realized_sum += realized
        fee_sum += fee
        cash += qty * price if side == "SELL" else -qty * price
    assert led.wallet == start + realized_sum - fee_sum
    # close everything at one price: realized PnL then equals the net cash flow (up to rounding)
    fills = len(trades)
    for pos in list(led.open_positions()):
        side = "SELL" if pos.amount > 0 else "BUY"
        qty = abs(pos.amount)
        realized, fee = fill(led, side, str(qty), "50000.0", pos.side)
        realized_sum += realized
        fee_sum += fee
        cash += qty * D("50000.0") if side == "SELL" else -qty * D("50000.0")
        fills += 1
    assert not led.open_positions()
    assert led.wallet == start + realized_sum - fee_sum
    assert abs(realized_sum - cash) <= fills * D("0.00000001")
