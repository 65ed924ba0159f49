"""Applying what the exchange says (user data stream events, REST answers of reconciliation) to
the platform's records. Binance is the source of truth; every function here is idempotent:

* fills are unique by (account, symbol, trade id): the same trade seen twice (stream, then
  userTrades) is stored once;
* an order's status only moves forward (NEW -> PARTIALLY_FILLED -> FILLED/CANCELED/EXPIRED), its
  executed quantity only grows, and `exchange_update_ms` keeps the newest exchange time seen, so a
  late or repeated event changes nothing;
* an order the platform did not place (the Binance app, another bot, a triggered conditional
  order) is created with source `external` and the tag of its client order id (`tag_of`).

Each call writes in one transaction and publishes `order_updated` / `position_updated` /
`balance_updated` after commit, only when something changed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from redis.exceptions import RedisError

from common import metrics
from market.binance.trading_schemas import ExchangeOrder, UserTrade
from market.binance.user_events import AccountUpdate, AlgoUpdate, OrderUpdate
from realtime.dispatcher import publish
from realtime.events import Event, user_group
from trading import lifecycle, payloads
from trading.client_ids import tag_of
from trading.models import (
    TERMINAL_STATUSES as _TERMINAL, BalanceSnapshot, Fill, Order, OrderSource, OrderStatus, PositionSnapshot,
)
from trading.services.positions import positions_payload

logger = logging.getLogger(__name__)

ZERO = Decimal(0)
_EXCHANGE_STATUS = {"NEW": OrderStatus.NEW, "PARTIALLY_FILLED": OrderStatus.PARTIALLY_FILLED,
                    "FILLED": OrderStatus.FILLED, "CANCELED": OrderStatus.CANCELED, "EXPIRED": OrderStatus.EXPIRED,
                    "EXPIRED_IN_MATCH": OrderStatus.EXPIRED}


@dataclass(frozen=True)
class ExchangeState:
    """An order's state as the exchange reports it (stream event or REST answer)."""

    order_id: int
    status: str
    executed_qty: Decimal
    avg_price: Decimal
    cum_quote: Decimal | None  # None: the stream does not carry it (computed from the fills)
    update_ms: int


def state_of_rest(order: ExchangeOrder) -> ExchangeState:
    return ExchangeState(order.order_id, order.status, order.executed_qty, order.avg_price, order.cum_quote,
                         order.update_time_ms)


def state_of_update(update: OrderUpdate) -> ExchangeState:
    return ExchangeState(update.order_id, update.status, update.cum_filled_qty, update.avg_price, None,
                         update.transaction_time_ms)


def account_event_publish(*, account, type: str, data: dict) -> None:
    """Send one private event of `account` to its owner after commit (`account_id` added). Robust:
    with Redis away the write stands and the failure is logged; the browser resyncs over REST."""
    event = Event(type, {"account_id": account.id, **data}, group=user_group(account.owner_id))

    def send() -> None:
        try:
            publish(event)
        except RedisError as exc:
            logger.warning("%s of account %s not pushed (Redis: %s)", type, account.id, exc)

    transaction.on_commit(send, robust=True)


# --- orders -------------------------------------------------------------------------------

