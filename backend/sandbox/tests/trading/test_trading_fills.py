"""Fills against the replayed price: market, limit, stops, and the events they publish."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from sandbox.trading.engine import TradingSettings

from trading_harness import Harness

BTC = {"symbol": "BTCUSDT"}


def trades(h: Harness):
    return h.engine.trades[h.ACCOUNT]


def position(h: Harness, side: str = "BOTH"):
    return h.engine.account(h.ACCOUNT).position("BTCUSDT", side)


def test_market_fills_at_price_with_adverse_slippage_and_taker_fee():
    h = Harness(TradingSettings(slippage_bps=D("2")))
    accepted, order = h.order(**BTC, side="BUY", type="MARKET", quantity="0.1")
    assert (accepted.status, accepted.executed_qty) == ("NEW", 0)  # what an ACK answer shows
    assert order.status == "FILLED"
    fill = trades(h)[-1]
    assert fill.price == D("50010.00")                 # 50000 * 1.0002, rounded up to the 0.10 tick
    assert fill.commission == D("2.50050000")          # 5001.0 * 0.0005
    assert not fill.maker
    _, sell = h.order(**BTC, side="SELL", type="MARKET", quantity="0.1")
    assert trades(h)[-1].price == D("49990.00")        # rounded down for a SELL
    assert trades(h)[-1].realized_pnl == D("-2.00000000")


def test_resting_limit_fills_at_its_price_as_maker_when_crossed(harness):
    h = harness
    _, order = h.order(**BTC, side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="49500")
    assert order.status == "NEW" and not trades(h)
    h.market.tick("BTCUSDT", 49600.0)
    assert order.status == "NEW"
    h.market.tick("BTCUSDT", 49400.0)                  # crosses through the limit
    assert order.status == "FILLED"
    fill = trades(h)[-1]
    assert (fill.price, fill.maker, fill.commission) == (D("49500"), True, D("0.09900000"))
    assert position(h).amount == D("0.01") and position(h).entry_price == D("49500")


def test_marketable_limit_takes_but_never_beyond_its_price():
    h = Harness(TradingSettings(slippage_bps=D("50")))
    _, order = h.order(**BTC, side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="50100")
    assert order.status == "FILLED"
    assert trades(h)[-1].price == D("50100") and not trades(h)[-1].maker


def test_ioc_that_cannot_fill_expires(harness):
    accepted, order = harness.order(**BTC, side="BUY", type="LIMIT", timeInForce="IOC", quantity="0.01",
                                    price="49000")
    assert accepted.status == "NEW" and order.status == "EXPIRED"
    assert [o["X"] for o in harness.order_events()] == ["NEW", "EXPIRED"]


@pytest.mark.parametrize("order_type, side, stop, path, fills_at_tick", [
    ("STOP_MARKET", "BUY", "50500", [50400.0, 50600.0], 2),
    ("STOP_MARKET", "SELL", "49500", [49600.0, 49500.0], 2),
    ("TAKE_PROFIT_MARKET", "BUY", "49500", [49700.0, 49400.0], 2),
    ("TAKE_PROFIT_MARKET", "SELL", "50500", [50400.0, 50500.0], 2),
])
def test_stop_and_take_profit_trigger_on_the_ticking_price(harness, order_type, side, stop, path, fills_at_tick):
    h = harness
    if side == "SELL":
        h.order(**BTC, side="BUY", type="MARKET", quantity="0.01")
    _, order = h.order(**BTC, side=side, type=order_type, stopPrice=stop, quantity="0.01")
    for n, price in enumerate(path, start=1):
        h.market.tick("BTCUSDT", price)
        assert (order.status == "FILLED") == (n >= fills_at_tick)
    assert (order.type, order.orig_type) == ("MARKET", order_type)
    assert trades(h)[-1].price == D(str(path[-1]))


def test_stop_with_mark_price_working_type_watches_the_mark(harness):
    h = harness
    _, order = h.order(**BTC, side="BUY", type="STOP_MARKET", stopPrice="50500", quantity="0.01",
                       workingType="MARK_PRICE")
    h.market.marks["BTCUSDT"] = 50000.0
    h.market.tick("BTCUSDT", 50600.0)                  # last crosses, mark does not
    assert order.status == "NEW"
    h.market.marks["BTCUSDT"] = 50550.0
    h.market.tick("BTCUSDT", 50600.0)
    assert order.status == "FILLED"


def test_stop_limit_rests_as_a_limit_after_triggering(harness):
    h = harness
    _, order = h.order(**BTC, side="BUY", type="STOP", stopPrice="50500", price="50400", quantity="0.01")
    h.market.tick("BTCUSDT", 50600.0)                  # triggered, but 50600 > limit 50400
    assert (order.status, order.type, order.triggered) == ("NEW", "LIMIT", True)
    h.market.tick("BTCUSDT", 50300.0)
    assert order.status == "FILLED" and trades(h)[-1].price == D("50400") and trades(h)[-1].maker


def test_trailing_stop_sell_fires_after_the_callback_from_the_high(harness):
    h = harness
    h.order(**BTC, side="BUY", type="MARKET", quantity="0.01")
    _, order = h.order(**BTC, side="SELL", type="TRAILING_STOP_MARKET", callbackRate="1", quantity="0.01",
                       reduceOnly="true")
    for price in (51000.0, 52000.0, 51600.0):          # high 52000; 1% below is 51480
        h.market.tick("BTCUSDT", price)
        assert order.status == "NEW"
    h.market.tick("BTCUSDT", 51480.0)
    assert order.status == "FILLED" and position(h).amount == 0


def test_close_position_stop_closes_whatever_is_open(harness):
    h = harness
    h.order(**BTC, side="BUY", type="MARKET", quantity="0.02")
    _, stop = h.order(**BTC, side="SELL", type="STOP_MARKET", stopPrice="49000", closePosition="true")
    assert stop.orig_qty == 0
    h.order(**BTC, side="BUY", type="MARKET", quantity="0.01")
    h.market.tick("BTCUSDT", 48900.0)
    assert stop.status == "FILLED" and stop.executed_qty == D("0.03") and position(h).amount == 0


def test_close_position_without_position_expires(harness):
    _, stop = harness.order(**BTC, side="SELL", type="STOP_MARKET", stopPrice="49000", closePosition="true")
    harness.market.tick("BTCUSDT", 48000.0)
    assert stop.status == "EXPIRED" and not trades(harness)


def test_reduce_only_fills_what_is_left_and_expires_the_rest(harness):
    h = harness
    h.order(**BTC, side="BUY", type="MARKET", quantity="0.02")
    _, ro = h.order(**BTC, side="SELL", type="LIMIT", timeInForce="GTC", price="51000", quantity="0.02",
                    reduceOnly="true")
    h.order(**BTC, side="SELL", type="MARKET", quantity="0.015")  # position now 0.005
    h.market.tick("BTCUSDT", 51000.0)
    assert (ro.status, ro.executed_qty) == ("EXPIRED", D("0.005"))
    assert [o["X"] for o in h.order_events() if o["i"] == ro.order_id] == ["NEW", "PARTIALLY_FILLED", "EXPIRED"]
    assert position(h).amount == 0


def test_triggered_order_without_margin_expires():
    h = Harness(TradingSettings(starting_balance=D("200")))
    _, stop = h.order(**BTC, side="BUY", type="STOP_MARKET", stopPrice="50500", quantity="0.1")  # 5050 notional
    h.market.tick("BTCUSDT", 50600.0)
    assert stop.status == "EXPIRED" and not trades(h)


def test_gtd_expires_at_its_time(harness):
    h = harness
    until = h.market.t + 700_000
    _, order = h.order(**BTC, side="BUY", type="LIMIT", timeInForce="GTD", quantity="0.01", price="49000",
                       goodTillDate=until + 123)
    assert order.good_till_date == until               # milliseconds are dropped
    h.market.tick("BTCUSDT", 50100.0, advance_ms=600_000)
    assert order.status == "NEW"
    h.market.tick("BTCUSDT", 50100.0, advance_ms=100_000)
    assert order.status == "EXPIRED"


def test_cancel_and_cancel_all(harness):
    h = harness
    _, a = h.order(**BTC, side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="49000")
    _, b = h.order(**BTC, side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="48000")
    h.engine.cancel(h.ACCOUNT, "BTCUSDT", a.order_id, None)
    assert a.status == "CANCELED"
    assert h.engine.cancel_all(h.ACCOUNT, "BTCUSDT") == 1 and b.status == "CANCELED"
    h.market.tick("BTCUSDT", 47000.0)
    assert not trades(h)


def test_fill_events_in_binance_shapes(harness):
    h = harness
    h.order(**BTC, side="BUY", type="MARKET", quantity="0.01", newClientOrderId="abc")
    assert h.event_types() == ["ORDER_TRADE_UPDATE", "TRADE_LITE", "ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE"]
    new, trade = h.order_events()
    assert (new["x"], new["X"], new["c"], new["o"]) == ("NEW", "NEW", "abc", "MARKET")
    assert "n" not in new and "N" not in new
    assert (trade["x"], trade["X"], trade["l"], trade["z"], trade["L"], trade["N"]) == \
        ("TRADE", "FILLED", "0.010", "0.010", "50000.00", "USDT")
    assert trade["n"] == "0.25000000" and trade["m"] is False and trade["ps"] == "BOTH"
    account = h.events[-1][1]["a"]
    assert account["m"] == "ORDER"
    assert account["B"] == [{"a": "USDT", "wb": "9999.75000000", "cw": "9999.75000000", "bc": "0"}]
    assert account["P"] == [{"s": "BTCUSDT", "pa": "0.01", "ep": "50000.0", "bep": "50025.0",
                             "cr": "0.00000000", "up": "0.00000000", "mt": "cross", "iw": "0.00000000",
                             "ps": "BOTH"}]


def test_events_go_only_to_the_owner(harness):
    harness.order(account="other", **BTC, side="BUY", type="MARKET", quantity="0.01")
    assert {account for account, _ in harness.events} == {"other"}
    assert not harness.engine.open_orders(harness.ACCOUNT) and not trades(harness)


def test_unrealized_pnl_follows_the_mark(harness):
    h = harness
    h.engine.set_dual_side(h.ACCOUNT, True)
    h.order(**BTC, side="SELL", type="MARKET", quantity="0.1", positionSide="SHORT")
    h.market.marks["BTCUSDT"] = 49000.0
    s = h.engine.summary(h.ACCOUNT)
    assert s.unrealized == D("100.00000000")
    assert s.wallet == D("10000") - D("2.5")
