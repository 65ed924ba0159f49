"""Sending an order so that it is never lost and never doubled.

1. `order_create` stored it PENDING with its client order id (nothing has left).
2. `order_send` claims it: one conditional UPDATE moves PENDING -> SENDING and stores the request's
   timestamp and deadline (timestamp + recvWindow + 1 s: after that the exchange refuses the request
   with -1021, so it can no longer land). Only the winner of the claim sends, once.
3. The answer is stored through the lifecycle table; an order the user stream already moved on is
   never moved back. A refusal is REJECTED with Binance's code and message.
4. No answer (timeout, 5xx, dropped connection): UNKNOWN, then `order_resolve` asks the exchange by
   origClientOrderId. Found: adopted. Not found: after the deadline the order is NOT_SENT (it can
   never arrive); before it, the order stays UNKNOWN for the next pass. Nothing is ever resent:
   Binance lets a closed order's client id be used again, so a resend could double a position.
5. After a crash, `orders_recover` (start-up of the trading process, every reconciliation) resolves
   every SENDING/UNKNOWN order and sends the PENDING ones nobody claimed.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common import metrics
from market.binance.errors import (
    BannedError, BinanceError, ExecutionUnknownError, NotSentError, OrderNotFoundError, OrderRejectedError,
    PermanentError, RateLimitedError,
)
from trading import lifecycle, payloads
from trading.crashpoints import crash_point
from trading.exchange import session_pooled
from trading.models import TERMINAL_STATUSES, Order, OrderStatus
from trading.services.events import account_event_publish, order_state_adopt, state_of_rest

logger = logging.getLogger(__name__)
DEADLINE_GRACE_MS = 1000
UNCLAIMED_AFTER = timedelta(seconds=3)
_ALGO_STATUS = {"NEW": "NEW", "TRIGGERING": "NEW", "TRIGGERED": "NEW", "FINISHED": "FILLED",
                "CANCELED": "CANCELED", "EXPIRED": "EXPIRED", "REJECTED": "CANCELED"}


def _recv_window_ms() -> int:
    return settings.TRADING.recv_window_ms


def order_published(order: Order) -> None:
    account_event_publish(account=order.account, type="order_updated", data={"order": payloads.order_payload(order)})


def session_or_new(account, session):
    """`with session_or_new(account, session) as ex:` the caller's session, or this thread's pooled one."""
    return _Borrowed(session) if session is not None else session_pooled(account)


class _Borrowed:
    def __init__(self, session) -> None:
        self.session = session

    def __enter__(self):
        return self.session

    def __exit__(self, *exc_info) -> None:
        pass


def _finish(order_id: int, from_statuses, to_status: str, *, code: int | None = None, message: str = "") -> Order:
    with transaction.atomic():
        changed = Order.objects.filter(pk=order_id, status__in=from_statuses).update(
            status=to_status, error_code=code, error_message=message[:500], updated_at=timezone.now())
        order = Order.objects.select_related("account").get(pk=order_id)
        if changed:
            order_published(order)
            if to_status in TERMINAL_STATUSES:
                metrics.order_finished(to_status, on_commit=transaction.on_commit)
    return order


def _send_request(session, order: Order, timestamp_ms: int):
    options = dict(symbol=order.symbol, side=order.side, type=order.type, quantity=order.quantity,
                   price=order.price, position_side=order.position_side, time_in_force=order.time_in_force or None,
                   reduce_only=order.reduce_only or None, close_position=order.close_position or None,
                   recv_window_ms=_recv_window_ms(), timestamp_ms=timestamp_ms)
    if order.is_algo:
        return session.call(lambda c, creds: c.trading.new_algo_order(
            creds, trigger_price=order.stop_price, client_algo_id=order.client_order_id, **options))
    return session.call(lambda c, creds: c.trading.new_order(
        creds, stop_price=order.stop_price, client_order_id=order.client_order_id, **options))


def _adopt(order_id: int, answer) -> Order:
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("account").get(pk=order_id)
        if order.is_algo:
            changed = _algo_adopt(order, answer)
        else:
            changed = order_state_adopt(order=order, state=state_of_rest(answer))
        if changed:
            order_published(order)
    return order


def _algo_adopt(order: Order, algo) -> bool:
    status = _ALGO_STATUS.get(algo.status, "NEW")
    fields = []
    if order.algo_id is None:
        order.algo_id, fields = algo.algo_id, ["algo_id"]
    if order.status in (OrderStatus.SENDING, OrderStatus.UNKNOWN) or lifecycle.is_forward(order.status, status):
        if order.status != status and order.status not in lifecycle.TERMINAL:
            order.status = status
            fields.append("status")
    if fields:
        order.save(update_fields=[*fields, "updated_at"])
    if "status" in fields and order.status in lifecycle.TERMINAL:
        metrics.order_finished(order.status, on_commit=transaction.on_commit)
    return bool(fields)


def order_send(*, order_id: int, session=None) -> Order:
    """Claim and send one PENDING order (see the module docstring). Returns the order as stored."""
    order = Order.objects.select_related("account", "parent").get(pk=order_id)
    if order.status != OrderStatus.PENDING:
        return order
    if order.parent_id is not None and order.parent.status != OrderStatus.FILLED:
        if order.parent.status in (OrderStatus.REJECTED, OrderStatus.NOT_SENT, OrderStatus.CANCELED,
                                   OrderStatus.EXPIRED):
            return _finish(order.pk, [OrderStatus.PENDING], OrderStatus.NOT_SENT,
                           message=f"not sent: its entry order ended {order.parent.status}")
        return order  # sent once the entry has filled
    with session_or_new(order.account, session) as ex:
        try:
            now = ex.call(lambda c, _creds: c.trading.now_ms())
        except BinanceError as exc:
            logger.warning("order %s: exchange clock unreadable, left PENDING: %s", order.client_order_id, exc)
            return order
        deadline = now + _recv_window_ms() + DEADLINE_GRACE_MS
        claimed = Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
            status=OrderStatus.SENDING, send_timestamp_ms=now, send_deadline_ms=deadline, updated_at=timezone.now())
        if not claimed:
            return Order.objects.get(pk=order.pk)
        crash_point("before_send")
        try:
            answer = _send_request(ex, order, now)
        except (OrderRejectedError, RateLimitedError, BannedError) as exc:
            return _finish(order.pk, [OrderStatus.SENDING], OrderStatus.REJECTED, code=exc.code, message=str(exc))
        except NotSentError as exc:
            return _finish(order.pk, [OrderStatus.SENDING], OrderStatus.NOT_SENT, message=f"not sent: {exc}")
        except (ExecutionUnknownError, BinanceError) as exc:
            if isinstance(exc, PermanentError) and not isinstance(exc, ExecutionUnknownError):
                return _finish(order.pk, [OrderStatus.SENDING], OrderStatus.REJECTED, code=exc.code, message=str(exc))
            logger.warning("order %s: answer lost (%s); looking it up", order.client_order_id, exc)
            _finish(order.pk, [OrderStatus.SENDING], OrderStatus.UNKNOWN, message=f"answer lost: {exc}")
            return order_resolve(order_id=order.pk, session=ex)
        crash_point("answered_not_stored")
        stored = _adopt(order.pk, answer)
    if stored.status == OrderStatus.FILLED and not stored.is_algo:
        children_send(parent=stored, session=session)
    return stored


def children_send(*, parent: Order, session=None) -> None:
    """The stop-loss / take-profit of an entry that has filled."""
    for child in Order.objects.filter(parent=parent, status=OrderStatus.PENDING):
        order_send(order_id=child.pk, session=session)


def order_resolve(*, order_id: int, session=None) -> Order:
    """Decide the fate of an order whose answer never came (SENDING or UNKNOWN). Never resends."""
    order = Order.objects.select_related("account").get(pk=order_id)
    if order.status not in (OrderStatus.SENDING, OrderStatus.UNKNOWN):
        return order
    with session_or_new(order.account, session) as ex:
        try:
            if order.is_algo:
                found = ex.call(lambda c, creds: c.trading.query_algo_order(creds, client_algo_id=order.client_order_id))
            else:
                found = ex.call(lambda c, creds: c.trading.query_order(
                    creds, symbol=order.symbol, client_order_id=order.client_order_id))
        except OrderNotFoundError:
            now = ex.call(lambda c, _creds: c.trading.now_ms())
            if order.send_deadline_ms is not None and now <= order.send_deadline_ms:
                return order  # it may still arrive: the next pass decides
            return _finish(order.pk, [OrderStatus.SENDING, OrderStatus.UNKNOWN], OrderStatus.NOT_SENT,
                           message="never reached the exchange (not found after its deadline); not resent")
        except BinanceError as exc:
            logger.warning("order %s: lookup failed, still %s: %s", order.client_order_id, order.status, exc)
            return order
    stored = _adopt(order.pk, found)
    if stored.status == OrderStatus.FILLED and not stored.is_algo:
        children_send(parent=stored, session=session)
    return stored


def orders_recover(*, account, session=None) -> int:
    """Every half-sent order of `account` decided, every unclaimed PENDING one sent. Returns how many
    orders were looked at."""
    stale = timezone.now() - UNCLAIMED_AFTER
    half_sent = list(Order.objects.filter(account=account, status__in=[OrderStatus.SENDING, OrderStatus.UNKNOWN])
                     .values_list("pk", flat=True))
    unclaimed = list(Order.objects.filter(account=account, status=OrderStatus.PENDING, created_at__lt=stale)
                     .order_by("created_at").values_list("pk", flat=True))
    if not half_sent and not unclaimed:
        return 0
    with session_or_new(account, session) as ex:
        for pk in half_sent:
            order_resolve(order_id=pk, session=ex)
        for pk in unclaimed:
            order_send(order_id=pk, session=ex)
    return len(half_sent) + len(unclaimed)
