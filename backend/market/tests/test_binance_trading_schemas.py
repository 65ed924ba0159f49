"""Trading decoders and user-stream event decoders on recorded Binance payloads and the docs'
examples (payloads/trading/, see payloads/README.md): every expected value is read off the file."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import orjson
import pytest

from market.binance.errors import DecodeError, OrderRejectedError
from market.binance.trading_schemas import (
    account_decode, algos_decode, balances_decode, batch_decode, income_decode, order_decode, orders_decode,
    position_risk_decode, symbol_filters_decode, user_trades_decode,
)
from market.binance.user_events import (
    AccountUpdate, AlgoUpdate, ConfigUpdate, ListenKeyExpired, MarginCall, OrderUpdate, user_event_decode,
)

PAYLOADS = Path(__file__).parent / "payloads"
TRADING = PAYLOADS / "trading"
DOCS = json.loads((TRADING / "docs_examples.json").read_text())


def raw(name: str) -> bytes:
    return (TRADING / name).read_bytes()


def frame(name: str) -> dict:
    return json.loads(raw(name))


def test_order_answers():
    order = order_decode(raw("futures_order_response.json"))
    assert (order.order_id, order.client_order_id, order.symbol, order.status, order.type, order.side) == (
        12345678, "testOrder123", "BTCUSDT", "NEW", "LIMIT", "BUY")
    assert (order.price, order.orig_qty, order.executed_qty, order.avg_price) == (
        Decimal("50000.00"), Decimal("0.001"), Decimal("0.000"), Decimal("0.00"))
    assert (order.time_ms, order.update_time_ms, order.reduce_only, order.position_side) == (
        1625474304765, 1625474304765, False, "BOTH")
    [trailing] = orders_decode(raw("http_futures_account_orders.json"), "allOrders")
    assert (trailing.orig_type, trailing.position_side, trailing.stop_price, trailing.cum_quote) == (
        "TRAILING_STOP_MARKET", "SHORT", Decimal("9300"), Decimal("0"))


def test_batch_answer_keeps_refusals_in_place():
    [accepted] = batch_decode(raw("fapi_v1_batchOrders_response_LIMIT_NEW_2025-02-17.json"), "batchOrders")
    assert (accepted.order_id, accepted.price, accepted.orig_qty, accepted.update_time_ms) == (
        4087922044, Decimal("110001.00"), Decimal("0.200"), 1739781831932)
    mixed = batch_decode(orjson.dumps([orjson.loads(raw("futures_order_response.json")),
                                       {"code": -2019, "msg": "Margin is insufficient."}]), "batchOrders")
    assert mixed[0].order_id == 12345678
    assert isinstance(mixed[1], OrderRejectedError) and (mixed[1].code, mixed[1].message) == (
        -2019, "Margin is insufficient.")


def test_trades_positions_balances_account_income():
    first, second = user_trades_decode(raw("http_futures_account_trades.json"))
    assert (first.id, first.order_id, first.price, first.qty, first.quote_qty, first.commission) == (
        82357626, 831238666, Decimal("2778.35"), Decimal("0.005"), Decimal("13.89175"), Decimal("0.00555670"))
    assert (second.realized_pnl, second.maker, second.time_ms) == (Decimal("-0.00325000"), False, 1645930333910)

    [one_way] = position_risk_decode(raw("futures_position_risk.json"))
    assert (one_way.amount, one_way.entry_price, one_way.break_even_price, one_way.leverage, one_way.margin_type) == (
        Decimal("0.001"), Decimal("50000.0"), Decimal("50100.0"), 20, "cross")
    long, short = position_risk_decode(orjson.dumps(DOCS["positionRisk_v2_hedge"]))
    assert (long.position_side, long.amount, long.unrealized_pnl, long.liquidation_price) == (
        "LONG", Decimal("0.001"), Decimal("-1.06214947"), Decimal("19731.45529116"))
    assert (short.position_side, short.amount, short.update_time_ms) == ("SHORT", 0, 0)

    [usdt] = balances_decode(raw("futures_balance.json"))
    assert (usdt.asset, usdt.wallet_balance, usdt.available_balance, usdt.update_time_ms) == (
        "USDT", Decimal("122.12345678"), Decimal("122.12345678"), 1617939110373)

    account = account_decode(raw("futures_account_info_v2.json"))
    assert account.can_trade and account.total_wallet_balance == Decimal("23.72469206")

    transfer, commission = income_decode(orjson.dumps(DOCS["income"]))
    assert (transfer.symbol, transfer.income_type, transfer.income, transfer.trade_id) == (
        "", "TRANSFER", Decimal("-0.37500000"), "")
    assert (commission.symbol, commission.tran_id, commission.trade_id) == ("BTCUSDT", 9689322392, "2059192")


def test_algo_orders_and_filters():
    [algo] = algos_decode(raw("futures_open_algo_orders.json"), "openAlgoOrders")
    assert (algo.algo_id, algo.client_algo_id, algo.order_type, algo.status, algo.trigger_price) == (
        123456789, "test-algo-order-1", "STOP_MARKET", "NEW", Decimal("45000.00"))
    assert algo.actual_order_id is None  # the recorded row has no actualOrderId: nothing placed yet
    row = {**orjson.loads(raw("futures_open_algo_orders.json"))[0], "algoStatus": "FINISHED"}
    assert algos_decode(orjson.dumps([{**row, "actualOrderId": ""}]), "q")[0].actual_order_id is None
    assert algos_decode(orjson.dumps([{**row, "actualOrderId": "8389765519"}]), "q")[0].actual_order_id == 8389765519
    filters = symbol_filters_decode((PAYLOADS / "fapi_v1_exchangeInfo_MAINNET_2024-10-20_subset.json").read_bytes())
    btc = filters["BTCUSDT"]
    # The recorded BTCUSDT entry: PRICE_FILTER 0.10, LOT_SIZE 0.001..1000, MARKET_LOT_SIZE max 120, MIN_NOTIONAL 100.
    assert (btc.tick_size, btc.step_size, btc.min_qty, btc.max_qty, btc.market_max_qty, btc.min_notional) == (
        Decimal("0.10"), Decimal("0.001"), Decimal("0.001"), Decimal("1000"), Decimal("120"), Decimal("100"))
    assert (btc.price_precision, btc.quantity_precision) == (2, 3)


def test_order_update_frames():
    update = user_event_decode(frame("user_order_update_trade.json"))
    assert isinstance(update, OrderUpdate)
    assert (update.execution_type, update.status, update.trade_id, update.last_filled_qty, update.last_filled_price) == (
        "TRADE", "PARTIALLY_FILLED", 12345678, Decimal("0.001"), Decimal("7100.50"))
    assert (update.commission, update.commission_asset, update.realized_pnl, update.maker, update.position_side) == (
        Decimal("0.01000000"), "USDT", Decimal("12.34"), True, "LONG")
    docs = user_event_decode(DOCS["ORDER_TRADE_UPDATE"])
    assert (docs.type, docs.stop_price, docs.trade_id, docs.event_time_ms, docs.transaction_time_ms) == (
        "TRAILING_STOP_MARKET", Decimal("7103.04"), 0, 1568879465651, 1568879465650)
    new = user_event_decode(frame("user_order_update_new.json"))
    assert (new.execution_type, new.cum_filled_qty) == ("NEW", 0)


def test_account_margin_config_algo_and_expiry_frames():
    account = user_event_decode(DOCS["ACCOUNT_UPDATE"])
    assert isinstance(account, AccountUpdate) and account.reason == "ORDER"
    assert [(b.asset, b.wallet_balance, b.balance_change) for b in account.balances] == [
        ("USDT", Decimal("122624.12345678"), Decimal("50.12345678")), ("BUSD", Decimal("1.00000000"), Decimal("-49.12345678"))]
    assert [(p.position_side, p.amount, p.entry_price) for p in account.positions] == [
        ("BOTH", 0, 0), ("LONG", Decimal("20"), Decimal("6563.66500")), ("SHORT", Decimal("-10"), Decimal("6563.86000"))]
    recorded = user_event_decode(frame("user_account_update.json"))
    assert recorded.positions[2].break_even_price == Decimal("6563.861")

    call = user_event_decode(DOCS["MARGIN_CALL"])
    assert isinstance(call, MarginCall) and call.cross_wallet_balance == Decimal("3.16812045")
    assert [(p.symbol, p.mark_price, p.maint_margin) for p in call.positions] == [
        ("ETHUSDT", Decimal("187.17127"), Decimal("1.614445"))]

    leverage = user_event_decode(DOCS["ACCOUNT_CONFIG_UPDATE_leverage"])
    assert isinstance(leverage, ConfigUpdate) and (leverage.symbol, leverage.leverage, leverage.multi_assets) == (
        "BTCUSDT", 25, None)
    assert user_event_decode(DOCS["ACCOUNT_CONFIG_UPDATE_multi_assets"]).multi_assets is True

    algo = user_event_decode(frame("user_algo_update_new.json"))
    assert isinstance(algo, AlgoUpdate) and (algo.algo_id, algo.status, algo.order_id, algo.reject_reason) == (
        2148719, "NEW", None, "Reduce Only reject")
    triggered = user_event_decode(frame("ws_futures_algo_update_triggered.json"))  # combined-stream wrapper
    assert (triggered.status, triggered.order_id, triggered.trigger_price) == ("TRIGGERED", 88937381063, Decimal("0.13855"))

    expired = user_event_decode(DOCS["listenKeyExpired"])  # "E" is a string in this event
    assert isinstance(expired, ListenKeyExpired) and expired.event_time_ms == 1736996475556
    assert user_event_decode(frame("user_trade_lite.json")) is None  # repeats ORDER_TRADE_UPDATE: not used


def test_malformed_frames_raise_decode_error():
    with pytest.raises(DecodeError):
        user_event_decode({"e": "ORDER_TRADE_UPDATE", "E": 1, "o": {"s": "BTCUSDT"}})
    with pytest.raises(DecodeError):
        user_event_decode([1, 2])
    with pytest.raises(DecodeError):
        order_decode(b'{"orderId": "x"}')
