"""client.trading against the sandbox exchange on loopback sockets: orders, positions, balances,
trades, algo orders, configuration and filters; every expected value is worked out by hand from
the sandbox's documented rules (TRADING.md) and its own books, never from the adapter's output."""
from __future__ import annotations

from decimal import Decimal

import pytest

from market.binance.errors import OrderNotFoundError, OrderRejectedError, PermanentError
from market.binance.signing import Credentials
from market.binance.trading import decimal_text
from sandbox.trading import key_store


@pytest.fixture
def key(sandbox):
    _, app = sandbox
    created = key_store(app).create(label="trading test")
    return Credentials(api_key=created.api_key, secret=created.secret)


def test_decimal_text_is_the_shortest_exact_string():
    assert decimal_text(Decimal("0.0100")) == "0.01"
    assert decimal_text(Decimal("1E+2")) == "100"
    assert decimal_text(Decimal("0")) == "0"
    assert decimal_text(5) == "5"
    with pytest.raises(TypeError):
        decimal_text(0.1)
    with pytest.raises(ValueError):
        decimal_text(Decimal("-1"))


async def test_market_order_fills_and_shows_in_trades_positions_and_balance(sandbox, make_client, key):
    base_url, app = sandbox
    client = await make_client(base_url)
    order = await client.trading.new_order(key, symbol="BTCUSDT", side="BUY", type="MARKET",
                                           quantity=Decimal("0.010"), client_order_id="bsm-test-1")
    assert (order.status, order.executed_qty, order.orig_qty) == ("FILLED", Decimal("0.010"), Decimal("0.010"))
    assert order.client_order_id == "bsm-test-1" and order.position_side == "BOTH" and order.type == "MARKET"
    assert order.cum_quote == order.avg_price * order.executed_qty
    assert client.stats.orders == 1

    trades = await client.trading.user_trades(key, symbol="BTCUSDT")
    assert len(trades) == 1
    trade = trades[0]
    assert (trade.order_id, trade.side, trade.qty, trade.price) == (order.order_id, "BUY", Decimal("0.010"), order.avg_price)
    # Taker fee 0.05% of the notional (SandboxConfig.taker_fee_rate), rounded to 8 decimals.
    assert trade.commission == (trade.price * trade.qty * Decimal("0.0005")).quantize(Decimal("1E-8"))
    assert trade.quote_qty == trade.price * trade.qty and not trade.maker and trade.commission_asset == "USDT"

    rows = [p for p in await client.trading.position_risk(key, "BTCUSDT")]
    assert [(p.position_side, p.amount, p.entry_price) for p in rows] == [("BOTH", Decimal("0.010"), trade.price)]
    assert rows[0].leverage == 20 and rows[0].margin_type == "cross"

    balances = await client.trading.balances(key)
    usdt = next(b for b in balances if b.asset == "USDT")
    assert usdt.wallet_balance == Decimal("10000") - trade.commission  # start - fee, nothing realised yet

    account = await client.trading.account(key)
    assert account.total_wallet_balance == usdt.wallet_balance
    assert [b.wallet_balance for b in account.balances if b.asset == "USDT"] == [usdt.wallet_balance]