def order_state_adopt(*, order: Order, state: ExchangeState) -> bool:
    """Move `order` (locked by the caller) to the exchange's `state` where that is news, through
    the lifecycle table (UPDATE for an order the exchange had, FOUND for one whose answer never
    came); save. Returns True when anything a user sees changed. A state that is not forward
    (a late event) changes nothing but the newest exchange time."""
    exchange_status = _EXCHANGE_STATUS.get(state.status)
    if exchange_status is None:
        logger.warning("order %s: exchange status %r ignored", order.client_order_id, state.status)
        return False
    fields: set[str] = set()
    if order.exchange_order_id is None:
        order.exchange_order_id = state.order_id
        fields.add("exchange_order_id")
    if order.status not in _TERMINAL and lifecycle.is_forward(order.status, exchange_status):
        trigger = lifecycle.Trigger.FOUND if order.status in _UNANSWERED else lifecycle.Trigger.UPDATE
        try:
            status = lifecycle.next_status(order.status, trigger, exchange_status)
        except lifecycle.IllegalTransition as exc:
            logger.error("order %s: %s", order.client_order_id, exc)
        else:
            if status != order.status:
                order.status = status
                fields.add("status")
            if state.executed_qty > order.executed_qty:
                order.executed_qty, order.avg_price = state.executed_qty, state.avg_price
                fields |= {"executed_qty", "avg_price"}
    elif order.status == OrderStatus.NOT_SENT:
        logger.error("order %s is NOT_SENT on the platform but the exchange has it (%s, id %s)",
                     order.client_order_id, state.status, state.order_id)
    if state.executed_qty == order.executed_qty:
        if state.cum_quote is not None and state.executed_qty and order.avg_price != state.avg_price:
            order.avg_price = state.avg_price  # a REST answer, exact (the stream's "ap" is the same text)
            fields.add("avg_price")
        cum_quote = state.cum_quote if state.cum_quote is not None else _cum_quote_of_fills(order)
        if cum_quote is not None and cum_quote != order.cum_quote:
            order.cum_quote = cum_quote
            fields.add("cum_quote")
    if state.update_ms > order.exchange_update_ms:
        order.exchange_update_ms = state.update_ms
        fields.add("exchange_update_ms")
    if not fields:
        return False
    order.save(update_fields=[*fields, "updated_at"])
    if "status" in fields and order.status in _TERMINAL:
        metrics.order_finished(order.status, on_commit=transaction.on_commit)
    return bool(fields - {"exchange_update_ms"})


_UNANSWERED = (OrderStatus.SENDING, OrderStatus.UNKNOWN)


def _cum_quote_of_fills(order: Order) -> Decimal | None:
    """The order's quote volume from its stored fills, when they add up to its executed quantity
    (the exchange's cumQuote is exactly that sum); None otherwise (reconciliation completes it)."""
    qty = quote = ZERO
    for fill in Fill.objects.filter(account_id=order.account_id, symbol=order.symbol,
                                    exchange_order_id=order.exchange_order_id):
        qty += fill.quantity
        quote += fill.quote_quantity
    return quote if qty == order.executed_qty else None


def external_order_get_or_create(*, account, client_order_id: str, order_id: int, symbol: str, side: str,
                                 position_side: str, type: str, time_in_force: str, quantity: Decimal,
                                 price: Decimal, stop_price: Decimal, reduce_only: bool,
                                 close_position: bool) -> tuple[Order, bool]:
    """The platform's row of an exchange order: found by exchange id or client id (locked), else
    created as an external order. Returns (order, created)."""
    order = (Order.objects.select_for_update().filter(account=account, symbol=symbol, exchange_order_id=order_id).first()
             or Order.objects.select_for_update().filter(account=account, client_order_id=client_order_id).first())
    if order is not None:
        return order, False
    try:
        with transaction.atomic():
            order = Order.objects.create(
                account=account, client_order_id=client_order_id, exchange_order_id=order_id,
                tag=tag_of(client_order_id), source=OrderSource.EXTERNAL, symbol=symbol, side=side,
                position_side=position_side, type=type, time_in_force=time_in_force, quantity=quantity,
                price=price or None, stop_price=stop_price or None, reduce_only=reduce_only,
                close_position=close_position, status=OrderStatus.UNKNOWN, executed_qty=ZERO, cum_quote=ZERO)
        return order, True
    except IntegrityError:  # someone stored it first (or its client id is already used)
        return Order.objects.select_for_update().get(client_order_id=client_order_id), False


