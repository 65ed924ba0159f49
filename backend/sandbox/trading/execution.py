"""Fills and triggers: how an accepted order meets the replayed price.

* Taking (MARKET, marketable LIMIT, triggered STOP_MARKET/TAKE_PROFIT_MARKET/TRAILING_STOP_MARKET):
  the whole remaining quantity fills at once at the replayed price moved against the order by the
  configured slippage (never beyond a LIMIT's own price), taker fee.
* Resting LIMIT: fills completely at its own price, maker fee, on the first tick whose price
  reaches it (BUY: price <= limit, SELL: price >= limit).
* Orders that can only reduce (reduceOnly, closePosition, Hedge Mode closing side) fill at most
  what the position still holds; the rest expires (PARTIALLY_FILLED -> EXPIRED), and with nothing
  left to reduce the order expires unfilled. closePosition orders take the whole position.
* A triggered market order that needs margin the account no longer has expires (Binance rejects it
  at trigger time the same way).

Each fill books the trade in the ledger and publishes TRADE_LITE, ORDER_TRADE_UPDATE (x=TRADE) and
ACCOUNT_UPDATE (m=ORDER) for the account; every other status change publishes ORDER_TRADE_UPDATE.
"""

from __future__ import annotations

from decimal import Decimal

from . import errors, payloads
from .ledger import ZERO, q8
from .orders import (TRIGGERED_TYPE, Order, marketable, slipped_price, stop_hit, taker_limit_price,
                     trailing_hit)


class Execution:
    """Mixin for `Engine`: needs accounts, orders, trades, open_by_symbol, settings, rules, publish."""

    # -- status changes --------------------------------------------------------------------------

    def finish(self, order: Order, trigger: str, now: int) -> None:
        """Apply a non-fill transition (cancel / expire) and report it."""
        order.transition(trigger, now)
        self._unlist(order)
        self.emit_order(order, "CANCELED" if trigger == "cancel" else "EXPIRED")

    def _unlist(self, order: Order) -> None:
        if not order.is_open:
            self.open_by_symbol.get(order.symbol, {}).pop(order.order_id, None)

    def emit_order(self, order: Order, execution_type: str, trade: payloads.Trade | None = None) -> None:
        book = self.open_orders(order.account_id, order.symbol)
        self.publish(order.account_id,
                     payloads.order_update(order, self.rules(order.symbol), execution_type, self.now(), trade, book))

    # -- ticks -----------------------------------------------------------------------------------

    def on_order_tick(self, order: Order, last: Decimal, mark: Decimal, now: int) -> None:
        if order.time_in_force == "GTD" and order.good_till_date and now >= order.good_till_date:
            order.expire_reason = 6
            self.finish(order, "expire", now)
            return
        if order.awaiting_trigger:
            reference = mark if order.working_type == "MARK_PRICE" else last
            if order.orig_type == "TRAILING_STOP_MARKET":
                hit = trailing_hit(order, reference)
            else:
                hit = stop_hit(order.orig_type, order.side, order.stop_price, reference)
            if hit:
                self._trigger(order, last, now)
        elif order.type == "LIMIT" and marketable(order.side, order.price, last):
            self._fill(order, order.remaining, order.price, maker=True, now=now)

    def _trigger(self, order: Order, last: Decimal, now: int) -> None:
        order.triggered = True
        order.type = TRIGGERED_TYPE[order.orig_type]
        order.transition("trigger", now)
        if order.type == "LIMIT" and not marketable(order.side, order.price, last):
            return  # a triggered STOP/TAKE_PROFIT rests as a limit order
        if not order.closes_only:
            ledger = self.account(order.account_id)
            opening = max(ZERO, order.remaining - ledger.closable(order.symbol, order.position_side, order.side))
            try:
                self.require_margin(ledger, order.symbol, opening, last)
            except errors.BinanceError:
                self.finish(order, "expire", now)
                return
        self.take(order, last, now)

    # -- fills -----------------------------------------------------------------------------------

    def take(self, order: Order, last: Decimal, now: int) -> None:
        rules = self.rules(order.symbol)
        bps = self.settings.slippage_bps
        if order.type == "LIMIT":
            price = taker_limit_price(rules, order.side, order.price, last, bps)
        else:
            price = slipped_price(rules, order.side, last, bps)
        self._fill(order, order.remaining, price, maker=False, now=now)

    def _fill(self, order: Order, qty: Decimal, price: Decimal, *, maker: bool, now: int) -> None:
        ledger = self.account(order.account_id)
        if order.closes_only:
            closable = ledger.closable(order.symbol, order.position_side, order.side)
            if order.close_position and not order.executed_qty:
                order.orig_qty = qty = closable
            qty = min(qty, closable)
            if not qty:
                order.expire_reason = 4
                self.finish(order, "expire", now)
                return
        rate = self.settings.maker_fee if maker else self.settings.taker_fee
        commission = q8(price * qty * rate)
        realized = ledger.apply_fill(symbol=order.symbol, position_side=order.position_side, side=order.side,
                                     qty=qty, price=price, commission=commission, now_ms=now)
        order.executed_qty += qty
        order.cum_quote += price * qty
        order.transition("fill_all" if order.executed_qty >= order.orig_qty else "fill_part", now)
        self._unlist(order)
        trade = payloads.Trade(
            id=next(self._trade_ids), order_id=order.order_id, symbol=order.symbol, side=order.side,
            position_side=order.position_side, price=price, qty=qty, commission=commission,
            realized_pnl=realized, maker=maker, time=now,
        )
        self.trades[order.account_id].append(trade)
        self.publish(order.account_id, payloads.trade_lite(order, trade, now))
        self.emit_order(order, "TRADE", trade)
        position = ledger.position(order.symbol, order.position_side)
        self.publish(order.account_id, payloads.account_update(ledger, [position], self.mark(order.symbol),
                                                               "ORDER", now))
        if order.is_open and order.closes_only and not ledger.closable(order.symbol, order.position_side, order.side):
            order.expire_reason = 4
            self.finish(order, "expire", now)
