"""Orders: create (filters and risk checked, stored PENDING), cancel, close a position.

Sending is `placement.py` (re-exported here): `order_create` schedules `trading.order_send` after
commit, or the caller sends inline with `send=False` + `order_send(...)` (the kill switch, the
strategy engine). A manual order's stop-loss and take-profit are conditional closePosition orders
(STOP_MARKET / TAKE_PROFIT_MARKET through the Algo Order service), stored PENDING as children of the
entry and sent once the entry has filled.
"""
from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from common import metrics
from market.binance.errors import BinanceError, OrderNotFoundError
from trading.client_ids import client_order_id_new
from trading.math import Filters, OrderInvalid, order_filtered, quantity_from_percent
from trading.models import Order, OrderSource, OrderStatus, PositionSide, TradingState
from trading.services.events import order_state_adopt, state_of_rest
from trading.services.placement import (  # noqa: F401  (the sending half, imported from here by callers)
    children_send, order_published, order_resolve, order_send, orders_recover, session_or_new,
)
from trading.services.risk import AccountPaused, Intent, RiskRefused, order_is_exit, positions_now, risk_check

__all__ = ["OrderInvalid", "RiskRefused", "order_create", "order_cancel", "position_close", "order_send",
           "order_resolve", "orders_recover"]
TYPES = ("MARKET", "LIMIT", "STOP_MARKET", "TAKE_PROFIT_MARKET")
ZERO = Decimal(0)


def _filters(session, symbol: str) -> Filters:
    try:
        f = session.filters(symbol)
    except BinanceError as exc:
        if getattr(exc, "code", None) == -1121:
            raise OrderInvalid(f"unknown symbol {symbol}", "symbol") from None
        raise
    return Filters(tick_size=f.tick_size, step_size=f.step_size, min_qty=f.min_qty, max_qty=f.max_qty,
                   market_max_qty=f.market_max_qty, min_notional=f.min_notional)


def order_create(*, account, symbol: str, side: str, type: str, quantity: Decimal | None = None,
                 quote_percent: Decimal | None = None, price: Decimal | None = None,
                 stop_price: Decimal | None = None, position_side: str | None = None, reduce_only: bool = False,
                 close_position: bool = False, time_in_force: str | None = None, leverage: int | None = None,
                 stop_loss_price: Decimal | None = None, take_profit_price: Decimal | None = None, tag: str = "m",
                 source: str = OrderSource.MANUAL, strategy_run_id: int | None = None, send: bool = True,
                 session=None) -> Order:
    if side not in ("BUY", "SELL"):
        raise OrderInvalid("side must be BUY or SELL", "side")
    if type not in TYPES:
        raise OrderInvalid(f"type must be one of {', '.join(TYPES)}", "type")
    if type == "LIMIT" and price is None:
        raise OrderInvalid("a LIMIT order needs a price", "price")
    if type == "MARKET" and price is not None:
        raise OrderInvalid("a MARKET order takes no price", "price")
    if type in ("STOP_MARKET", "TAKE_PROFIT_MARKET") and stop_price is None:
        raise OrderInvalid(f"a {type} order needs a stop price", "stop_price")
    if (quantity is None) == (quote_percent is None) and not close_position:
        raise OrderInvalid("give either a quantity or a percent of the balance", "quantity")
    state, _ = TradingState.objects.get_or_create(account=account)
    if state.hedge_mode:
        if position_side not in ("LONG", "SHORT"):
            raise OrderInvalid("in Hedge Mode an order needs position side LONG or SHORT", "position_side")
    elif position_side not in (None, "BOTH"):
        raise OrderInvalid("position side LONG/SHORT needs Hedge Mode; this account is in One-way Mode",
                           "position_side")
    position_side = position_side if state.hedge_mode else PositionSide.BOTH
    with session_or_new(account, session) as ex:
        filters = _filters(ex, symbol)
        rows = ex.call(lambda c, creds: c.trading.position_risk(creds, symbol))
        leg = next((r for r in rows if r.symbol == symbol and r.position_side == position_side), None)
        mark = next((r.mark_price for r in rows if r.symbol == symbol and r.mark_price), ZERO)
        amount = leg.amount if leg else ZERO
        current_leverage = leg.leverage if leg else 20
        reference = price if type == "LIMIT" else (stop_price if type != "MARKET" else mark)
        if quote_percent is not None:
            balances = ex.call(lambda c, creds: c.trading.balances(creds))
            available = next((b.available_balance for b in balances if b.asset == "USDT"), ZERO)
            quantity = quantity_from_percent(percent=Decimal(quote_percent), available=available,
                                             price=reference or mark, leverage=leverage or current_leverage)
        is_exit = order_is_exit(side=side, position_side=position_side, quantity=quantity, position_amount=amount,
                                reduce_only=reduce_only, close_position=close_position)
        quantity, price, stop_price = order_filtered(
            filters=filters, type=type, quantity=quantity, price=price, stop_price=stop_price,
            reference_price=reference or mark, reduce_only=reduce_only or is_exit, close_position=close_position)
        for name, level in (("stop_loss_price", stop_loss_price), ("take_profit_price", take_profit_price)):
            if level is not None and level <= 0:
                raise OrderInvalid(f"{name.replace('_', ' ')} must be above 0", name)
        intent = Intent(symbol=symbol, side=side, position_side=position_side, quantity=quantity or abs(amount),
                        price=reference or mark, leverage=leverage or current_leverage, is_exit=is_exit, source=source)
        try:
            with transaction.atomic():
                locked = TradingState.objects.select_for_update().get(pk=state.pk)
                risk_check(account=account, state=locked, intent=intent,
                           positions=positions_now(account=account, fresh={(symbol, position_side): (amount, mark)}))
                if leverage is not None and leverage != current_leverage:
                    ex.call(lambda c, creds: c.trading.leverage_set(creds, symbol=symbol, leverage=leverage))
                order = Order.objects.create(
                    account=account, client_order_id=client_order_id_new(tag), tag=tag, source=source,
                    strategy_run_id=strategy_run_id, symbol=symbol, side=side, position_side=position_side, type=type,
                    time_in_force=time_in_force or ("GTC" if type == "LIMIT" else ""), quantity=quantity, price=price,
                    stop_price=stop_price, reduce_only=reduce_only and not state.hedge_mode,
                    close_position=close_position)
                _protect(order, stop_loss_price, take_profit_price, filters)
                order_published(order)
                if send:
                    from trading.tasks import order_send as order_send_task

                    transaction.on_commit(lambda: order_send_task.delay(order.pk))
        except AccountPaused as exc:
            if exc.limit == "daily_loss_limit":  # the refusal rolled back; the pause must stand
                TradingState.objects.filter(pk=state.pk).update(paused=True, pause_reason=str(exc)[:200],
                                                                updated_at=timezone.now())
            raise
    return order


