"""ccxt's binanceusdm, unchanged but for its base URLs, trades against the sandbox on a loopback port."""

from __future__ import annotations

from decimal import Decimal as D

import ccxt.async_support as ccxt
import pytest

from sandbox.control import step
from sandbox.trading import key_store

SYMBOL = "BTC/USDT:USDT"


@pytest.fixture
async def exchange(sandbox_server):
    base_url, app = sandbox_server
    key = key_store(app).create(label="ccxt")
    exchange = ccxt.binanceusdm({
        "apiKey": key.api_key,
        "secret": key.secret,
        # The sandbox serves USD-M only: skip the spot-wallet currency list (a sapi call) on load.
        "options": {"fetchCurrencies": False},
    })
    for name, path in (("fapiPublic", "/fapi/v1"), ("fapiPublicV2", "/fapi/v2"), ("fapiPublicV3", "/fapi/v3"),
                       ("fapiPrivate", "/fapi/v1"), ("fapiPrivateV2", "/fapi/v2"),
                       ("fapiPrivateV3", "/fapi/v3")):
        exchange.urls["api"][name] = base_url + path
    exchange.app = app
    yield exchange
    await exchange.close()


def _price(exchange) -> D:
    return D(str(exchange.app["market"].last_price("BTCUSDT")))


async def test_market_and_limit_orders_place_and_cancel(exchange):
    await exchange.load_markets()
    bought = await exchange.create_order(SYMBOL, "market", "buy", 0.01)
    assert bought["status"] == "closed" and bought["filled"] == 0.01 and bought["average"] > 0

    far = float((_price(exchange) * D("0.8")).quantize(D("0.1")))
    limit = await exchange.create_order(SYMBOL, "limit", "buy", 0.01, far)
    assert limit["status"] == "open" and limit["price"] == far
    open_orders = await exchange.fetch_open_orders(SYMBOL)
    assert [o["id"] for o in open_orders] == [limit["id"]]
    canceled = await exchange.cancel_order(limit["id"], SYMBOL)
    assert canceled["status"] == "canceled"
    fetched = await exchange.fetch_order(limit["id"], SYMBOL)
    assert fetched["status"] == "canceled"
    assert await exchange.fetch_open_orders(SYMBOL) == []

    trades = await exchange.fetch_my_trades(SYMBOL)
    assert len(trades) == 1 and trades[0]["order"] == bought["id"] and trades[0]["fee"]["cost"] > 0


async def test_hedge_mode_positions_and_balance(exchange):
    await exchange.load_markets()
    await exchange.set_position_mode(True)
    assert (await exchange.fetch_position_mode(SYMBOL))["hedged"] is True
    await exchange.create_order(SYMBOL, "market", "buy", 0.02, params={"positionSide": "LONG"})
    await exchange.create_order(SYMBOL, "market", "sell", 0.01, params={"positionSide": "SHORT"})

    positions = await exchange.fetch_positions([SYMBOL])
    by_side = {p["side"]: p for p in positions}
    assert set(by_side) == {"long", "short"}
    assert by_side["long"]["contracts"] == 0.02 and by_side["short"]["contracts"] == 0.01
    assert all(p["hedged"] for p in positions) and all(p["entryPrice"] > 0 for p in positions)

    balance = await exchange.fetch_balance()
    usdt = balance["USDT"]
    assert usdt["total"] < 10_000 and usdt["free"] < usdt["total"]  # fees paid, margin in use

    with pytest.raises(ccxt.OperationRejected):  # -4061: Hedge Mode needs a position side
        await exchange.create_order(SYMBOL, "market", "buy", 0.01)
    with pytest.raises(ccxt.ExchangeError):  # -4068: cannot switch back with open positions
        await exchange.set_position_mode(False)


async def test_batch_create_and_cancel(exchange):
    await exchange.load_markets()
    far = float((_price(exchange) * D("0.8")).quantize(D("0.1")))
    orders = await exchange.create_orders([
        {"symbol": SYMBOL, "type": "limit", "side": "buy", "amount": 0.01, "price": far},
        {"symbol": SYMBOL, "type": "limit", "side": "buy", "amount": 0.01, "price": far},
    ])
    assert [o["status"] for o in orders] == ["open", "open"]
    canceled = await exchange.cancel_orders([o["id"] for o in orders], SYMBOL)
    assert [o["status"] for o in canceled] == ["canceled", "canceled"]


async def test_conditional_orders_go_through_the_algo_endpoints(exchange):
    await exchange.load_markets()
    app = exchange.app
    await exchange.create_order(SYMBOL, "market", "buy", 0.01)
    price = _price(exchange)
    # a stop-loss far below: ccxt sends it to POST /fapi/v1/algoOrder
    far_stop = float((price * D("0.7")).quantize(D("0.1")))
    stop = await exchange.create_order(SYMBOL, "market", "sell", 0.01,
                                       params={"stopLossPrice": far_stop, "reduceOnly": True})
    assert stop["status"] == "open" and stop["triggerPrice"] == far_stop
    listed = await exchange.fetch_open_orders(SYMBOL, params={"trigger": True})
    assert [o["id"] for o in listed] == [stop["id"]]
    canceled = await exchange.cancel_order(stop["id"], SYMBOL, params={"trigger": True})
    assert canceled["id"] == stop["id"]
    assert await exchange.fetch_open_orders(SYMBOL, params={"trigger": True}) == []

    # a take-profit the replay will reach: it triggers as the clock steps and closes the position
    market = app["market"]
    spec = market.spec("BTCUSDT")
    now = market.now_ms()
    ahead = next(ms for ms in range(5_000, 6 * 3600_000, 5_000)
                 if D(market.price_int("BTCUSDT", now + ms)) / 10 ** spec.price_decimals >= price + D("0.3"))
    tp = await exchange.create_order(SYMBOL, "market", "sell", 0.01,
                                     params={"takeProfitPrice": float(price + D("0.2")), "reduceOnly": True})
    step(app, ahead)
    done = await exchange.fetch_order(tp["id"], SYMBOL, params={"trigger": True})
    assert done["status"] == "closed"
    assert await exchange.fetch_positions([SYMBOL]) == []  # v3 positionRisk lists open positions only
    closing = (await exchange.fetch_my_trades(SYMBOL))[-1]
    assert closing["side"] == "sell" and closing["order"] != tp["id"]  # filled by the order the trigger placed
