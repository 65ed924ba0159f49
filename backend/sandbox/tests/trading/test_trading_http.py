"""The trading endpoints over HTTP on a real loopback port: signing, answers shaped like the docs'
examples, Hedge Mode, fills as the replay clock steps, bad input."""

from __future__ import annotations

from decimal import Decimal as D

import doc_examples as ex
import pytest
from doc_examples import same_shape

BTC = "BTCUSDT"


async def test_signing_over_http(client):
    assert await client.ok("GET", "/fapi/v2/balance")
    assert await client.ok("POST", "/fapi/v1/leverage", body=True, symbol=BTC, leverage=10)  # signed body
    status, _, payload = await client.call("GET", "/fapi/v2/balance", secret="x" * 64)
    assert (status, payload["code"]) == (400, -1022)
    now = client.market.now_ms()
    status, _, payload = await client.call("GET", "/fapi/v2/balance", timestamp=now - 3_600_000)
    assert (status, payload["code"]) == (400, -1021)
    status, _, payload = await client.call("GET", "/fapi/v2/balance", timestamp=now + 3_600_000)
    assert payload == {"code": -1021, "msg": "Timestamp for this request was 1000ms ahead of the server's time."}
    status, _, payload = await client.call("GET", "/fapi/v2/balance", api_key="")
    assert (status, payload["code"]) == (401, -2014)
    status, _, payload = await client.call("GET", "/fapi/v2/balance", api_key="Z" * 64)
    assert (status, payload["code"]) == (401, -2015)
    assert (await client.stream_key(api_key="nope"))[1]["code"] == -2014


async def test_new_order_answers_have_the_recorded_shape(client):
    price = client.price()
    below = (price * D("0.9")).quantize(D("0.1"))
    limit = await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="SELL", type="LIMIT", timeInForce="GTC",
                            quantity="0.01", price=str(price * 2 // 1))
    assert same_shape(limit, ex.NEW_ORDER) == [] and limit["status"] == "NEW"
    market = await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="MARKET", quantity="0.01",
                             newOrderRespType="RESULT")
    assert same_shape(market, ex.NEW_ORDER) == [] and market["status"] == "FILLED"
    ack = await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="MARKET", quantity="0.01")
    assert (ack["status"], ack["executedQty"]) == ("NEW", "0.000")  # ACK: the order as accepted
    trailing = await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="TRAILING_STOP_MARKET",
                               quantity="0.01", callbackRate="0.3", activationPrice=str(below))
    assert same_shape(trailing, ex.NEW_ORDER_DOC) == []
    assert (trailing["priceRate"], trailing["activatePrice"]) == ("0.3", f"{below:.2f}")


async def test_query_cancel_and_open_orders(client):
    high = str((client.price() * D("1.5")).quantize(D("0.1")))
    placed = await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="SELL", type="LIMIT", timeInForce="GTC",
                             quantity="0.01", price=high, newClientOrderId="q-1")
    by_id = await client.ok("GET", "/fapi/v1/order", symbol=BTC, orderId=placed["orderId"])
    by_client_id = await client.ok("GET", "/fapi/v1/order", symbol=BTC, origClientOrderId="q-1")
    assert by_id == by_client_id and same_shape(by_id, ex.QUERY_ORDER, ignore=ex.TRAILING_ONLY) == []
    listed = await client.ok("GET", "/fapi/v1/openOrders", symbol=BTC)
    assert listed == [by_id] and await client.ok("GET", "/fapi/v1/openOrders") == [by_id]
    assert await client.ok("GET", "/fapi/v1/openOrder", symbol=BTC, orderId=placed["orderId"]) == by_id
    canceled = await client.ok("DELETE", "/fapi/v1/order", symbol=BTC, orderId=placed["orderId"])
    # Live cancel answers carry the new-order fields, avgPrice included (the docs' example omits it).
    assert same_shape(canceled, ex.CANCEL_ORDER, ignore=ex.TRAILING_ONLY | {"avgPrice"}) == []
    assert same_shape(canceled, ex.NEW_ORDER) == [] and canceled["status"] == "CANCELED"
    assert await client.error("DELETE", "/fapi/v1/order", symbol=BTC, orderId=placed["orderId"]) == -2011
    assert await client.error("GET", "/fapi/v1/order", symbol=BTC, orderId=1) == -2013
    assert await client.error("GET", "/fapi/v1/openOrder", symbol=BTC, orderId=placed["orderId"]) == -2013
    assert await client.error("GET", "/fapi/v1/order", symbol=BTC) == -1102
    await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="SELL", type="LIMIT", timeInForce="GTC",
                    quantity="0.01", price=high)
    assert await client.ok("DELETE", "/fapi/v1/allOpenOrders", symbol=BTC) == ex.CANCEL_ALL
    assert await client.ok("GET", "/fapi/v1/openOrders", symbol=BTC) == []
    history = await client.ok("GET", "/fapi/v1/allOrders", symbol=BTC)
    assert [o["status"] for o in history] == ["CANCELED", "CANCELED"]


