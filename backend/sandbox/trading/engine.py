"""The sandbox's USD-M trading engine: accounts, orders, fills against the replayed price.

Pure Python over a `market` object (C's `sandbox.market.Market`: now_ms, has_symbol, last_price,
mark_price, symbol_filters). No aiohttp, no threads: every call runs to completion on the caller's
thread, the tick listener included, so no locking is needed. Events for the user data stream are
handed to `publish(account_id, payload)` as they happen.

Order placement = validation (validation.py) + the checks that need the account (this module):
duplicate open client order id -4116, reduce-only with nothing to reduce -2022, stop that would
trigger at once -2021, post-only that would take -5022, FOK that cannot fill -5021, PERCENT_PRICE
-4016/-4024, MIN_NOTIONAL -4164, initial margin -2019. Fills and triggers live in execution.py.
"""

from __future__ import annotations

import itertools
import secrets
import string
from dataclasses import replace
from decimal import Decimal
from typing import Callable

from . import errors, payloads
from .algo import AlgoBook
from .brackets import MAX_LEVERAGE, max_notional
from .errors import err
from .execution import Execution
from .ledger import ZERO, Ledger
from .orders import Order, SymbolRules, marketable, stop_hit
from .settings import TradingSettings
from .validation import NewOrder, check_min_notional, check_price_band

Publish = Callable[[str, dict], None]
_CLIENT_ID_ALPHABET = string.ascii_letters + string.digits