async def test_limit_order_query_open_cancel_and_not_found(sandbox, make_client, key):
    base_url, app = sandbox
    client = await make_client(base_url)
    filters = await client.trading.exchange_filters("BTCUSDT")
    # BTCUSDT's recorded filters (sandbox/data/exchange_info_usdm.json, mainnet 2024-10-20).
    assert (filters.tick_size, filters.step_size, filters.min_qty, filters.min_notional) == (
        Decimal("0.10"), Decimal("0.001"), Decimal("0.001"), Decimal("100"))
    assert (filters.price_precision, filters.quantity_precision) == (2, 3)
    assert filters.market_max_qty == Decimal("120")

    order = await client.trading.new_order(key, symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC",
                                           quantity=Decimal("0.010"), price=Decimal("20000"),
                                           client_order_id="bsm-limit-1")
    assert (order.status, order.price, order.executed_qty) == ("NEW", Decimal("20000"), 0)
    queried = await client.trading.query_order(key, symbol="BTCUSDT", client_order_id="bsm-limit-1")
    assert queried.order_id == order.order_id and queried.time_ms is not None
    assert [o.order_id for o in await client.trading.open_orders(key, "BTCUSDT")] == [order.order_id]

    canceled = await client.trading.cancel_order(key, symbol="BTCUSDT", order_id=order.order_id)
    assert canceled.status == "CANCELED"
    assert await client.trading.open_orders(key) == []
    with pytest.raises(OrderNotFoundError) as caught:
        await client.trading.cancel_order(key, symbol="BTCUSDT", order_id=order.order_id)
    assert caught.value.code == -2011
    with pytest.raises(OrderNotFoundError) as caught:
        await client.trading.query_order(key, symbol="BTCUSDT", client_order_id="never-sent")
    assert caught.value.code == -2013
    history = await client.trading.all_orders(key, symbol="BTCUSDT")
    assert [(o.client_order_id, o.status) for o in history] == [("bsm-limit-1", "CANCELED")]


async def test_refusals_are_typed_with_code_and_message(sandbox, make_client, key):
    base_url, _ = sandbox
    client = await make_client(base_url)
    with pytest.raises(OrderRejectedError) as caught:  # below MIN_NOTIONAL 100: 0.001 x 20000 = 20
        await client.trading.new_order(key, symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC",
                                       quantity=Decimal("0.001"), price=Decimal("20000"), client_order_id="bsm-small")
    assert caught.value.code == -4164 and "notional" in caught.value.message
    with pytest.raises(OrderRejectedError) as caught:  # not a tick multiple
        await client.trading.new_order(key, symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC",
                                       quantity=Decimal("0.010"), price=Decimal("20000.05"), client_order_id="bsm-tick")
    assert caught.value.code in (-4014, -1111)
    assert client.stats.retries == 0 and client.stats.orders == 2  # sent once each


async def test_batch_answers_in_order_with_refusals_in_place(sandbox, make_client, key):
    base_url, _ = sandbox
    client = await make_client(base_url)
    results = await client.trading.batch_orders(key, [
        {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "time_in_force": "GTC", "quantity": Decimal("0.010"),
         "price": Decimal("20000"), "client_order_id": "bsm-b1"},
        {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "time_in_force": "GTC", "quantity": Decimal("0.001"),
         "price": Decimal("20000"), "client_order_id": "bsm-b2"},
    ])
    assert results[0].client_order_id == "bsm-b1" and results[0].status == "NEW"
    assert isinstance(results[1], OrderRejectedError) and results[1].code == -4164
    await client.trading.cancel_all(key, symbol="BTCUSDT")
    assert await client.trading.open_orders(key, "BTCUSDT") == []


async def test_hedge_mode_leverage_and_margin_type(sandbox, make_client, key):
    base_url, _ = sandbox
    client = await make_client(base_url)
    assert await client.trading.position_mode(key) is False
    await client.trading.position_mode_set(key, hedge=True)
    assert await client.trading.position_mode(key) is True
    with pytest.raises(PermanentError) as caught:
        await client.trading.position_mode_set(key, hedge=True)
    assert caught.value.code == -4059
    assert await client.trading.leverage_set(key, symbol="ETHUSDT", leverage=7) == 7
    await client.trading.margin_type_set(key, symbol="ETHUSDT", margin_type="isolated")
    rows = {p.position_side: p for p in await client.trading.position_risk(key, "ETHUSDT")}
    assert set(rows) == {"BOTH", "LONG", "SHORT"}
    assert rows["LONG"].leverage == 7 and rows["LONG"].margin_type == "isolated"

    long = await client.trading.new_order(key, symbol="ETHUSDT", side="BUY", position_side="LONG", type="MARKET",
                                          quantity=Decimal("0.100"), client_order_id="bss1-long")
    short = await client.trading.new_order(key, symbol="ETHUSDT", side="SELL", position_side="SHORT", type="MARKET",
                                           quantity=Decimal("0.050"), client_order_id="bss2-short")
    rows = {p.position_side: p.amount for p in await client.trading.position_risk(key, "ETHUSDT")}
    assert rows == {"BOTH": 0, "LONG": Decimal("0.100"), "SHORT": Decimal("-0.050")}
    assert (long.position_side, short.position_side) == ("LONG", "SHORT")
    with pytest.raises(OrderRejectedError) as caught:  # reduceOnly may not be sent in Hedge Mode
        await client.trading.new_order(key, symbol="ETHUSDT", side="SELL", position_side="LONG", type="MARKET",
                                       quantity=Decimal("0.100"), reduce_only=True, client_order_id="bsk-x")
    assert caught.value.code == -1106


