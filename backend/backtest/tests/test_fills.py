"""The fill model and the portfolio ledger against hand-computed cases (arithmetic in each test)."""

from __future__ import annotations

from decimal import Decimal as D

import numpy as np
import pytest

from backtest.fills import (
    Candle,
    FillModel,
    Liquidity,
    Side,
    bracket_fill,
    funding_payment,
    is_funding_time,
    limit_fill,
    market_fill,
    stop_fill,
    to_decimal,
)
from backtest.portfolio import EntryOrder, Portfolio
from signals.lifecycle import Direction

H = 3_600_000
T0 = 1_700_000_000_000 - 1_700_000_000_000 % (8 * H)  # a funding time (a multiple of 8 h)
M5 = 300_000

FREE = FillModel(maker_fee=0, taker_fee=0, slippage_bps=0, funding_rate_8h=0)


def candle(t, o, h, l, c):  # noqa: E741
    return Candle.of(t, o, h, l, c)


def test_floats_become_their_shortest_decimal():
    assert to_decimal(0.1) == to_decimal(np.float64(0.1)) == D("0.1")
    assert Candle.of(0, 0.0040929, 0.0041, 0.004, 0.00409).open == D("0.0040929")
    with pytest.raises(ValueError, match="high"):
        Candle.of(0, 1, 1, 2, 1)


def test_market_buy_pays_slippage_and_taker_fee():
    model = FillModel(taker_fee=D("0.0005"), slippage_bps=10)
    fill = market_fill(model, Side.BUY, 2, candle(T0, 100, 101, 99, 100))
    # 100 x (1 + 10/10000) = 100.1; fee = 100.1 x 2 x 0.0005 = 0.1001
    assert (fill.price, fill.fee, fill.liquidity) == (D("100.1"), D("0.1001"), Liquidity.TAKER)
    sell = market_fill(model, Side.SELL, 2, candle(T0, 110, 111, 109, 110))
    # 110 x (1 - 0.001) = 109.89; fee = 219.78 x 0.0005 = 0.10989
    assert (sell.price, sell.fee) == (D("109.89"), D("0.10989"))


def test_limit_fills_at_the_limit_with_maker_fee_only_when_reached():
    model = FillModel(maker_fee=D("0.0002"), slippage_bps=50)
    fill = limit_fill(model, Side.BUY, 3, 98, candle(T0, 100, 100, D("97.5"), 99))
    # at 98, no slippage; fee = 98 x 3 x 0.0002 = 0.0588
    assert (fill.price, fill.fee, fill.liquidity) == (D(98), D("0.0588"), Liquidity.MAKER)
    assert limit_fill(model, Side.BUY, 3, 98, candle(T0, 100, 100, D("98.01"), 99)) is None
    # A candle opening below a resting buy limit still fills it at the limit (the order was in the book).
    assert limit_fill(model, Side.BUY, 3, 98, candle(T0, 95, 96, 94, 95)).price == D(98)
    assert limit_fill(model, Side.SELL, 1, 105, candle(T0, 100, 105, 99, 104)).price == D(105)  # touch counts


def test_stop_fills_at_the_stop_or_at_a_gapped_open():
    model = FillModel(taker_fee=D("0.0005"), slippage_bps=0)
    # SELL stop 95 inside a candle 100 -> 94: at 95; fee 95 x 1 x 0.0005 = 0.0475
    fill = stop_fill(model, Side.SELL, 1, 95, candle(T0, 100, 100, 94, 96))
    assert (fill.price, fill.fee, fill.liquidity) == (D(95), D("0.0475"), Liquidity.TAKER)
    # The candle opens at 90, below the stop: the stop-market fills at the open, 90.
    assert stop_fill(model, Side.SELL, 1, 95, candle(T0, 90, 92, 89, 91)).price == D(90)
    # BUY stop (closing a SHORT) gapped through: open 108 above the stop 105 -> 108.
    assert stop_fill(model, Side.BUY, 1, 105, candle(T0, 108, 109, 107, 108)).price == D(108)
    assert stop_fill(model, Side.SELL, 1, 95, candle(T0, 100, 100, D("95.01"), 96)) is None
    # It executes as a market order: with 20 bps, 95 x (1 - 0.002) = 94.81.
    assert stop_fill(FillModel(slippage_bps=20), Side.SELL, 1, 95, candle(T0, 100, 100, 94, 96)).price == D("94.81")


