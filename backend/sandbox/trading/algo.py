"""Algo (conditional) orders: POST/GET/DELETE /fapi/v1/algoOrder and friends.

Binance moved STOP/TAKE_PROFIT/TRAILING orders of USD-M to this "Algo Order" service in December
2025, and ccxt 4.5.90 sends every conditional order here. Its pages are not in the shared docs, so
the shapes follow what clients record: ccxt's sample of the create/query answer
(`algoId`, `clientAlgoId`, `algoType`, `orderType`, `algoStatus`, `triggerPrice`, ...), its cancel
answer (`{"algoId", "clientAlgoId", "code": "200", "msg": "success"}`), and captured `ALGO_UPDATE`
events (nautilus_trader fixtures: NEW -> TRIGGERING -> TRIGGERED (with the real order id in `ai`)
-> FINISHED, or CANCELED).

An algo order waits outside the order book; when the price reaches `triggerPrice` (same rules as
`stop_hit` / `trailing_hit`) the engine places the real order (MARKET, or LIMIT for STOP and
TAKE_PROFIT) through the normal path, so fills, fees and events are those of any order.
Parameters are the new-order ones with `triggerPrice`, `activatePrice` and `clientAlgoId` in place
of `stopPrice`, `activationPrice` and `newClientOrderId`, plus `algoType=CONDITIONAL`.
"""

from __future__ import annotations

import itertools
import secrets
import string
from dataclasses import dataclass, replace
from decimal import Decimal

from . import errors, lifecycle
from .errors import BinanceError, err
from .orders import CONDITIONAL_TYPES, TRIGGERED_TYPE, SymbolRules, stop_hit, trailing_hit
from .params import Params
from .payloads import fixed, plain
from .validation import NewOrder, parse_new_order

_ALIASES = {"triggerPrice": "stopPrice", "activatePrice": "activationPrice", "clientAlgoId": "newClientOrderId"}
_ALPHABET = string.ascii_letters + string.digits


@dataclass
class AlgoOrder:
    account_id: str
    algo_id: int
    client_algo_id: str
    req: NewOrder
    create_time: int
    update_time: int
    status: str = lifecycle.ALGO_NEW
    trigger_time: int = 0
    order_id: int | None = None        # the real order placed on trigger ("ai")
    reject_reason: str = ""
    trail_extreme: Decimal | None = None

    # what trailing_hit reads
    @property
    def side(self) -> str:
        return self.req.side

    @property
    def activation_price(self) -> Decimal | None:
        return self.req.activation_price

    @property
    def callback_rate(self) -> Decimal | None:
        return self.req.callback_rate

    @property
    def is_open(self) -> bool:
        return self.status in (lifecycle.ALGO_NEW, lifecycle.ALGO_TRIGGERING, lifecycle.ALGO_TRIGGERED)

    def transition(self, trigger: str, now: int) -> None:
        self.status = lifecycle.next_algo_status(self.status, trigger)
        self.update_time = now


def parse_algo(p: Params, rules: SymbolRules, *, dual_side: bool, now_ms: int) -> NewOrder:
    algo_type = p.string("algoType", required=True)
    if algo_type != "CONDITIONAL":
        raise errors.invalid_value("algoType")
    values = {_ALIASES.get(k, k): v for k, v in p.items()}
    for old in ("stopPrice", "activationPrice", "newClientOrderId"):
        if p.has(old):  # the algo endpoint names these differently
            raise errors.not_required(old)
    req = parse_new_order(Params(values), rules, dual_side=dual_side, now_ms=now_ms)
    if req.type not in CONDITIONAL_TYPES:
        raise err(errors.INVALID_ORDER_TYPE)
    return req