async def test_positions_account_and_balance_in_one_way_mode(client):
    symbols = client.market.symbols()
    rows = await client.ok("GET", "/fapi/v2/positionRisk")
    assert len(rows) == len(symbols) and {r["positionSide"] for r in rows} == {"BOTH"}
    assert all(same_shape(r, ex.POSITION_RISK_V2) == [] for r in rows)
    assert await client.ok("GET", "/fapi/v3/positionRisk") == []
    await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="MARKET", quantity="0.01")
    v3 = await client.ok("GET", "/fapi/v3/positionRisk")
    assert [r["symbol"] for r in v3] == [BTC] and same_shape(v3[0], ex.POSITION_RISK_V3) == []
    assert v3[0]["positionAmt"] == "0.010"
    account = await client.ok("GET", "/fapi/v2/account")
    assert same_shape(account, ex.ACCOUNT_V2, ignore=frozenset(ex.ACCOUNT_V2_POSITION_EXTRA)) == []
    assert len(account["positions"]) == len(symbols)
    account3 = await client.ok("GET", "/fapi/v3/account")
    assert same_shape(account3, ex.ACCOUNT_V3) == [] and len(account3["positions"]) == 1
    balance = await client.ok("GET", "/fapi/v2/balance")
    assert same_shape(balance, [ex.BALANCE_V2]) == []
    assert balance[0]["balance"] == account["totalWalletBalance"] == account["assets"][0]["walletBalance"]


async def test_hedge_mode_over_http(client):
    assert await client.ok("GET", "/fapi/v1/positionSide/dual") == {"dualSidePosition": False}
    assert await client.ok("POST", "/fapi/v1/positionSide/dual", dualSidePosition="true") == ex.CODE_200
    assert await client.ok("GET", "/fapi/v1/positionSide/dual") == ex.POSITION_MODE
    assert await client.error("POST", "/fapi/v1/positionSide/dual", dualSidePosition="true") == -4059
    assert await client.error("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="MARKET",
                              quantity="0.01") == -4061
    assert await client.error("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="MARKET", quantity="0.01",
                              positionSide="LONG", reduceOnly="true") == -1106
    await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="MARKET", quantity="0.02",
                    positionSide="LONG")
    await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="SELL", type="MARKET", quantity="0.01",
                    positionSide="SHORT")
    rows = await client.ok("GET", "/fapi/v2/positionRisk", symbol=BTC)
    assert {r["positionSide"]: r["positionAmt"] for r in rows} == {"BOTH": "0.000", "LONG": "0.020",
                                                                   "SHORT": "-0.010"}
    assert len(await client.ok("GET", "/fapi/v2/positionRisk")) == 3 * len(client.market.symbols())
    v3 = await client.ok("GET", "/fapi/v3/positionRisk")
    assert {r["positionSide"] for r in v3} == {"LONG", "SHORT"}
    account = await client.ok("GET", "/fapi/v2/account")
    assert {p["positionSide"] for p in account["positions"]} == {"LONG", "SHORT"}
    assert await client.error("POST", "/fapi/v1/positionSide/dual", dualSidePosition="false") == -4068
    await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="SELL", type="MARKET", quantity="0.02",
                    positionSide="LONG")
    await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="MARKET", quantity="0.01",
                    positionSide="SHORT")
    high = str((client.price() * D("1.5")).quantize(D("0.1")))
    await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="SELL", type="LIMIT", timeInForce="GTC",
                    quantity="0.01", price=high, positionSide="SHORT")
    assert await client.error("POST", "/fapi/v1/positionSide/dual", dualSidePosition="false") == -4067
    await client.ok("DELETE", "/fapi/v1/allOpenOrders", symbol=BTC)
    assert await client.ok("POST", "/fapi/v1/positionSide/dual", dualSidePosition="false") == ex.CODE_200


