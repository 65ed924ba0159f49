"""Reconciliation: Binance is the source of truth. One pass per account fetches what the exchange
has (positionRisk, open and recent orders, open algo orders, userTrades since the last seen id per
symbol, balances, the position mode), corrects every record of the platform that differs, and
keeps each correction as a diff of a `ReconciliationRun`.

* Passes of one account never overlap: a PostgreSQL advisory lock (per account, held by the
  pass's connection) decides; so a run still marked `running` when the lock is taken was left
  by a process that died, and is marked failed.
* Every correction is written by the idempotent appliers of events.py (fills unique by trade id,
  statuses forward only), each in its own transaction: a pass killed half way leaves nothing
  inconsistent, and the next pass finishes the work.
* Orders the platform sent but never heard back about (SENDING, UNKNOWN) go through
  `order_resolve` (lookup by client order id, NOT_SENT after the request's deadline).
"""
from __future__ import annotations

import logging
import time
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from common import metrics
from market.binance.errors import OrderNotFoundError
from market.binance.trading_schemas import ExchangeOrder
from trading import payloads
from trading.crashpoints import crash_point
from trading.exchange import ExchangeSession
from trading.client_ids import tag_of
from trading.models import (
    BalanceSnapshot, Fill, Order, OrderSource, OrderStatus, PositionSnapshot, ReconciliationRun, TradingState,
)
from trading.services.events import (
    account_event_publish, child_adopt, external_order_of_rest, fill_record, order_state_adopt,
    position_snapshot_store, state_of_rest,
)
from trading.services.exchange_books import ExchangeBooks, books_fetch
from trading.services.positions import positions_payload

logger = logging.getLogger(__name__)

ZERO = Decimal(0)
LOCK_WAIT_S = 30.0
_LOCK_CLASS = 0x7472  # "tr": the advisory lock space of reconciliation passes
OPEN = (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)
UNRESOLVED = (OrderStatus.SENDING, OrderStatus.UNKNOWN)


class ReconciliationBusy(Exception):
    """Another pass of this account held the lock for LOCK_WAIT_S: it covers this one."""


class _Pass:
    """One reconciliation pass: collects the diffs and what to tell the owner."""

    def __init__(self, account, run: ReconciliationRun, session: ExchangeSession) -> None:
        self.account, self.run, self.session = account, run, session
        self.diffs: list[dict] = []
        self.orders_changed: dict[int, Order] = {}
        self.positions_changed = self.balances_changed = False

    def diff(self, kind: str, key: str, field_name: str, platform, exchange, action: str) -> None:
        self.diffs.append({"kind": kind, "key": key, "field": field_name,
                           "platform": None if platform is None else str(platform),
                           "exchange": None if exchange is None else str(exchange), "action": action})


def reconcile(*, account, trigger: str) -> ReconciliationRun:
    """One pass for `account` (see the module docstring). Raises ReconciliationBusy when another
    pass holds the account; exchange errors end the run as failed (and are raised)."""
    with _account_lock(account.id):
        stale = ReconciliationRun.objects.filter(account=account, status="running").update(
            status="failed", finished_at=timezone.now(), error="interrupted: the process running it stopped")
        if stale:
            logger.warning("account %s: %d interrupted reconciliation run(s) marked failed", account.id, stale)
        run = ReconciliationRun.objects.create(account=account, trigger=trigger, status="running")
        try:
            state, _ = TradingState.objects.get_or_create(account=account)
            symbols = _platform_symbols(account)
            last_ids = {s: int(i) for s, i in (state.last_trade_ids or {}).items()}
            with ExchangeSession(account) as session:
                books = session.call(lambda c, creds: books_fetch(c, creds, symbols=symbols, last_trade_ids=last_ids,
                                                                  full=trigger != "periodic"))
                p = _Pass(account, run, session)
                _fills_correct(p, books)
                crash_point("reconciliation_midway")
                _orders_correct(p, books)
                _positions_correct(p, books)
                _balances_correct(p, books)
                _state_correct(p, state, books)
        except Exception as exc:
            ReconciliationRun.objects.filter(pk=run.pk).update(status="failed", finished_at=timezone.now(),
                                                               error=f"{type(exc).__name__}: {exc}"[:2000])
            raise
        with transaction.atomic():
            run.status = "corrected" if p.diffs else "clean"
            run.diffs, run.finished_at = p.diffs, timezone.now()
            run.save(update_fields=["status", "diffs", "finished_at"])
            _publish(p)
    metrics.reconciliation_observe(trigger=trigger, diffs=p.diffs)
    if p.diffs:
        logger.info("account %s: reconciliation (%s) corrected %d record(s)", account.id, trigger, len(p.diffs))
    return run


