"""Algo (conditional) orders: placement rules, triggering as the price ticks, the ALGO_UPDATE story."""

from __future__ import annotations

from decimal import Decimal as D

import doc_examples as ex
import pytest
from doc_examples import same_shape

from sandbox.errors import BinanceError
from sandbox.trading.algo import algo_json, algo_query_json, parse_algo
from sandbox.trading.params import Params

BTC = {"symbol": "BTCUSDT"}


def place_algo(h, **params):
    p = Params({"algoType": "CONDITIONAL", **{k: str(v) for k, v in params.items()}})
    rules = h.engine.rules(p.string("symbol"))
    req = parse_algo(p, rules, dual_side=h.engine.account(h.ACCOUNT).dual_side, now_ms=h.engine.now())
    return h.engine.algos.place(h.ACCOUNT, req)


def algo_events(h) -> list[dict]:
    return [payload["o"] for _, payload in h.events if payload["e"] == "ALGO_UPDATE"]


def test_stop_market_algo_triggers_places_the_order_and_finishes(harness):
    h = harness
    algo = place_algo(h, **BTC, side="BUY", type="STOP_MARKET", triggerPrice="50500", quantity="0.01",
                      clientAlgoId="sl-1")
    assert same_shape(algo_json(algo, h.engine.rules("BTCUSDT")), ex.ALGO_ORDER) == []
    h.market.tick("BTCUSDT", 50400.0)
    assert algo.status == "NEW" and not h.engine.trades[h.ACCOUNT]
    h.market.tick("BTCUSDT", 50600.0)
    assert algo.status == "FINISHED"
    order = h.engine.orders[h.ACCOUNT][algo.order_id]
    assert (order.type, order.status, order.executed_qty) == ("MARKET", "FILLED", D("0.01"))
    story = algo_events(h)
    assert [e["X"] for e in story] == ["NEW", "TRIGGERING", "TRIGGERED", "FINISHED"]
    triggered, finished = story[2], story[3]
    assert same_shape({"e": "ALGO_UPDATE", "T": 0, "E": 0, "o": triggered}, ex.ALGO_UPDATE) == []
    assert (triggered["ai"], triggered["act"], triggered["caid"]) == (str(order.order_id), "MARKET", "sl-1")
    assert (finished["aq"], finished["ap"]) == ("0.010", "50600.00")
    queried = algo_query_json(h.engine, algo)  # what GET /fapi/v1/algoOrder answers now
    assert same_shape(queried, ex.ALGO_QUERY) == []
    assert (queried["actualOrderId"], queried["actualPrice"]) == (str(order.order_id), "50600.00")


def test_take_profit_limit_algo_rests_as_a_limit_then_finishes(harness):
    h = harness
    h.order(**BTC, side="BUY", type="MARKET", quantity="0.01")
    algo = place_algo(h, **BTC, side="SELL", type="TAKE_PROFIT", triggerPrice="50500", price="50700",
                      quantity="0.01", reduceOnly="true")
    h.market.tick("BTCUSDT", 50550.0)
    assert algo.status == "TRIGGERED"
    order = h.engine.orders[h.ACCOUNT][algo.order_id]
    assert (order.type, order.status) == ("LIMIT", "NEW")
    h.market.tick("BTCUSDT", 50700.0)
    assert order.status == "FILLED" and algo.status == "FINISHED"


def test_trigger_refused_by_the_exchange_ends_rejected(harness):
    h = harness
    h.order(**BTC, side="BUY", type="MARKET", quantity="0.01")
    algo = place_algo(h, **BTC, side="SELL", type="STOP_MARKET", triggerPrice="49500", quantity="0.01",
                      reduceOnly="true")
    h.order(**BTC, side="SELL", type="MARKET", quantity="0.01")   # position gone before the trigger
    h.market.tick("BTCUSDT", 49400.0)
    assert algo.status == "REJECTED"
    assert algo_events(h)[-1]["rm"] == "ReduceOnly Order is rejected."


def test_cancel_and_rules(harness):
    h = harness
    algo = place_algo(h, **BTC, side="SELL", type="STOP_MARKET", triggerPrice="49000", quantity="0.01")
    with pytest.raises(BinanceError) as info:
        h.engine.set_dual_side(h.ACCOUNT, True)
    assert info.value.code == -4067
    h.engine.algos.cancel(h.ACCOUNT, algo.algo_id, None)
    assert algo.status == "CANCELED"
    for params, code in [
        ({"side": "SELL", "type": "STOP_MARKET", "triggerPrice": "49000", "quantity": "0.01",
          "algoType": "VP"}, -1130),
        ({"side": "SELL", "type": "LIMIT", "price": "49000", "quantity": "0.01", "timeInForce": "GTC"}, -1116),
        ({"side": "SELL", "type": "STOP_MARKET", "stopPrice": "49000", "quantity": "0.01"}, -1106),
        ({"side": "SELL", "type": "STOP_MARKET", "triggerPrice": "51000", "quantity": "0.01"}, -2021),
    ]:
        with pytest.raises(BinanceError) as info:
            place_algo(h, **BTC, **params)
        assert info.value.code == code
    with pytest.raises(BinanceError) as info:
        h.engine.algos.cancel(h.ACCOUNT, algo.algo_id, None)
    assert info.value.code == -2011
