"""New-order rules and their Binance error codes: parameters, Hedge Mode, filters, margin."""

from __future__ import annotations

import pytest

from sandbox.errors import BinanceError


def code_of(fn) -> int:
    with pytest.raises(BinanceError) as info:
        fn()
    return info.value.code


BTC = {"symbol": "BTCUSDT"}


@pytest.mark.parametrize("params, code", [
    ({"side": "BUY", "type": "MARKET"}, -1102),                                  # no quantity
    ({"side": "BUY", "type": "LIMIT", "quantity": "0.01", "price": "50000"}, -1102),  # no timeInForce
    ({"side": "BUY", "type": "LIMIT", "quantity": "0.01", "timeInForce": "GTC"}, -1102),  # no price
    ({"side": "BUY", "type": "STOP_MARKET", "quantity": "0.01"}, -1102),         # no stopPrice
    ({"side": "HOLD", "type": "MARKET", "quantity": "0.01"}, -1117),
    ({"side": "BUY", "type": "ICEBERG", "quantity": "0.01"}, -1116),
    ({"side": "BUY", "type": "LIMIT", "quantity": "0.01", "price": "1", "timeInForce": "DAY"}, -1115),
    ({"side": "BUY", "type": "MARKET", "quantity": "0.01", "positionSide": "UP"}, -4060),
    ({"side": "BUY", "type": "MARKET", "quantity": "abc"}, -1100),
    ({"side": "BUY", "type": "MARKET", "quantity": "-1"}, -1100),
    ({"side": "BUY", "type": "MARKET", "quantity": "0.01", "price": "50000"}, -1106),
    ({"side": "BUY", "type": "MARKET", "quantity": "0.01", "newOrderRespType": "FULL"}, -1136),
    ({"side": "BUY", "type": "MARKET", "quantity": "0.01", "workingType": "LAST"}, -4031),
    ({"side": "BUY", "type": "MARKET", "quantity": "0.01", "reduceOnly": "maybe"}, -1130),
    ({"side": "BUY", "type": "MARKET", "quantity": "0.01", "newClientOrderId": "bad id!"}, -4015),
    ({"side": "BUY", "type": "MARKET", "quantity": "0.01", "newClientOrderId": "x" * 37}, -4015),
    ({"side": "BUY", "type": "LIMIT", "quantity": "0.01", "price": "1", "timeInForce": "GTC",
      "priceMatch": "OPPONENT"}, -1014),
])
def test_parameter_errors(harness, params, code):
    assert code_of(lambda: harness.order(**BTC, **params)) == code


def test_unknown_symbol(harness):
    assert code_of(lambda: harness.order(symbol="NOPEUSDT", side="BUY", type="MARKET", quantity="1")) == -1121


@pytest.mark.parametrize("params, code", [
    ({"quantity": "0.0015"}, -1111),                # more decimals than quantityPrecision 3
    ({"quantity": "0"}, -4003),
    ({"quantity": "1001"}, -4005),                  # maxQty 1000
    ({"price": "50000.05"}, -4014),                 # tickSize 0.10
    ({"price": "50000.123"}, -1111),                # pricePrecision 2
    ({"price": "0"}, -4001),
    ({"quantity": "0.001", "price": "50000"}, -4164),  # notional 50 < 100
])
def test_filters(harness, params, code):
    order = {"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01", "price": "49000"}
    order.update(params)
    assert code_of(lambda: harness.order(**BTC, **order)) == code


def test_min_notional_message_and_doge_step(harness):
    with pytest.raises(BinanceError) as info:
        harness.order(**BTC, side="BUY", type="MARKET", quantity="0.001")
    assert info.value.msg == "Order's notional must be no smaller than 100 (unless you choose reduce only)"
    assert code_of(lambda: harness.order(symbol="DOGEUSDT", side="BUY", type="MARKET", quantity="10.5")) == -1111