def external_order_of_rest(*, account, order: ExchangeOrder) -> tuple[Order, bool]:
    return external_order_get_or_create(
        account=account, client_order_id=order.client_order_id, order_id=order.order_id, symbol=order.symbol,
        side=order.side, position_side=order.position_side, type=order.orig_type,
        time_in_force=order.time_in_force, quantity=order.orig_qty, price=order.price,
        stop_price=order.stop_price, reduce_only=order.reduce_only, close_position=order.close_position)


# --- fills ---------------------------------------------------------------------------------

def fill_record(*, account, order: Order | None, trade: UserTrade) -> tuple[Fill, bool]:
    """Store one trade, once (unique by account, symbol, trade id). Returns (fill, created)."""
    defaults = dict(
        order=order, exchange_order_id=trade.order_id, side=trade.side, position_side=trade.position_side,
        price=trade.price, quantity=trade.qty, quote_quantity=trade.quote_qty, commission=trade.commission,
        commission_asset=trade.commission_asset, realized_pnl=trade.realized_pnl, maker=trade.maker,
        time_ms=trade.time_ms, tag=order.tag if order is not None else tag_of(""),  # "x": not ours
    )
    return Fill.objects.get_or_create(account=account, symbol=trade.symbol, trade_id=trade.id, defaults=defaults)


def trade_of_update(update: OrderUpdate) -> UserTrade:
    return UserTrade(
        id=update.trade_id, order_id=update.order_id, symbol=update.symbol, side=update.side,
        position_side=update.position_side, price=update.last_filled_price, qty=update.last_filled_qty,
        quote_qty=update.last_filled_price * update.last_filled_qty, commission=update.commission,
        commission_asset=update.commission_asset, realized_pnl=update.realized_pnl, maker=update.maker,
        time_ms=update.trade_time_ms or update.transaction_time_ms)


# --- stream events -------------------------------------------------------------------------

def order_update_apply(*, account, update: OrderUpdate) -> Order:
    """One ORDER_TRADE_UPDATE: the order (created as external if unknown), its fill if it carries
    one, its state forward. Publishes `order_updated` when anything changed."""
    with transaction.atomic():
        order, created = external_order_get_or_create(
            account=account, client_order_id=update.client_order_id, order_id=update.order_id,
            symbol=update.symbol, side=update.side, position_side=update.position_side, type=update.orig_type,
            time_in_force=update.time_in_force, quantity=update.orig_qty, price=update.price,
            stop_price=update.stop_price, reduce_only=update.reduce_only, close_position=update.close_position)
        if order.exchange_order_id not in (None, update.order_id):
            # A client order id used again (Binance allows it once the first order is closed): this
            # event is another order than the stored one; its fill is kept, unattached.
            logger.warning("order %s: exchange id %s, the event's %s: a reused client order id",
                           order.client_order_id, order.exchange_order_id, update.order_id)
            if update.trade_id:
                fill_record(account=account, order=None, trade=trade_of_update(update))
            return order
        fill_created = False
        if update.trade_id:
            _, fill_created = fill_record(account=account, order=order, trade=trade_of_update(update))
        before = order.status
        changed = order_state_adopt(order=order, state=state_of_update(update))
        if created or fill_created or changed:
            account_event_publish(account=account, type="order_updated", data={"order": payloads.order_payload(order)})
        if before != order.status == OrderStatus.FILLED and order.children.filter(status=OrderStatus.PENDING).exists():
            transaction.on_commit(lambda: _children_send(order), robust=True)
    return order


def _children_send(parent: Order) -> None:
    """An entry filled (a resting LIMIT, seen on the stream): its stop-loss / take-profit go out."""
    from trading.services.placement import children_send

    children_send(parent=parent)