async def test_leverage_margin_type_and_brackets(client):
    answer = await client.ok("POST", "/fapi/v1/leverage", symbol=BTC, leverage=21)
    assert same_shape(answer, ex.LEVERAGE) == [] and answer["leverage"] == 21
    assert await client.error("POST", "/fapi/v1/leverage", symbol=BTC, leverage=200) == -4028
    assert await client.ok("POST", "/fapi/v1/marginType", symbol=BTC, marginType="ISOLATED") == ex.CODE_200
    assert await client.error("POST", "/fapi/v1/marginType", symbol=BTC, marginType="ISOLATED") == -4046
    assert await client.error("POST", "/fapi/v1/marginType", symbol=BTC, marginType="HALF") == -1130
    row = (await client.ok("GET", "/fapi/v2/positionRisk", symbol=BTC))[0]
    assert (row["leverage"], row["marginType"]) == ("21", "isolated")
    one = await client.ok("GET", "/fapi/v1/leverageBracket", symbol=BTC)
    assert same_shape(one, ex.LEVERAGE_BRACKET) == []
    every = await client.ok("GET", "/fapi/v1/leverageBracket")
    assert len(every) == len(client.market.symbols()) and same_shape(every, [ex.LEVERAGE_BRACKET]) == []


async def test_limit_fills_when_the_replayed_price_reaches_it(client):
    ahead, low = client.future_move(BTC, up=False)
    limit = str(low.quantize(D("0.1")))
    placed = await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="LIMIT", timeInForce="GTC",
                             quantity="0.01", price=limit)
    assert placed["status"] == "NEW"
    client.step(ahead)
    order = await client.ok("GET", "/fapi/v1/order", symbol=BTC, orderId=placed["orderId"])
    assert (order["status"], order["avgPrice"], order["executedQty"]) == ("FILLED", f"{D(limit):.2f}", "0.010")
    trade, = await client.ok("GET", "/fapi/v1/userTrades", symbol=BTC)
    assert same_shape(trade, ex.USER_TRADE) == []
    assert (trade["maker"], trade["price"], trade["orderId"]) == (True, str(D(limit).normalize()), placed["orderId"])


