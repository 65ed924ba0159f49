"""Any parameters at all get an order or one of Binance's errors: never another exception."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st
from trading_harness import Harness

from sandbox.errors import BinanceError
from sandbox.trading.params import Params
from sandbox.trading.validation import parse_new_order

NAMES = ["symbol", "side", "type", "positionSide", "timeInForce", "quantity", "price", "stopPrice",
         "reduceOnly", "closePosition", "workingType", "priceProtect", "newOrderRespType",
         "newClientOrderId", "goodTillDate", "callbackRate", "activationPrice", "priceMatch",
         "selfTradePreventionMode"]
GOOD = {
    "symbol": ["BTCUSDT", "DOGEUSDT", "btcusdt"], "side": ["BUY", "SELL"],
    "type": ["LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"],
    "positionSide": ["BOTH", "LONG", "SHORT"], "timeInForce": ["GTC", "IOC", "FOK", "GTX", "GTD"],
    "quantity": ["0.001", "0.01", "1", "100", "0", "0.0001"], "price": ["50000", "49000.1", "1", "0.12345"],
    "stopPrice": ["51000", "49000", "0"], "reduceOnly": ["true", "false"], "closePosition": ["true", "false"],
    "callbackRate": ["0.1", "1", "11"], "activationPrice": ["49000", "51000"],
}
value = st.one_of(st.text(string.printable, max_size=12), st.integers(-10**25, 10**25).map(str))


@st.composite
def order_params(draw):
    params = {}
    for name in draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=len(NAMES))):
        choices = GOOD.get(name)
        params[name] = draw(st.sampled_from(choices) if choices and draw(st.booleans()) else value)
    return params


@settings(max_examples=400, deadline=None)
@given(st.lists(order_params(), min_size=1, max_size=6), st.booleans())
def test_orders_either_accepted_or_refused_with_a_binance_error(batch, hedge):
    h = Harness()
    if hedge:
        h.engine.set_dual_side(h.ACCOUNT, True)
    for raw in batch:
        p = Params(raw)
        try:
            rules = h.engine.rules(p.string("symbol", required=True))
            req = parse_new_order(p, rules, dual_side=hedge, now_ms=h.engine.now())
            h.engine.place(h.ACCOUNT, req)
        except BinanceError as exc:
            assert exc.code < 0 and exc.msg and exc.status in (400, 401)
        h.market.tick("BTCUSDT", 49_000.0)
        h.market.tick("BTCUSDT", 51_000.0)
    ledger = h.engine.account(h.ACCOUNT)
    trades = h.engine.trades[h.ACCOUNT]
    assert ledger.wallet == 10_000 + sum(t.realized_pnl for t in trades) - sum(t.commission for t in trades)