def _protect(entry: Order, stop_loss: Decimal | None, take_profit: Decimal | None, filters: Filters) -> None:
    exit_side = "SELL" if entry.side == "BUY" else "BUY"
    for kind, level in (("STOP_MARKET", stop_loss), ("TAKE_PROFIT_MARKET", take_profit)):
        if level is None:
            continue
        _, _, trigger = order_filtered(filters=filters, type=kind, quantity=None, price=None, stop_price=level,
                                       reference_price=level, close_position=True)
        Order.objects.create(
            account=entry.account, client_order_id=client_order_id_new(entry.tag), tag=entry.tag, source=entry.source,
            strategy_run_id=entry.strategy_run_id, symbol=entry.symbol, side=exit_side,
            position_side=entry.position_side, type=kind, stop_price=trigger, close_position=True, is_algo=True,
            parent=entry)


def order_cancel(*, order: Order, session=None) -> Order:
    """Cancel a working order (or one not yet sent). A finished order: OrderInvalid."""
    if order.status == OrderStatus.PENDING:
        done = Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
            status=OrderStatus.NOT_SENT, error_message="canceled before it was sent", updated_at=timezone.now())
        order.refresh_from_db()
        if done:
            order_published(order)
            metrics.order_finished(OrderStatus.NOT_SENT)
            return order
    if order.status not in (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED):
        raise OrderInvalid(f"the order is {order.status}: only working orders can be canceled", "status")
    with session_or_new(order.account, session) as ex:
        try:
            if order.is_algo:
                ex.call(lambda c, creds: c.trading.cancel_algo_order(creds, client_algo_id=order.client_order_id))
                if Order.objects.filter(pk=order.pk, status__in=[OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED]).update(
                        status=OrderStatus.CANCELED, updated_at=timezone.now()):
                    metrics.order_finished(OrderStatus.CANCELED)
                order.refresh_from_db()
                order_published(order)
                return order
            answer = ex.call(lambda c, creds: c.trading.cancel_order(
                creds, symbol=order.symbol, client_order_id=order.client_order_id))
        except OrderNotFoundError:
            answer = ex.call(lambda c, creds: c.trading.query_order(
                creds, symbol=order.symbol, client_order_id=order.client_order_id))
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if order_state_adopt(order=locked, state=state_of_rest(answer)):
            order_published(locked)
    return locked



def position_close(*, account, symbol: str, position_side: str = "BOTH", tag: str = "m",
                   source: str = OrderSource.MANUAL, send: bool = True, session=None) -> Order:
    """A MARKET order closing the whole (symbol, side) leg: reduce-only in One-way Mode, the
    opposite side on the same position side in Hedge Mode."""
    with session_or_new(account, session) as ex:
        rows = ex.call(lambda c, creds: c.trading.position_risk(creds, symbol))
        leg = next((r for r in rows if r.symbol == symbol and r.position_side == position_side and r.amount), None)
        if leg is None:
            raise OrderInvalid(f"no open {symbol} {position_side} position", "symbol")
        side = "SELL" if leg.amount > 0 else "BUY"
        return order_create(account=account, symbol=symbol, side=side, type="MARKET", quantity=abs(leg.amount),
                            position_side=None if position_side == "BOTH" else position_side,
                            reduce_only=position_side == "BOTH", tag=tag, source=source, send=send, session=ex)