class AlgoBook:
    """Algo orders of every account; owned by the engine, which feeds it ticks."""

    def __init__(self, engine):
        self.engine = engine
        self.algos: dict[str, dict[int, AlgoOrder]] = {}
        self.open_by_symbol: dict[str, dict[int, AlgoOrder]] = {}
        self._ids = itertools.count(1_000_000_033_000_001)

    def _of(self, account_id: str) -> dict[int, AlgoOrder]:
        return self.algos.setdefault(account_id, {})

    def open(self, account_id: str, symbol: str | None = None) -> list[AlgoOrder]:
        return [a for a in self._of(account_id).values()
                if a.is_open and (symbol is None or a.req.symbol == symbol)]

    def place(self, account_id: str, req: NewOrder) -> AlgoOrder:
        engine = self.engine
        ledger = engine.account(account_id)
        rules = engine.rules(req.symbol)
        if req.client_order_id and any(a.client_algo_id == req.client_order_id for a in self.open(account_id)):
            raise err(errors.CLIENT_ID_DUPLICATED)
        engine.check_new(ledger, rules, req, engine.last(req.symbol), engine.mark(req.symbol))
        now = engine.now()
        algo = AlgoOrder(account_id, next(self._ids),
                         req.client_order_id or "".join(secrets.choice(_ALPHABET) for _ in range(22)),
                         req, now, now)
        self._of(account_id)[algo.algo_id] = algo
        self.open_by_symbol.setdefault(req.symbol, {})[algo.algo_id] = algo
        self._emit(algo, now)
        return algo

    def find(self, account_id: str, algo_id: int | None, client_algo_id: str | None) -> AlgoOrder:
        book = self._of(account_id)
        if algo_id is not None and algo_id in book:
            return book[algo_id]
        if algo_id is None and client_algo_id is not None:
            for algo in reversed(list(book.values())):
                if algo.client_algo_id == client_algo_id:
                    return algo
        raise err(errors.NO_SUCH_ORDER)

    def cancel(self, account_id: str, algo_id: int | None, client_algo_id: str | None) -> AlgoOrder:
        algo = self.find(account_id, algo_id, client_algo_id)
        if algo.status != lifecycle.ALGO_NEW:
            raise err(errors.UNKNOWN_ORDER_CANCEL)
        self._end(algo, "cancel", self.engine.now())
        return algo

    def cancel_all(self, account_id: str, symbol: str) -> None:
        for algo in self.open(account_id, symbol):
            if algo.status == lifecycle.ALGO_NEW:
                self._end(algo, "cancel", self.engine.now())

    # -- ticks -----------------------------------------------------------------------------------

    def on_tick(self, symbol: str, last: Decimal, mark: Decimal, now: int) -> None:
        for algo in list(self.open_by_symbol.get(symbol, {}).values()):
            if algo.status == lifecycle.ALGO_TRIGGERED:
                self._maybe_finish(algo, now)
                continue
            req = algo.req
            if req.time_in_force == "GTD" and req.good_till_date and now >= req.good_till_date:
                self._end(algo, "expire", now)
                continue
            reference = mark if req.working_type == "MARK_PRICE" else last
            if req.type == "TRAILING_STOP_MARKET":
                hit = trailing_hit(algo, reference)
            else:
                hit = stop_hit(req.type, req.side, req.stop_price, reference)
            if hit:
                self._trigger(algo, now)

    def _trigger(self, algo: AlgoOrder, now: int) -> None:
        algo.transition("trigger", now)
        algo.trigger_time = now
        self._emit(algo, now)
        child = replace(algo.req, type=TRIGGERED_TYPE[algo.req.type], stop_price=Decimal(0),
                        client_order_id=None, activation_price=None, callback_rate=None,
                        time_in_force="GTC" if TRIGGERED_TYPE[algo.req.type] == "MARKET" else algo.req.time_in_force)
        try:
            _, order = self.engine.place(algo.account_id, child)
        except BinanceError as exc:
            algo.reject_reason = exc.msg
            self._end(algo, "reject", now)
            return
        algo.order_id = order.order_id
        algo.transition("placed", now)
        self._emit(algo, now)
        self._maybe_finish(algo, now)

    def _maybe_finish(self, algo: AlgoOrder, now: int) -> None:
        order = self.engine.orders[algo.account_id][algo.order_id]
        if not order.is_open:
            self._end(algo, "finish", now)

    def _end(self, algo: AlgoOrder, trigger: str, now: int) -> None:
        algo.transition(trigger, now)
        self.open_by_symbol.get(algo.req.symbol, {}).pop(algo.algo_id, None)
        self._emit(algo, now)

    def _emit(self, algo: AlgoOrder, now: int) -> None:
        order = self.engine.orders[algo.account_id][algo.order_id] if algo.order_id else None
        self.engine.publish(algo.account_id, algo_update(algo, self.engine.rules(algo.req.symbol), order, now))