async def test_stop_market_triggers_as_the_clock_steps(client):
    ahead, high = client.future_move(BTC, up=True, ticks=5)
    stop = str((client.price() + (high - client.price()) / 2).quantize(D("0.1")))
    placed = await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="STOP_MARKET",
                             stopPrice=stop, quantity="0.01")
    client.step(ahead // 4 if ahead >= 20_000 else 0)  # not there yet (or barely moved)
    order = await client.ok("GET", "/fapi/v1/order", symbol=BTC, orderId=placed["orderId"])
    if D(str(client.market.last_price(BTC))) < D(stop):
        assert order["status"] == "NEW"
    client.step(ahead)
    order = await client.ok("GET", "/fapi/v1/order", symbol=BTC, orderId=placed["orderId"])
    assert (order["status"], order["type"], order["origType"]) == ("FILLED", "MARKET", "STOP_MARKET")
    assert D(order["avgPrice"]) >= D(stop)


async def test_balances_reconcile_with_the_trade_list(client):
    start = D(str(client.app["config"].starting_balance_usdt))
    for side, qty in (("BUY", "0.03"), ("SELL", "0.01"), ("SELL", "0.05"), ("BUY", "0.03")):
        await client.ok("POST", "/fapi/v1/order", symbol=BTC, side=side, type="MARKET", quantity=qty)
        client.step(60_000)
    trades = await client.ok("GET", "/fapi/v1/userTrades", symbol=BTC)
    assert len(trades) == 4
    realized = sum(D(t["realizedPnl"]) for t in trades)
    fees = sum(D(t["commission"]) for t in trades)
    balance = (await client.ok("GET", "/fapi/v2/balance"))[0]
    assert D(balance["balance"]) == start + realized - fees
    assert realized != 0 and fees > 0


async def test_order_count_headers(client):
    high = str((client.price() * D("1.5")).quantize(D("0.1")))
    for n in (1, 2):
        status, headers, _ = await client.call("POST", "/fapi/v1/order", symbol=BTC, side="SELL", type="LIMIT",
                                               timeInForce="GTC", quantity="0.01", price=high)
        assert status == 200
        assert (headers["X-MBX-ORDER-COUNT-10S"], headers["X-MBX-ORDER-COUNT-1M"]) == (str(n), str(n))
        assert headers["X-MBX-USED-WEIGHT-1M"]


@pytest.mark.parametrize("params, code", [
    ({}, -1102),
    ({"symbol": "NOPE"}, -1121),
    ({"symbol": BTC, "side": "BUY", "type": "MARKET", "quantity": "1e-3"}, -1100),
    ({"symbol": BTC, "side": "BUY", "type": "MARKET", "quantity": "0.01", "recvWindow": "x"}, -1100),
    ({"symbol": BTC, "side": "BUY", "type": "LIMIT", "quantity": "0.01", "price": "NaN",
      "timeInForce": "GTC"}, -1100),
    ({"symbol": BTC, "side": "BUY", "type": "LIMIT", "quantity": "9" * 25, "price": "1", "timeInForce": "GTC"},
     -1100),
    ({"symbol": BTC, "side": "BUY", "type": "STOP_MARKET", "stopPrice": "0", "quantity": "0.01"}, -4006),
    ({"symbol": BTC, "side": "buy", "type": "MARKET", "quantity": "0.01"}, -1117),
    ({"symbol": BTC, "side": "BUY", "type": "MARKET", "quantity": "0.01", "goodTillDate": "soon"}, None),
])
async def test_bad_input_gets_binance_errors_never_500(client, params, code):
    status, _, payload = await client.call("POST", "/fapi/v1/order", **params)
    if code is None:  # parameters a type does not read are ignored, as on Binance
        assert status == 200
    else:
        assert status == 400 and payload["code"] == code, payload


async def test_batch_orders_place_and_cancel(client):
    import orjson

    high = str((client.price() * D("1.5")).quantize(D("0.1")))
    batch = [
        {"symbol": BTC, "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01", "price": high},
        {"symbol": BTC, "side": "SELL", "type": "MARKET", "quantity": "0.01", "reduceOnly": "true"},
    ]
    status, headers, placed = await client.call("POST", "/fapi/v1/batchOrders", body=True,
                                                batchOrders=orjson.dumps(batch).decode())
    assert status == 200 and headers["X-MBX-ORDER-COUNT-10S"] == "5" and headers["X-MBX-ORDER-COUNT-1M"] == "1"
    assert same_shape(placed[0], ex.NEW_ORDER) == []
    assert placed[1] == {"code": -2022, "msg": "ReduceOnly Order is rejected."}  # the docs' own example
    canceled = await client.ok("DELETE", "/fapi/v1/batchOrders", symbol=BTC,
                               orderIdList=orjson.dumps([placed[0]["orderId"], 1]).decode())
    assert canceled[0]["status"] == "CANCELED" and same_shape(canceled[0], ex.NEW_ORDER) == []
    assert canceled[1] == {"code": -2011, "msg": "Unknown order sent."}
    too_many = orjson.dumps(batch * 3).decode()
    assert await client.error("POST", "/fapi/v1/batchOrders", batchOrders=too_many) == -4082
    assert await client.error("POST", "/fapi/v1/batchOrders", batchOrders="[{") == -1130


async def test_undecodable_body_and_odd_queries_get_400(client):
    headers = {"X-MBX-APIKEY": client.key.api_key, "Content-Type": "application/x-www-form-urlencoded"}
    async with client.session.post(f"{client.base_url}/fapi/v1/order", data=b"symbol=\xff\xfe", headers=headers) as r:
        assert r.status == 400 and (await r.json(content_type=None))["code"] == -1100
    for query in ("symbol=%FF&timestamp=1", "&&&", "=", "timestamp=1&timestamp=2", "signature=zz"):
        async with client.session.get(f"{client.base_url}/fapi/v2/balance?{query}", headers=headers) as r:
            assert r.status == 400, (query, await r.text())


async def test_algo_order_endpoints(client):
    await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="MARKET", quantity="0.01")
    low = str((client.price() * D("0.7")).quantize(D("0.1")))
    placed = await client.ok("POST", "/fapi/v1/algoOrder", algoType="CONDITIONAL", symbol=BTC, side="SELL",
                             type="STOP_MARKET", triggerPrice=low, quantity="0.01", reduceOnly="true")
    assert same_shape(placed, ex.ALGO_ORDER) == [] and placed["algoStatus"] == "NEW"
    queried = {**placed, "actualOrderId": "", "actualPrice": ""}  # a query also names the triggered order
    assert await client.ok("GET", "/fapi/v1/algoOrder", algoId=placed["algoId"]) == queried
    assert await client.ok("GET", "/fapi/v1/openAlgoOrders", symbol=BTC) == [queried]
    canceled = await client.ok("DELETE", "/fapi/v1/algoOrder", algoId=placed["algoId"])
    assert same_shape(canceled, ex.ALGO_CANCEL) == []
    history = await client.ok("GET", "/fapi/v1/allAlgoOrders", symbol=BTC)
    assert [a["algoStatus"] for a in history] == ["CANCELED"]
    assert await client.error("DELETE", "/fapi/v1/algoOrder", algoId=placed["algoId"]) == -2011
    assert await client.error("GET", "/fapi/v1/algoOrder") == -1102
    await client.ok("POST", "/fapi/v1/algoOrder", algoType="CONDITIONAL", symbol=BTC, side="SELL",
                    type="STOP_MARKET", triggerPrice=low, quantity="0.01", reduceOnly="true")
    assert (await client.ok("DELETE", "/fapi/v1/algoOpenOrders", symbol=BTC))["code"] == 200
    assert await client.ok("GET", "/fapi/v1/openAlgoOrders") == []


async def test_config_sets_balance_fees_and_slippage(sandbox_factory):
    import aiohttp
    from trading_client import Signed

    base_url, app = await sandbox_factory(starting_balance_usdt=5000.0, taker_fee_rate=0.001, slippage_bps=10.0)
    async with aiohttp.ClientSession() as session:
        client = Signed(session, base_url, app)
        assert (await client.ok("GET", "/fapi/v2/balance"))[0]["balance"] == "5000.00000000"
        price = client.price()
        order = await client.ok("POST", "/fapi/v1/order", symbol=BTC, side="BUY", type="MARKET", quantity="0.01",
                                newOrderRespType="RESULT")
        fill = D(order["avgPrice"])
        assert price * D("1.001") <= fill < price * D("1.001") + D("0.1")   # 10 bps, up to the next tick
        trade, = await client.ok("GET", "/fapi/v1/userTrades", symbol=BTC)
        assert D(trade["commission"]) == (fill * D("0.01") * D("0.001")).quantize(D("0.00000001"))