def test_stop_counts_when_one_candle_reaches_stop_and_target():
    hit = bracket_fill(FREE, Side.SELL, 1, 95, 110, candle(T0, 100, 111, 94, 105))
    assert hit[1] == "stop" and hit[0].price == D(95)
    hit = bracket_fill(FREE, Side.SELL, 1, 95, 110, candle(T0, 100, 111, 96, 105))
    assert hit[1] == "target" and hit[0].price == D(110)
    assert bracket_fill(FREE, Side.SELL, 1, 95, 110, candle(T0, 100, 109, 96, 105)) is None


def test_funding_times_and_payment_sign():
    assert [is_funding_time(T0 + k * H) for k in (0, 1, 8, 16, 24)] == [True, False, True, True, True]
    model = FillModel(funding_rate_8h=D("0.0001"))
    # LONG 2 at 105: pays 2 x 105 x 0.0001 = 0.021; SHORT receives it.
    assert funding_payment(model, +1, 2, 105) == D("0.021")
    assert funding_payment(model, -1, 2, 105) == D("-0.021")


def test_fill_model_refuses_bad_values():
    for bad in ({"taker_fee": 1}, {"slippage_bps": -1}, {"leverage": 0}, {"leverage": 200}):
        with pytest.raises(ValueError):
            FillModel(**bad)


# -- the portfolio ledger -----------------------------------------------------------------


def test_round_trip_with_fees_slippage_and_funding():
    model = FillModel(taker_fee=D("0.0005"), slippage_bps=10, funding_rate_8h=D("0.0001"))
    book = Portfolio(model, D(10_000))
    start = T0 - 2 * M5  # 07:50, 07:55, then 08:00 (a funding time)
    book.submit_entry(EntryOrder("BTCUSDT", Direction.LONG, D(2)))
    book.on_candle("BTCUSDT", candle(start, 100, 102, 99, 101))
    # entry 100 x 1.001 = 100.1, fee 0.1001: cash 10000 - 0.1001 = 9999.8999
    assert book.cash == D("9999.8999")
    book.record_equity(start + M5)
    # equity at close 101: 9999.8999 + (101 - 100.1) x 2 = 10001.6999
    assert book.equity_curve[-1].equity == D("10001.6999")
    book.on_candle("BTCUSDT", candle(start + M5, 101, 106, 100, 105))
    book.submit_exit("BTCUSDT", Direction.LONG, "signal closed")
    book.on_candle("BTCUSDT", candle(T0, 110, 111, 108, 109))
    (trade,) = book.trades
    # funding at 08:00 first, on the open: 2 x 110 x 0.0001 = 0.022
    # exit 110 x 0.999 = 109.89, fee 219.78 x 0.0005 = 0.10989
    # gross (109.89 - 100.1) x 2 = 19.58; net 19.58 - 0.1001 - 0.10989 - 0.022 = 19.34801
    assert (trade.exit_price, trade.funding, trade.fees) == (D("109.89"), D("0.022"), D("0.20999"))
    assert (trade.gross_pnl, trade.pnl, trade.reason) == (D("19.58"), D("19.34801"), "signal closed")
    assert book.cash == D(10_000) + trade.pnl == D("10019.34801")
    assert (trade.entry_time, trade.exit_time) == (start, T0)


def test_short_receives_positive_funding_and_a_position_entered_at_the_funding_open_pays_none():
    book = Portfolio(FillModel(taker_fee=0, funding_rate_8h=D("0.0001"), leverage=5), D(1_000))  # 2 x 400 margin
    book.submit_entry(EntryOrder("ETHUSDT", Direction.SHORT, D(1)))
    book.submit_entry(EntryOrder("ETHUSDT", Direction.LONG, D(1)))  # hedge mode: both directions
    book.on_candle("ETHUSDT", candle(T0, 2000, 2001, 1999, 2000))  # entered at the 08:00 open: no funding
    book.on_candle("ETHUSDT", candle(T0 + 8 * H, 2100, 2101, 2099, 2100))
    short, long = book.positions[("ETHUSDT", Direction.SHORT)], book.positions[("ETHUSDT", Direction.LONG)]
    # at 16:00: 1 x 2100 x 0.0001 = 0.21, paid by the LONG, received by the SHORT
    assert (long.funding, short.funding) == (D("0.21"), D("-0.21"))
    assert book.cash == D(1_000)