# -- shapes ----------------------------------------------------------------------------------------

def algo_json(a: AlgoOrder, rules: SymbolRules) -> dict:
    r, pp = a.req, rules.price_precision
    out = {
        "algoId": a.algo_id, "clientAlgoId": a.client_algo_id, "algoType": "CONDITIONAL", "orderType": r.type,
        "symbol": r.symbol, "side": r.side, "positionSide": r.position_side, "timeInForce": r.time_in_force,
        "quantity": fixed(r.quantity, rules.quantity_precision), "algoStatus": a.status,
        "triggerPrice": fixed(r.stop_price, pp), "price": fixed(r.price, pp), "icebergQuantity": None,
        "selfTradePreventionMode": r.self_trade_prevention, "workingType": r.working_type, "priceMatch": "NONE",
        "closePosition": r.close_position, "priceProtect": r.price_protect, "reduceOnly": r.reduce_only,
    }
    if r.type == "TRAILING_STOP_MARKET":
        out["activatePrice"] = fixed(r.activation_price or Decimal(0), pp)
        out["callbackRate"] = plain(r.callback_rate or Decimal(0))
    out.update({"createTime": a.create_time, "updateTime": a.update_time, "triggerTime": a.trigger_time,
                "goodTillDate": r.good_till_date})
    return out


def algo_query_json(engine, a: AlgoOrder) -> dict:
    """A query's row (GET algoOrder, openAlgoOrders, allAlgoOrders): the create answer plus the
    order placed on trigger and its average price, "" until then (ALGO_UPDATE's "ai" and "ap")."""
    rules = engine.rules(a.req.symbol)
    placed = engine.orders[a.account_id][a.order_id] if a.order_id else None
    return {**algo_json(a, rules), "actualOrderId": str(a.order_id) if placed else "",
            "actualPrice": fixed(placed.avg_price, rules.price_precision) if placed else ""}


def algo_update(a: AlgoOrder, rules: SymbolRules, order, now: int) -> dict:
    r, pp, qp = a.req, rules.price_precision, rules.quantity_precision
    body = {
        "caid": a.client_algo_id, "aid": a.algo_id, "at": "CONDITIONAL", "o": r.type, "s": r.symbol, "S": r.side,
        "ps": r.position_side, "f": r.time_in_force, "q": fixed(r.quantity, qp), "X": a.status,
        "ai": str(a.order_id) if a.order_id else "",
        "ap": fixed(order.avg_price if order else Decimal(0), pp),
        "aq": fixed(order.executed_qty if order else Decimal(0), qp),
        "act": order.type if order else "0",
        "tp": fixed(r.stop_price, pp), "p": fixed(r.price, pp), "V": r.self_trade_prevention,
        "wt": r.working_type, "pm": "NONE", "cp": r.close_position, "pP": r.price_protect, "R": r.reduce_only,
        "tt": a.trigger_time, "gtd": r.good_till_date,
    }
    if a.reject_reason:
        body["rm"] = a.reject_reason
    return {"e": "ALGO_UPDATE", "T": now, "E": now, "o": body}