class _account_lock:
    def __init__(self, account_id: int) -> None:
        self.account_id = account_id

    def __enter__(self) -> None:
        deadline = time.monotonic() + LOCK_WAIT_S
        with connection.cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_CLASS, self.account_id])
                if cursor.fetchone()[0]:
                    return
                if time.monotonic() > deadline:
                    raise ReconciliationBusy(f"account {self.account_id}: another reconciliation is running")
                time.sleep(0.1)

    def __exit__(self, *exc_info) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_CLASS, self.account_id])


def _platform_symbols(account) -> set[str]:
    symbols = set(Order.objects.filter(account=account).values_list("symbol", flat=True).distinct())
    symbols |= set(Fill.objects.filter(account=account).values_list("symbol", flat=True).distinct())
    symbols |= set(PositionSnapshot.objects.filter(account=account).exclude(amount=0)
                   .values_list("symbol", flat=True))
    return symbols


# --- the corrections ----------------------------------------------------------------------

def _order_row(p: _Pass, books: ExchangeBooks, symbol: str, exchange_order_id: int) -> Order:
    """The platform's order of a trade: stored, else made from the exchange's record of it."""
    order = Order.objects.filter(account=p.account, symbol=symbol, exchange_order_id=exchange_order_id).first()
    if order is not None:
        return order
    known = next((o for o in books.orders.get(symbol, ()) if o.order_id == exchange_order_id), None)
    if known is None:
        known = p.session.call(lambda c, creds: c.trading.query_order(creds, symbol=symbol, order_id=exchange_order_id))
    return _order_adopt(p, known)


def _fills_correct(p: _Pass, books: ExchangeBooks) -> None:
    for symbol, trades in books.trades.items():
        stored = set(Fill.objects.filter(account=p.account, symbol=symbol, trade_id__in=[t.id for t in trades])
                     .values_list("trade_id", flat=True))
        for trade in trades:
            if trade.id in stored:
                continue
            order = _order_row(p, books, symbol, trade.order_id)
            with transaction.atomic():
                _, created = fill_record(account=p.account, order=order, trade=trade)
            if created:
                p.diff("fill", f"{symbol}#{trade.id}", "trade", None, f"{trade.side} {trade.qty} @ {trade.price}",
                       "inserted")
                p.orders_changed[order.pk] = order


def _orders_correct(p: _Pass, books: ExchangeBooks) -> None:
    seen: set[int] = set()
    listed = [o for rows in books.orders.values() for o in rows] + books.open_orders
    for known in listed:
        if known.order_id in seen:
            continue
        seen.add(known.order_id)
        _order_adopt(p, known)
    stale = Order.objects.filter(account=p.account, is_algo=False, status__in=OPEN).exclude(exchange_order_id__in=seen)
    for order in stale:  # open here, absent from the exchange's lists: ask for it
        try:
            known = p.session.call(lambda c, creds, o=order: c.trading.query_order(
                creds, symbol=o.symbol, client_order_id=o.client_order_id))
        except OrderNotFoundError:
            logger.error("order %s: open on the platform, unknown to the exchange", order.client_order_id)
            continue
        _order_adopt(p, known)
    _algo_orders_correct(p, books)
    for order in Order.objects.filter(account=p.account, status__in=UNRESOLVED):
        from trading.services.orders import order_resolve

        before = order.status
        resolved = order_resolve(order_id=order.pk, session=p.session)
        if resolved.status != before:
            p.diff("order", order.client_order_id, "status", before, resolved.status, "resolved")
            p.orders_changed[order.pk] = resolved
    _children_send(p)