def test_min_notional_waived_for_reduce_only(harness):
    harness.order(**BTC, side="BUY", type="MARKET", quantity="0.01")
    _, order = harness.order(**BTC, side="SELL", type="MARKET", quantity="0.001", reduceOnly="true")
    assert order.status == "FILLED"


def test_margin_insufficient(harness):
    # 10000 USDT at 20x: 4 BTC at 50000 needs 10000 + fees
    assert code_of(lambda: harness.order(**BTC, side="BUY", type="MARKET", quantity="4")) == -2019
    harness.order(**BTC, side="BUY", type="MARKET", quantity="3")
    # closing needs no margin even with the account nearly fully used
    _, closing = harness.order(**BTC, side="SELL", type="MARKET", quantity="3")
    assert closing.status == "FILLED"


def test_resting_limits_hold_margin(harness):
    harness.order(**BTC, side="BUY", type="LIMIT", timeInForce="GTC", quantity="3", price="40000")  # 6000 IM
    assert code_of(lambda: harness.order(**BTC, side="BUY", type="LIMIT", timeInForce="GTC",
                                         quantity="3", price="40000")) == -2019


def test_duplicate_client_order_id_among_open_orders(harness):
    limit = dict(BTC, side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="40000",
                 newClientOrderId="my-id")
    harness.order(**limit)
    assert code_of(lambda: harness.order(**limit)) == -4116
    harness.engine.cancel(harness.ACCOUNT, "BTCUSDT", None, "my-id")
    harness.order(**limit)  # unique among *open* orders only


class TestHedgeMode:
    @pytest.fixture(autouse=True)
    def hedge(self, harness):
        harness.engine.set_dual_side(harness.ACCOUNT, True)

    def test_position_side_must_be_long_or_short(self, harness):
        assert code_of(lambda: harness.order(**BTC, side="BUY", type="MARKET", quantity="0.01")) == -4061
        assert code_of(lambda: harness.order(**BTC, side="BUY", type="MARKET", quantity="0.01",
                                             positionSide="BOTH")) == -4061
        _, order = harness.order(**BTC, side="BUY", type="MARKET", quantity="0.01", positionSide="LONG")
        assert order.status == "FILLED"

    def test_reduce_only_cannot_be_sent(self, harness):
        with pytest.raises(BinanceError) as info:
            harness.order(**BTC, side="SELL", type="MARKET", quantity="0.01", positionSide="LONG",
                          reduceOnly="false")
        assert (info.value.code, info.value.msg) == (-1106, "Parameter 'reduceonly' sent when not required.")

    def test_closing_more_than_the_position_is_rejected(self, harness):
        assert code_of(lambda: harness.order(**BTC, side="SELL", type="MARKET", quantity="0.01",
                                             positionSide="LONG")) == -2022
        harness.order(**BTC, side="BUY", type="MARKET", quantity="0.01", positionSide="LONG")
        assert code_of(lambda: harness.order(**BTC, side="SELL", type="MARKET", quantity="0.02",
                                             positionSide="LONG")) == -2022

    def test_close_position_side_rules(self, harness):
        base = dict(BTC, type="STOP_MARKET", stopPrice="45000", closePosition="true")
        assert code_of(lambda: harness.order(**base, side="BUY", positionSide="LONG")) == -2022
        assert code_of(lambda: harness.order(**base, side="SELL", positionSide="SHORT")) == -2022
        _, order = harness.order(**base, side="SELL", positionSide="LONG")
        assert order.status == "NEW" and order.close_position

    def test_switching_mode_back_needs_no_orders_or_positions(self, harness):
        engine, acct = harness.engine, harness.ACCOUNT
        assert code_of(lambda: engine.set_dual_side(acct, True)) == -4059
        harness.order(**BTC, side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="40000",
                      positionSide="LONG")
        assert code_of(lambda: engine.set_dual_side(acct, False)) == -4067
        engine.cancel_all(acct, "BTCUSDT")
        harness.order(**BTC, side="BUY", type="MARKET", quantity="0.01", positionSide="LONG")
        assert code_of(lambda: engine.set_dual_side(acct, False)) == -4068
        harness.order(**BTC, side="SELL", type="MARKET", quantity="0.01", positionSide="LONG")
        engine.set_dual_side(acct, False)


