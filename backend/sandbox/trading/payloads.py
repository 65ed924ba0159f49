"""Binance's JSON shapes for orders, trades and user data stream events.

Field names, order and types follow the docs' examples (docs/usdm_futures/endpoints/*.md,
private_websocket_api.md) and the recorded payloads (rest/fapi_v1_batchOrders_response_*.json,
fixtures/nautilus_trader). Numbers are strings formatted the way Binance formats them: order prices
with the symbol's pricePrecision ("110001.00"), quantities with quantityPrecision ("0.200"),
cumQuote with both ("0.00000"), USDT amounts with 8 decimals, ids and times as integers.
Account and position shapes are in account_payloads.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .orders import Order, SymbolRules

ZERO = Decimal(0)


def fixed(value: Decimal, places: int) -> str:
    return format(value.quantize(Decimal(1).scaleb(-places)), "f")


def usdt(value: Decimal) -> str:
    return fixed(value, 8)


def plain(value: Decimal) -> str:
    """Shortest exact decimal string ("2779", "0.005", "-0.00325")."""
    if not value:
        return "0"
    return format(value.normalize(), "f")


def price_text(value: Decimal) -> str:
    """Entry/break-even prices: up to 8 decimals, "0.0" when there is none."""
    if not value:
        return "0.0"
    text = plain(value.quantize(Decimal("0.00000001")))
    return text if "." in text else text + ".0"


@dataclass(frozen=True)
class Trade:
    id: int
    order_id: int
    symbol: str
    side: str
    position_side: str
    price: Decimal
    qty: Decimal
    commission: Decimal
    realized_pnl: Decimal
    maker: bool
    time: int


# -- REST ------------------------------------------------------------------------------------

def order_json(o: Order, rules: SymbolRules, variant: str) -> dict:
    """`variant`: "new" and "cancel" answers carry cumQty; "query" answers carry the order time."""
    pp, qp = rules.price_precision, rules.quantity_precision
    out = {
        "orderId": o.order_id,
        "symbol": o.symbol,
        "status": o.status,
        "clientOrderId": o.client_order_id,
        "price": fixed(o.price, pp),
        "avgPrice": fixed(o.avg_price, pp),
        "origQty": fixed(o.orig_qty, qp),
        "executedQty": fixed(o.executed_qty, qp),
    }
    if variant in ("new", "cancel"):
        out["cumQty"] = fixed(o.executed_qty, qp)
    out.update({
        "cumQuote": fixed(o.cum_quote, pp + qp),
        "timeInForce": o.time_in_force,
        "type": o.type,
        "reduceOnly": o.reduce_only,
        "closePosition": o.close_position,
        "side": o.side,
        "positionSide": o.position_side,
        "stopPrice": fixed(o.stop_price, pp),
        "workingType": o.working_type,
        "priceProtect": o.price_protect,
        "origType": o.orig_type,
        "priceMatch": "NONE",
        "selfTradePreventionMode": o.self_trade_prevention,
        "goodTillDate": o.good_till_date,
    })
    if o.orig_type == "TRAILING_STOP_MARKET":
        out["activatePrice"] = fixed(o.activation_price or ZERO, pp)
        out["priceRate"] = plain(o.callback_rate or ZERO)
    if variant == "query":
        out["time"] = o.time
    out["updateTime"] = o.update_time
    return out


def trade_json(t: Trade) -> dict:
    return {
        "symbol": t.symbol,
        "id": t.id,
        "orderId": t.order_id,
        "side": t.side,
        "price": plain(t.price),
        "qty": plain(t.qty),
        "realizedPnl": usdt(t.realized_pnl) if t.realized_pnl else "0",
        "marginAsset": "USDT",
        "quoteQty": plain(t.price * t.qty),
        "commission": usdt(t.commission),
        "commissionAsset": "USDT",
        "time": t.time,
        "positionSide": t.position_side,
        "buyer": t.side == "BUY",
        "maker": t.maker,
    }


# -- user data stream ------------------------------------------------------------------------

def _book_notional(book: list[Order], side: str) -> Decimal:
    return sum((o.remaining * o.price for o in book
                if o.side == side and o.type == "LIMIT" and not o.awaiting_trigger), ZERO)


def order_update(o: Order, rules: SymbolRules, execution_type: str, now: int, trade: Trade | None,
                 book: list[Order]) -> dict:
    pp, qp = rules.price_precision, rules.quantity_precision
    body = {
        "s": o.symbol, "c": o.client_order_id, "S": o.side, "o": o.type, "f": o.time_in_force,
        "q": fixed(o.orig_qty, qp), "p": fixed(o.price, pp), "ap": fixed(o.avg_price, pp),
        "sp": fixed(o.stop_price, pp), "x": execution_type, "X": o.status, "i": o.order_id,
        "l": fixed(trade.qty if trade else ZERO, qp), "z": fixed(o.executed_qty, qp),
        "L": fixed(trade.price if trade else ZERO, pp),
    }
    if trade is not None:  # "N"/"n" are only pushed with a commission
        body["N"] = "USDT"
        body["n"] = usdt(trade.commission)
    body.update({
        "T": trade.time if trade else o.update_time, "t": trade.id if trade else 0,
        "b": usdt(_book_notional(book, "BUY")), "a": usdt(_book_notional(book, "SELL")),
        "m": trade.maker if trade else False, "R": o.reduce_only, "wt": o.working_type, "ot": o.orig_type,
        "ps": o.position_side, "cp": o.close_position,
    })
    if o.orig_type == "TRAILING_STOP_MARKET":
        body["AP"] = fixed(o.activation_price or ZERO, pp)
        body["cr"] = plain(o.callback_rate or ZERO)
    body.update({
        "pP": o.price_protect, "si": 0, "ss": 0,
        "rp": usdt(trade.realized_pnl) if trade else "0",
        "V": o.self_trade_prevention, "pm": "NONE", "gtd": o.good_till_date, "er": str(o.expire_reason),
    })
    return {"e": "ORDER_TRADE_UPDATE", "E": now, "T": trade.time if trade else now, "o": body}


def trade_lite(o: Order, t: Trade, now: int) -> dict:
    return {
        "e": "TRADE_LITE", "E": now, "T": t.time, "s": o.symbol, "q": plain(o.orig_qty),
        "p": plain(o.price), "m": t.maker, "c": o.client_order_id, "S": o.side,
        "L": plain(t.price), "l": plain(t.qty), "t": t.id, "i": o.order_id,
    }


def account_update(ledger, positions, mark: Decimal, reason: str, now: int) -> dict:
    summary_isolated = sum((ledger.isolated_wallet(p) for p in ledger.open_positions()), ZERO)
    settings = {p.symbol: ledger.settings_for(p.symbol) for p in positions}
    return {
        "e": "ACCOUNT_UPDATE", "E": now, "T": now,
        "a": {
            "m": reason,
            "B": [{"a": "USDT", "wb": usdt(ledger.wallet), "cw": usdt(ledger.wallet - summary_isolated),
                   "bc": "0"}],
            "P": [
                {
                    "s": p.symbol, "pa": plain(p.amount), "ep": price_text(p.entry_price),
                    "bep": price_text(p.break_even()), "cr": usdt(p.realized), "up": usdt(p.unrealized(mark)),
                    "mt": "isolated" if settings[p.symbol].isolated else "cross",
                    "iw": usdt(ledger.isolated_wallet(p)), "ps": p.side,
                }
                for p in positions
            ],
        },
    }


def leverage_update(symbol: str, leverage: int, now: int) -> dict:
    return {"e": "ACCOUNT_CONFIG_UPDATE", "E": now, "T": now, "ac": {"s": symbol, "l": leverage}}


def listen_key_expired(listen_key: str, now: int) -> dict:
    # The docs' example carries the event time as a string here (unlike every other event).
    return {"e": "listenKeyExpired", "E": str(now), "listenKey": listen_key}