class Engine(Execution):
    def __init__(self, market, settings: TradingSettings | None = None, publish: Publish | None = None):
        self.market = market
        self.settings = settings or TradingSettings()
        self.publish: Publish = publish or (lambda account_id, payload: None)
        self.accounts: dict[str, Ledger] = {}
        self.orders: dict[str, dict[int, Order]] = {}
        self.trades: dict[str, list[payloads.Trade]] = {}
        self.open_by_symbol: dict[str, dict[int, Order]] = {}
        self._rules: dict[str, SymbolRules] = {}
        self._order_ids = itertools.count(4_000_000_001)
        self._trade_ids = itertools.count(200_000_001)
        self.algos = AlgoBook(self)

    # -- market access ---------------------------------------------------------------------------

    def now(self) -> int:
        return int(self.market.now_ms())

    def rules(self, symbol: str | None) -> SymbolRules:
        if not symbol:
            raise errors.mandatory_missing("symbol")
        if symbol not in self._rules:
            if not self.market.has_symbol(symbol):
                raise err(errors.INVALID_SYMBOL)
            self._rules[symbol] = SymbolRules.from_filters(symbol, self.market.symbol_filters(symbol))
        return self._rules[symbol]

    def price(self, symbol: str, value: float) -> Decimal:
        """A market float as the Decimal on the symbol's tick grid it stands for."""
        return self.rules(symbol).round_to_tick(Decimal(str(value)), up=False)

    def last(self, symbol: str) -> Decimal:
        return self.price(symbol, self.market.last_price(symbol))

    def mark(self, symbol: str) -> Decimal:
        return self.price(symbol, self.market.mark_price(symbol))


    # -- accounts --------------------------------------------------------------------------------

    def account(self, account_id: str) -> Ledger:
        if account_id not in self.accounts:
            self.accounts[account_id] = Ledger(account_id=account_id, wallet=self.settings.starting_balance)
            self.orders[account_id] = {}
            self.trades[account_id] = []
        return self.accounts[account_id]

    def open_orders(self, account_id: str, symbol: str | None = None) -> list[Order]:
        """The account's open orders, oldest first (read from the open-order index, not the history)."""
        self.account(account_id)
        books = [self.open_by_symbol.get(symbol, {})] if symbol is not None else self.open_by_symbol.values()
        found = [o for book in books for o in book.values() if o.account_id == account_id]
        return found if symbol is not None else sorted(found, key=lambda o: o.order_id)

    def order_margins(self, account_id: str) -> dict[tuple[str, str], Decimal]:
        """Initial margin held by resting LIMIT orders, per (symbol, positionSide).

        Orders that can only reduce hold none; in One-way Mode the part of an order that would
        close the current position holds none either.
        """
        ledger = self.account(account_id)
        sums: dict[tuple[str, str, str], list[Decimal]] = {}
        for o in self.open_orders(account_id):
            if o.type != "LIMIT" or o.awaiting_trigger or o.closes_only:
                continue
            acc = sums.setdefault((o.symbol, o.position_side, o.side), [ZERO, ZERO])
            acc[0] += o.remaining
            acc[1] += o.remaining * o.price
        out: dict[tuple[str, str], Decimal] = {}
        for (symbol, pside, side), (qty, notional) in sums.items():
            opening = max(ZERO, qty - ledger.closable(symbol, pside, side))
            margin = notional * opening / qty / ledger.settings_for(symbol).leverage
            out[(symbol, pside)] = out.get((symbol, pside), ZERO) + margin
        return out

    def summary(self, account_id: str):
        return self.account(account_id).summary(self.mark, sum(self.order_margins(account_id).values(), ZERO))

    # -- orders ----------------------------------------------------------------------------------

    def place(self, account_id: str, req: NewOrder) -> tuple[Order, Order]:
        """Accept or refuse a new order; returns (the order as accepted, the order after matching)."""
        ledger = self.account(account_id)
        rules = self.rules(req.symbol)
        now = self.now()
        last, mark = self.last(req.symbol), self.mark(req.symbol)
        self.check_new(ledger, rules, req, last, mark)
        order = Order(
            account_id=account_id, order_id=next(self._order_ids),
            client_order_id=req.client_order_id or "".join(secrets.choice(_CLIENT_ID_ALPHABET) for _ in range(22)),
            symbol=req.symbol, side=req.side, position_side=req.position_side, type=req.type,
            orig_type=req.type, time_in_force=req.time_in_force, orig_qty=req.quantity, price=req.price,
            stop_price=req.stop_price, reduce_only=req.reduce_only, close_position=req.close_position,
            working_type=req.working_type, price_protect=req.price_protect,
            self_trade_prevention=req.self_trade_prevention, good_till_date=req.good_till_date,
            activation_price=req.activation_price, callback_rate=req.callback_rate, time=now, update_time=now,
        )
        self.orders[account_id][order.order_id] = order
        self.open_by_symbol.setdefault(order.symbol, {})[order.order_id] = order
        self.emit_order(order, "NEW")
        accepted = replace(order)
        if order.type == "MARKET":
            self.take(order, last, now)
        elif order.type == "LIMIT":
            if marketable(order.side, order.price, last):
                self.take(order, last, now)
            elif order.time_in_force == "IOC":
                self.finish(order, "expire", now)
        elif order.orig_type == "TRAILING_STOP_MARKET":
            self.on_order_tick(order, last, mark, now)
        return accepted, order

    def check_new(self, ledger: Ledger, rules: SymbolRules, req: NewOrder, last: Decimal, mark: Decimal) -> None:
        if req.client_order_id and any(o.client_order_id == req.client_order_id
                                       for o in self.open_orders(ledger.account_id)):
            raise err(errors.CLIENT_ID_DUPLICATED)
        closable = ledger.closable(req.symbol, req.position_side, req.side)
        if req.reduce_only and not closable:
            raise err(errors.REDUCE_ONLY_REJECT)
        if req.hedge_closing and not req.close_position and req.quantity > closable:
            raise err(errors.REDUCE_ONLY_REJECT)
        if req.type in ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET"):
            trigger_price = mark if req.working_type == "MARK_PRICE" else last
            if stop_hit(req.type, req.side, req.stop_price, trigger_price):
                raise err(errors.WOULD_TRIGGER)
        if req.type == "TRAILING_STOP_MARKET" and req.activation_price is not None:
            if (req.side == "BUY") != (req.activation_price < last):
                raise err(errors.WOULD_TRIGGER)
        if req.type == "LIMIT":
            taking = marketable(req.side, req.price, last)
            if req.time_in_force == "GTX" and taking:
                raise err(errors.GTX_REJECT)
            if req.time_in_force == "FOK" and not taking:
                raise err(errors.FOK_REJECT)
        check_price_band(rules, req, mark)
        check_min_notional(rules, req, mark)
        if req.type in ("MARKET", "LIMIT") and not req.reduce_only:
            opening = max(ZERO, req.quantity - closable)
            price = req.price if req.type == "LIMIT" else last
            self.require_margin(ledger, req.symbol, opening, price)

    def require_margin(self, ledger: Ledger, symbol: str, opening_qty: Decimal, price: Decimal) -> None:
        """-2019 unless available balance covers `opening_qty` at `price`: notional/leverage + taker fee."""
        if not opening_qty:
            return
        notional = opening_qty * price
        needed = notional / ledger.settings_for(symbol).leverage + notional * self.settings.taker_fee
        if needed > self.summary(ledger.account_id).available:
            raise err(errors.MARGIN_INSUFFICIENT)

    def find(self, account_id: str, symbol: str, order_id: int | None, client_id: str | None) -> Order:
        self.account(account_id)
        if order_id is not None:
            order = self.orders[account_id].get(order_id)
            if order is not None and order.symbol == symbol:
                return order
        elif client_id is not None:
            for order in reversed(list(self.orders[account_id].values())):
                if order.symbol == symbol and order.client_order_id == client_id:
                    return order
        raise err(errors.NO_SUCH_ORDER)

    def cancel(self, account_id: str, symbol: str, order_id: int | None, client_id: str | None) -> Order:
        try:
            order = self.find(account_id, symbol, order_id, client_id)
        except errors.BinanceError:
            raise err(errors.UNKNOWN_ORDER_CANCEL) from None
        if not order.is_open:
            raise err(errors.UNKNOWN_ORDER_CANCEL)
        self.finish(order, "cancel", self.now())
        return order

    def cancel_all(self, account_id: str, symbol: str) -> int:
        now = self.now()
        victims = self.open_orders(account_id, symbol)
        for order in victims:
            self.finish(order, "cancel", now)
        return len(victims)

    # -- account configuration -------------------------------------------------------------------

    def set_dual_side(self, account_id: str, dual: bool) -> None:
        ledger = self.account(account_id)
        if ledger.dual_side == dual:
            raise err(errors.NO_NEED_POSITION_SIDE)
        if self.open_orders(account_id) or self.algos.open(account_id):
            raise err(errors.POSITION_SIDE_OPEN_ORDERS)
        if ledger.has_position():
            raise err(errors.POSITION_SIDE_POSITION)
        ledger.dual_side = dual

    def set_leverage(self, account_id: str, symbol: str, leverage: int) -> None:
        ledger = self.account(account_id)
        settings = ledger.settings_for(symbol)
        if not 1 <= leverage <= MAX_LEVERAGE:
            raise errors.invalid_leverage(str(leverage))
        positions = [p for p in ledger.open_positions() if p.symbol == symbol]
        if settings.isolated and positions and leverage < settings.leverage:
            raise err(errors.ISOLATED_LEVERAGE_REDUCTION)
        if any(abs(p.amount) * self.mark(symbol) > max_notional(leverage) for p in positions):
            raise err(errors.MAX_LEVERAGE_RATIO)
        previous = settings.leverage
        settings.leverage = leverage
        if positions and self.summary(account_id).available < 0:
            settings.leverage = previous
            raise err(errors.MIN_LEVERAGE_RATIO)
        now = self.now()
        self.publish(account_id, payloads.leverage_update(symbol, leverage, now))

    def set_margin_type(self, account_id: str, symbol: str, margin_type: str) -> None:
        ledger = self.account(account_id)
        settings = ledger.settings_for(symbol)
        if settings.margin_type == margin_type:
            raise err(errors.NO_NEED_MARGIN_TYPE)
        if self.open_orders(account_id, symbol) or self.algos.open(account_id, symbol):
            raise err(errors.MARGIN_TYPE_OPEN_ORDERS)
        if ledger.has_position(symbol):
            raise err(errors.MARGIN_TYPE_POSITION)
        settings.margin_type = margin_type

    # -- the tick listener -----------------------------------------------------------------------

    def on_tick(self, symbol: str, price: float, ts_ms: int) -> None:
        """Market tick listener: fills crossed limits, triggers stops and algo orders, expires GTD.

        Fills are stamped with the tick's own time (`ts_ms`: when the replayed price got there).
        """
        book = self.open_by_symbol.get(symbol)
        algos = self.algos.open_by_symbol.get(symbol)
        if not book and not algos:
            return
        last, mark = self.price(symbol, price), self.mark(symbol)
        for order in list((book or {}).values()):
            if order.is_open:
                self.on_order_tick(order, last, mark, ts_ms)
        if algos:
            self.algos.on_tick(symbol, last, mark, ts_ms)

    def expire_due(self) -> None:
        """Expire GTD orders whose time has come, even for symbols without ticks."""
        now = self.now()
        for book in list(self.open_by_symbol.values()):
            for order in list(book.values()):
                if order.is_open and order.time_in_force == "GTD" and now >= order.good_till_date:
                    order.expire_reason = 6
                    self.finish(order, "expire", now)