async def test_algo_orders_place_list_cancel(sandbox, make_client, key):
    base_url, _ = sandbox
    client = await make_client(base_url)
    algo = await client.trading.new_algo_order(key, symbol="BTCUSDT", side="SELL", type="STOP_MARKET",
                                               trigger_price=Decimal("20000"), close_position=True,
                                               working_type="MARK_PRICE", client_algo_id="bsm-sl-1")
    assert (algo.status, algo.order_type, algo.trigger_price, algo.close_position) == (
        "NEW", "STOP_MARKET", Decimal("20000"), True)
    assert [a.algo_id for a in await client.trading.open_algo_orders(key)] == [algo.algo_id]
    assert (await client.trading.query_algo_order(key, client_algo_id="bsm-sl-1")).algo_id == algo.algo_id
    assert await client.trading.cancel_algo_order(key, algo_id=algo.algo_id) == algo.algo_id
    assert await client.trading.open_algo_orders(key, "BTCUSDT") == []
    with pytest.raises(OrderNotFoundError):
        await client.trading.cancel_algo_order(key, algo_id=algo.algo_id)
    await client.trading.new_algo_order(key, symbol="BTCUSDT", side="SELL", type="TAKE_PROFIT_MARKET",
                                        trigger_price=Decimal("900000"), close_position=True, client_algo_id="bsm-tp-1")
    await client.trading.cancel_all_algo_orders(key, symbol="BTCUSDT")
    assert await client.trading.open_algo_orders(key) == []


async def test_listen_keys_and_unknown_symbols(sandbox, make_client, key):
    base_url, _ = sandbox
    client = await make_client(base_url)
    listen_key = await client.trading.listen_key_create(key)
    assert len(listen_key) == 64 and await client.trading.listen_key_create(key) == listen_key
    await client.trading.listen_key_keepalive(key)
    await client.trading.listen_key_close(key)
    with pytest.raises(PermanentError) as caught:
        await client.trading.listen_key_keepalive(key)
    assert caught.value.code == -1125
    with pytest.raises(PermanentError) as caught:
        await client.trading.exchange_filters("NOPEUSDT")
    assert caught.value.code == -1121


def test_api_groups_import_the_client_only_for_type_checking():
    """No import circle: the client imports its API groups; they name it only for type hints."""
    import ast
    from pathlib import Path

    import market.binance as package

    root = Path(package.__file__).parent
    for name in ("account.py", "market_data.py", "trading.py", "user_stream.py", "trading_schemas.py",
                 "user_events.py", "order_budget.py"):
        tree = ast.parse((root / name).read_text())
        guarded = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and getattr(node.test, "id", "") == "TYPE_CHECKING" for n in ast.walk(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "market.binance.client":
                assert id(node) in guarded, f"{name} imports the client at run time"


async def test_now_ms_is_the_signing_clock(sandbox, make_client):
    """The clock orders are stamped with and deadlines judged on: our wall clock on the sandbox
    (which checks recvWindow against it), the exchange's measured clock on a real venue."""
    import dataclasses

    from market.binance.signing import ServerClock, local_ms

    base_url, app = sandbox
    client = await make_client(base_url)
    before = local_ms()
    assert before <= await client.trading.now_ms() <= local_ms()
    client.venue = dataclasses.replace(client.venue, environment="testnet")
    client.clock = ServerClock()
    replay = app["market"].now_ms()  # paused in tests: 2026-01 of the replay, far from our clock
    assert abs(await client.trading.now_ms() - replay) < 1_000