def test_bracket_stop_first_and_gap_through_stop_in_the_ledger():
    book = Portfolio(FREE, D(10_000))
    book.submit_entry(EntryOrder("A", Direction.LONG, D(1), stop=D(95), target=D(110)))
    # entered at the open 100; the same candle reaches 94 and 111: the stop counts, at 95
    book.on_candle("A", candle(T0, 100, 111, 94, 105))
    assert (book.trades[0].exit_price, book.trades[0].reason, book.trades[0].pnl) == (D(95), "stop", D(-5))
    book.submit_entry(EntryOrder("A", Direction.SHORT, D(1), stop=D(105), target=D(90)))
    book.on_candle("A", candle(T0 + M5, 100, 101, 99, 100))
    book.on_candle("A", candle(T0 + 2 * M5, 108, 109, 107, 108))  # gaps above the stop: filled at 108
    assert (book.trades[1].exit_price, book.trades[1].pnl) == (D(108), D(-8))
    assert book.cash == D(10_000 - 5 - 8)


def test_limit_entry_fills_at_its_price_and_is_bracketed_from_the_next_candle():
    book = Portfolio(FillModel(maker_fee=D("0.0002"), taker_fee=D("0.0005")), D(10_000))
    book.submit_entry(EntryOrder("A", Direction.LONG, D(5), kind="limit", price=D(98), stop=D(97), target=D(103)))
    book.on_candle("A", candle(T0, 100, 101, 99, 100))  # not reached: still waiting
    assert not book.positions
    book.on_candle("A", candle(T0 + M5, 99, 100, 96, 99))  # reaches 98 and 96 (< stop) in one candle
    position = book.positions[("A", Direction.LONG)]
    # maker fee 98 x 5 x 0.0002 = 0.098; the stop waits for the next candle
    assert (position.entry_price, position.entry_fee) == (D(98), D("0.098"))
    book.on_candle("A", candle(T0 + 2 * M5, 100, 104, 99, 103))
    (trade,) = book.trades
    # target is a limit: maker fee 103 x 5 x 0.0002 = 0.103; pnl (103 - 98) x 5 - 0.098 - 0.103 = 24.799
    assert (trade.reason, trade.exit_price, trade.fees, trade.pnl) == ("target", D(103), D("0.201"), D("24.799"))


def test_entry_whose_margin_exceeds_available_equity_is_refused_and_reported():
    book = Portfolio(FillModel(taker_fee=0, leverage=2), D(1_000))
    book.submit_entry(EntryOrder("A", Direction.LONG, D(25), tag="too big"))
    book.on_candle("A", candle(T0, 100, 100, 100, 100))
    # 25 x 100 = 2500 notional / 2 = 1250 margin > 1000 available
    (refusal,) = book.refusals
    assert refusal.tag == "too big" and "1250" in refusal.reason and not book.positions
    book.submit_entry(EntryOrder("A", Direction.LONG, D(20)))  # 2000 / 2 = 1000: fits exactly
    book.submit_entry(EntryOrder("B", Direction.LONG, D(1)))
    book.on_candle("A", candle(T0 + M5, 100, 100, 100, 100))
    book.on_candle("B", candle(T0 + M5, 10, 10, 10, 10))
    # B needs 10 / 2 = 5 but 1000 - 1000 = 0 is available
    assert list(book.positions) == [("A", Direction.LONG)]
    assert book.refusals[-1].symbol == "B" and "exceeds available equity 0" in book.refusals[-1].reason
    book.submit_entry(EntryOrder("A", Direction.LONG, D(1)))
    book.on_candle("A", candle(T0 + 2 * M5, 100, 100, 100, 100))
    assert "already open" in book.refusals[-1].reason


def test_close_all_at_the_last_close_as_a_taker():
    book = Portfolio(FillModel(taker_fee=D("0.001"), slippage_bps=0), D(1_000))
    book.submit_entry(EntryOrder("A", Direction.SHORT, D(2)))
    book.on_candle("A", candle(T0, 50, 51, 49, 50))
    # entry fee 50 x 2 x 0.001 = 0.1; exit at the close 40: fee 0.08; gross (50 - 40) x 2 = 20
    book.close_all({"A": candle(T0, 50, 51, 39, 40)}, T0 + M5)
    (trade,) = book.trades
    assert (trade.exit_price, trade.pnl, trade.reason, trade.exit_time) == (D(40), D("19.82"), "end", T0 + M5)