def test_one_way_rejects_long_short(harness):
    assert code_of(lambda: harness.order(**BTC, side="BUY", type="MARKET", quantity="0.01",
                                         positionSide="LONG")) == -4061


@pytest.mark.parametrize("extra, code", [
    ({"type": "LIMIT", "timeInForce": "GTC", "price": "1", "quantity": "1"}, -1106),  # not a stop type
    ({"type": "STOP_MARKET", "stopPrice": "45000", "quantity": "0.01"}, -4137),
    ({"type": "STOP_MARKET", "stopPrice": "45000", "reduceOnly": "true"}, -1106),
])
def test_close_position_rules(harness, extra, code):
    assert code_of(lambda: harness.order(**BTC, side="SELL", closePosition="true", **extra)) == code


def test_reduce_only_without_position_is_rejected(harness):
    assert code_of(lambda: harness.order(**BTC, side="SELL", type="MARKET", quantity="0.01",
                                         reduceOnly="true")) == -2022


@pytest.mark.parametrize("order_type, side, stop", [
    ("STOP_MARKET", "BUY", "49000"),          # BUY stop must be above the price
    ("STOP_MARKET", "SELL", "51000"),
    ("TAKE_PROFIT_MARKET", "BUY", "51000"),   # BUY take-profit must be below the price
    ("TAKE_PROFIT_MARKET", "SELL", "49000"),
])
def test_stop_that_would_trigger_now(harness, order_type, side, stop):
    assert code_of(lambda: harness.order(**BTC, side=side, type=order_type, stopPrice=stop,
                                         quantity="0.01")) == -2021


def test_post_only_and_fill_or_kill(harness):
    assert code_of(lambda: harness.order(**BTC, side="BUY", type="LIMIT", timeInForce="GTX",
                                         quantity="0.01", price="50000")) == -5022
    assert code_of(lambda: harness.order(**BTC, side="BUY", type="LIMIT", timeInForce="FOK",
                                         quantity="0.01", price="49000")) == -5021


def test_gtd_needs_a_time_ten_minutes_ahead(harness):
    base = dict(BTC, side="BUY", type="LIMIT", timeInForce="GTD", quantity="0.01", price="49000")
    assert code_of(lambda: harness.order(**base)) == -1102
    assert code_of(lambda: harness.order(**base, goodTillDate=harness.market.t + 60_000)) == -5040


def test_leverage_and_margin_type(harness):
    engine, acct = harness.engine, harness.ACCOUNT
    assert code_of(lambda: engine.set_leverage(acct, "BTCUSDT", 0)) == -4028
    assert code_of(lambda: engine.set_leverage(acct, "BTCUSDT", 126)) == -4028
    engine.set_leverage(acct, "BTCUSDT", 5)
    assert harness.events[-1][1] == {"e": "ACCOUNT_CONFIG_UPDATE", "E": harness.market.t,
                                     "T": harness.market.t, "ac": {"s": "BTCUSDT", "l": 5}}
    assert code_of(lambda: engine.set_margin_type(acct, "BTCUSDT", "CROSSED")) == -4046
    harness.order(**BTC, side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="40000")
    assert code_of(lambda: engine.set_margin_type(acct, "BTCUSDT", "ISOLATED")) == -4047
    engine.cancel_all(acct, "BTCUSDT")
    harness.order(**BTC, side="BUY", type="MARKET", quantity="0.01")
    assert code_of(lambda: engine.set_margin_type(acct, "BTCUSDT", "ISOLATED")) == -4048
    # 125x caps the notional at 50,000: a 1.11 BTC position (55,500) is too big for it
    engine.set_leverage(acct, "BTCUSDT", 20)
    harness.order(**BTC, side="BUY", type="MARKET", quantity="1.1")
    assert code_of(lambda: engine.set_leverage(acct, "BTCUSDT", 125)) == -2027