def algo_update_apply(*, account, update: AlgoUpdate) -> None:
    """ALGO_UPDATE: a conditional order's status (the same mapping as the sender's answers); once
    triggered, the order it placed (`ai`) takes the conditional order's tag, source and parent,
    and so do that order's fills."""
    from trading.services.placement import _algo_adopt  # the sender's mapping of algo statuses

    with transaction.atomic():
        algo = Order.objects.select_for_update().filter(account=account, is_algo=True, algo_id=update.algo_id).first()
        if algo is None:
            algo = Order.objects.select_for_update().filter(account=account, is_algo=True,
                                                            client_order_id=update.client_algo_id).first()
        if algo is None:
            return  # not the platform's
        if _algo_adopt(algo, update):
            account_event_publish(account=account, type="order_updated", data={"order": payloads.order_payload(algo)})
        if update.order_id:
            child_adopt(algo=algo, exchange_order_id=update.order_id)


def child_adopt(*, algo: Order, exchange_order_id: int) -> None:
    """The order a conditional order placed belongs to it: same tag and source, parent = algo."""
    updated = Order.objects.filter(account_id=algo.account_id, symbol=algo.symbol, exchange_order_id=exchange_order_id,
                                   source=OrderSource.EXTERNAL).update(
        tag=algo.tag, source=algo.source, strategy_run_id=algo.strategy_run_id, parent=algo)
    if updated:
        Fill.objects.filter(account_id=algo.account_id, symbol=algo.symbol,
                            exchange_order_id=exchange_order_id).update(tag=algo.tag)


def account_update_apply(*, account, update: AccountUpdate) -> None:
    """ACCOUNT_UPDATE: balances and the positions it lists, each only if newer than what is stored."""
    when = update.transaction_time_ms
    positions, balances = [], []
    with transaction.atomic():
        for p in update.positions:
            snap = position_snapshot_store(
                account=account, symbol=p.symbol, position_side=p.position_side, when=when,
                values={"amount": p.amount, "entry_price": p.entry_price, "break_even_price": p.break_even_price,
                        "unrealized_pnl": p.unrealized_pnl, "margin_type": p.margin_type})
            if snap is not None:
                positions.append(snap)
        for b in update.balances:
            snap, _ = BalanceSnapshot.objects.select_for_update().get_or_create(
                account=account, asset=b.asset, defaults={"wallet_balance": b.wallet_balance,
                                                          "cross_wallet_balance": b.cross_wallet_balance,
                                                          "available_balance": ZERO, "unrealized_pnl": ZERO,
                                                          "update_time_ms": 0})
            if when >= snap.update_time_ms:
                snap.wallet_balance, snap.cross_wallet_balance = b.wallet_balance, b.cross_wallet_balance
                snap.update_time_ms = when
                if b.asset == "USDT":  # the stream's balance rows carry no unrealised PnL: the positions' sum
                    snap.unrealized_pnl = _unrealized_total(account)
                snap.save()
                balances.append(payloads.balance_payload(snap))
        if balances:
            account_event_publish(account=account, type="balance_updated", data={"balances": balances})
        if positions:
            account_event_publish(account=account, type="position_updated",
                                  data={"positions": positions_payload(account=account, snapshots=positions)})


def _unrealized_total(account) -> Decimal:
    total = PositionSnapshot.objects.filter(account=account).exclude(amount=0).aggregate(u=Sum("unrealized_pnl"))["u"]
    return total or ZERO


def position_snapshot_store(*, account, symbol: str, position_side: str, when: int,
                            values: dict) -> PositionSnapshot | None:
    """Write one position if `when` is not older than what is stored; a zero amount is kept at 0
    (selectors show non-zero rows only). Returns the row, or None when the news was stale."""
    snap = PositionSnapshot.objects.select_for_update().filter(account=account, symbol=symbol,
                                                               position_side=position_side).first()
    if snap is None:
        try:
            with transaction.atomic():
                return PositionSnapshot.objects.create(account=account, symbol=symbol, position_side=position_side,
                                                       update_time_ms=when, **values)
        except IntegrityError:
            snap = PositionSnapshot.objects.select_for_update().get(account=account, symbol=symbol,
                                                                    position_side=position_side)
    if when < snap.update_time_ms:
        return None
    for name, value in values.items():
        setattr(snap, name, value)
    snap.update_time_ms = when
    snap.save()
    return snap