def _children_send(p: _Pass) -> None:
    """Entries this pass found filled send their stop-loss / take-profit (still PENDING)."""
    from trading.services.placement import children_send

    filled = Order.objects.filter(pk__in=list(p.orders_changed), status=OrderStatus.FILLED, is_algo=False,
                                  children__status=OrderStatus.PENDING).distinct()
    for parent in filled:
        children_send(parent=parent, session=p.session)


def _algo_orders_correct(p: _Pass, books: ExchangeBooks) -> None:
    """Conditional orders: open ones the platform does not know are recorded as external; the
    platform's open ones the exchange no longer lists are asked for and take their final status."""
    from trading.services.placement import _algo_adopt  # the sender's mapping of algo statuses

    listed = {a.algo_id: a for a in books.open_algo}
    for algo in books.open_algo:
        with transaction.atomic():
            order = (Order.objects.select_for_update().filter(account=p.account, is_algo=True, algo_id=algo.algo_id)
                     .first() or Order.objects.select_for_update()
                     .filter(account=p.account, client_order_id=algo.client_algo_id).first())
            if order is None:
                order = Order.objects.create(
                    account=p.account, client_order_id=algo.client_algo_id, tag=tag_of(algo.client_algo_id),
                    source=OrderSource.EXTERNAL, symbol=algo.symbol, side=algo.side, position_side=algo.position_side,
                    type=algo.order_type, time_in_force=algo.time_in_force, quantity=algo.quantity or None,
                    price=algo.price or None, stop_price=algo.trigger_price or None, reduce_only=algo.reduce_only,
                    close_position=algo.close_position, is_algo=True, algo_id=algo.algo_id, status=OrderStatus.NEW)
                p.diff("order", order.client_order_id, "algo order", None, algo.status, "created")
                p.orders_changed[order.pk] = order
            elif order.status not in (*UNRESOLVED, OrderStatus.PENDING) and _algo_adopt(order, algo):
                p.orders_changed[order.pk] = order
    gone = Order.objects.filter(account=p.account, is_algo=True, status__in=OPEN, algo_id__isnull=False).exclude(
        algo_id__in=list(listed))
    for order in gone:
        try:
            algo = p.session.call(lambda c, creds, o=order: c.trading.query_algo_order(creds, algo_id=o.algo_id))
        except OrderNotFoundError:
            logger.error("algo order %s: open on the platform, unknown to the exchange", order.client_order_id)
            continue
        before = order.status
        with transaction.atomic():
            locked = Order.objects.select_for_update().get(pk=order.pk)
            if _algo_adopt(locked, algo):
                p.diff("order", order.client_order_id, "status", before, locked.status, "updated")
                p.orders_changed[order.pk] = locked
            if algo.actual_order_id:  # its ALGO_UPDATE may never have come: the placed order is its child
                child_adopt(algo=locked, exchange_order_id=algo.actual_order_id)


def _order_adopt(p: _Pass, known: ExchangeOrder) -> Order:
    """The platform's row of `known` (made as external if missing), moved to the exchange's state.
    Orders still SENDING/UNKNOWN/PENDING are left to `order_resolve` and the sender (deadlines)."""
    with transaction.atomic():
        order, created = external_order_of_rest(account=p.account, order=known)
        if not created and order.status in (*UNRESOLVED, OrderStatus.PENDING):
            return order
        before = (order.status, order.executed_qty)
        if created:
            p.diff("order", order.client_order_id, "order", None, known.status, "created")
        if order_state_adopt(order=order, state=state_of_rest(known)):
            p.orders_changed[order.pk] = order
            if not created and (order.status, order.executed_qty) != before:
                p.diff("order", order.client_order_id, "status", f"{before[0]} {before[1]}",
                       f"{order.status} {order.executed_qty}", "updated")
    return order


def _positions_correct(p: _Pass, books: ExchangeBooks) -> None:
    exchange = {(r.symbol, r.position_side): r for r in books.positions}
    stored = {(s.symbol, s.position_side): s for s in PositionSnapshot.objects.filter(account=p.account)}
    for key in sorted(set(exchange) | set(stored)):
        row, snap = exchange.get(key), stored.get(key)
        amount, entry = (row.amount, row.entry_price) if row else (ZERO, ZERO)
        if not amount and (snap is None or not snap.amount):
            continue  # flat on both sides
        if snap is not None and row is not None and row.update_time_ms < snap.update_time_ms:
            continue  # the stream brought something newer since the fetch
        values = {"amount": amount, "entry_price": entry}
        if row is not None:
            values.update(break_even_price=row.break_even_price, mark_price=row.mark_price,
                          unrealized_pnl=row.unrealized_pnl, leverage=row.leverage, margin_type=row.margin_type,
                          liquidation_price=row.liquidation_price)
        with transaction.atomic():
            position_snapshot_store(account=p.account, symbol=key[0], position_side=key[1],
                                    when=max(row.update_time_ms if row else 0, snap.update_time_ms if snap else 0),
                                    values=values)
        if snap is None or (snap.amount, snap.entry_price) != (amount, entry):
            p.diff("position", f"{key[0]} {key[1]}", "amount",
                   f"{snap.amount} @ {snap.entry_price}" if snap else None, f"{amount} @ {entry}", "corrected")
            p.positions_changed = True


def _balances_correct(p: _Pass, books: ExchangeBooks) -> None:
    stored = {b.asset: b for b in BalanceSnapshot.objects.filter(account=p.account)}
    for row in books.balances:
        snap = stored.get(row.asset)
        if snap is not None and row.update_time_ms and row.update_time_ms < snap.update_time_ms:
            continue
        if snap is None and not (row.wallet_balance or row.available_balance):
            continue
        values = {"wallet_balance": row.wallet_balance, "cross_wallet_balance": row.cross_wallet_balance,
                  "available_balance": row.available_balance, "unrealized_pnl": row.unrealized_pnl}
        if snap is not None and snap.wallet_balance != row.wallet_balance:
            p.diff("balance", row.asset, "wallet_balance", snap.wallet_balance, row.wallet_balance, "corrected")
        if snap is None or any(getattr(snap, k) != v for k, v in values.items()):
            p.balances_changed = True
        BalanceSnapshot.objects.update_or_create(
            account=p.account, asset=row.asset,
            defaults={**values, "update_time_ms": max(row.update_time_ms, snap.update_time_ms if snap else 0)})


def _state_correct(p: _Pass, state: TradingState, books: ExchangeBooks) -> None:
    last = dict(state.last_trade_ids or {})
    for symbol, trades in books.trades.items():
        if trades:
            last[symbol] = max([int(last.get(symbol, 0)), *(t.id for t in trades)])
    fields = {"last_trade_ids": last, "last_reconciled_at": timezone.now()}
    if books.hedge is not None and state.hedge_mode != books.hedge:
        p.diff("position", "mode", "hedge_mode", state.hedge_mode, books.hedge, "corrected")
        fields["hedge_mode"] = books.hedge
    TradingState.objects.filter(pk=state.pk).update(**fields)


def _publish(p: _Pass) -> None:
    account = p.account
    for order in p.orders_changed.values():
        order.refresh_from_db()
        account_event_publish(account=account, type="order_updated", data={"order": payloads.order_payload(order)})
    if p.positions_changed:
        account_event_publish(account=account, type="position_updated",
                              data={"positions": positions_payload(account=account)})
    if p.balances_changed:
        account_event_publish(account=account, type="balance_updated", data={"balances": [
            payloads.balance_payload(b) for b in BalanceSnapshot.objects.filter(account=account)]})
    account_event_publish(account=account, type="reconciliation",
                          data={"run": payloads.reconciliation_payload(p.run)})
