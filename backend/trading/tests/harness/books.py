"""The sandbox's books of one account, fetched with plain signed HTTP requests made here (urllib +
hmac, not the adapter under test), and `books_diff`: every difference between the platform's
`Order`/`Fill` rows and those books (ids, statuses, quantities, prices, fees, realised PnL),
orders the platform left unresolved and client ids the exchange saw twice. Empty = equal books.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

UNRESOLVED = ("PENDING", "SENDING", "UNKNOWN")
NEVER_ON_EXCHANGE = ("NOT_SENT", "REJECTED")


def dec(value) -> Decimal | None:
    """A number of either side as a normalised Decimal (None stays None)."""
    if value is None or value == "":
        return None
    return Decimal(str(value)).normalize() + Decimal(0)


# --- the sandbox's books, through plain signed HTTP ------------------------------------------

class SandboxHttp:
    """Signed requests to the sandbox with one account's key: nothing of the platform's client.

    They leave from 127.0.0.2 when the sandbox is on 127.0.0.1: the sandbox counts weight per IP,
    and an observer polling the books must not spend the platform's budget (its weight governor
    reads the IP's used weight from the sandbox's answers and would hold the platform's requests).
    """

    def __init__(self, base_url: str, api_key: str, secret: str) -> None:
        self.base_url, self._key, self._secret = base_url.rstrip("/"), api_key, secret
        parts = urlsplit(self.base_url)
        self._host, self._port = parts.hostname, parts.port or 80
        self._source = ("127.0.0.2", 0) if self._host == "127.0.0.1" else None

    def request(self, method: str, path: str, params: dict | None = None):
        items = {**(params or {}), "recvWindow": 60000, "timestamp": int(time.time() * 1000)}
        query = urlencode(items)
        signature = hmac.new(self._secret.encode(), query.encode(), hashlib.sha256).hexdigest()
        for attempt in range(5):
            connection = http.client.HTTPConnection(self._host, self._port, timeout=30, source_address=self._source)
            try:
                connection.request(method, f"{path}?{query}&signature={signature}", headers={"X-MBX-APIKEY": self._key})
                response = connection.getresponse()
                body = response.read()
            finally:
                connection.close()
            if response.status == 200:
                return json.loads(body)
            # A fault of a test still switched on (5xx, 429): try again; anything else is a test error.
            if response.status < 500 and response.status != 429 or attempt == 4:
                raise AssertionError(f"sandbox {method} {path}: HTTP {response.status} {body[:200]!r}")
            time.sleep(0.5)

    def get(self, path: str, params: dict | None = None):
        return self.request("GET", path, params)


@dataclass
class SandboxBooks:
    """One account's books as the sandbox keeps them."""

    orders: dict[str, list[dict]] = field(default_factory=dict)  # clientOrderId -> allOrders rows
    trades: dict[tuple[str, int], dict] = field(default_factory=dict)  # (symbol, id) -> userTrades row
    balance: dict | None = None  # the USDT row of /fapi/v2/balance
    positions: list[dict] = field(default_factory=list)  # non-zero positionRisk rows
    open_orders: list[dict] = field(default_factory=list)

    @classmethod
    def fetch(cls, http: SandboxHttp, symbols, *, account_state: bool = True) -> "SandboxBooks":
        """`account_state=False`: orders and trades only (10 weight a symbol; the account state is 50 more):
        what `books_diff` needs, cheap enough to poll without eating the IP's weight budget."""
        books = cls()
        for symbol in sorted(set(symbols)):
            from_id = 0
            while True:
                page = http.get("/fapi/v1/allOrders", {"symbol": symbol, "orderId": from_id, "limit": 1000})
                for row in page:
                    books.orders.setdefault(row["clientOrderId"], []).append(row)
                if len(page) < 1000:
                    break
                from_id = page[-1]["orderId"] + 1
            from_id = 0
            while True:
                page = http.get("/fapi/v1/userTrades", {"symbol": symbol, "fromId": from_id, "limit": 1000})
                for row in page:
                    books.trades[(symbol, row["id"])] = row
                if len(page) < 1000:
                    break
                from_id = page[-1]["id"] + 1
        if not account_state:
            return books
        books.balance = next((row for row in http.get("/fapi/v2/balance") if row["asset"] == "USDT"), None)
        books.positions = [row for row in http.get("/fapi/v2/positionRisk") if dec(row["positionAmt"]) != 0]
        books.open_orders = http.get("/fapi/v1/openOrders")
        return books

    def exchange_orders(self) -> list[dict]:
        return [row for rows in self.orders.values() for row in rows]


def account_http(account, base_url: str) -> SandboxHttp:
    """The account's stored key, decrypted with the platform's one decryption module."""
    from accounts import crypto

    return SandboxHttp(base_url, crypto.decrypt(account.api_key_encrypted).reveal(),
                       crypto.decrypt(account.api_secret_encrypted).reveal())


def account_symbols(account, extra=()) -> set[str]:
    from trading.models import Fill, Order

    symbols = set(extra)
    symbols |= set(Order.objects.filter(account=account).values_list("symbol", flat=True))
    symbols |= set(Fill.objects.filter(account=account).values_list("symbol", flat=True))
    return symbols


def sandbox_books(account, base_url: str, symbols=(), *, account_state: bool = True) -> SandboxBooks:
    return SandboxBooks.fetch(account_http(account, base_url), account_symbols(account, symbols),
                              account_state=account_state)


# --- the comparison ---------------------------------------------------------------------------

_ORDER_FIELDS = (  # (platform attribute, allOrders key)
    ("exchange_order_id", "orderId"), ("symbol", "symbol"), ("side", "side"), ("position_side", "positionSide"),
    ("type", "origType"), ("status", "status"), ("quantity", "origQty"), ("executed_qty", "executedQty"),
    ("avg_price", "avgPrice"), ("cum_quote", "cumQuote"), ("price", "price"), ("reduce_only", "reduceOnly"),
    ("close_position", "closePosition"),
)
_FILL_FIELDS = (  # (platform attribute, userTrades key)
    ("exchange_order_id", "orderId"), ("side", "side"), ("position_side", "positionSide"), ("price", "price"),
    ("quantity", "qty"), ("quote_quantity", "quoteQty"), ("commission", "commission"),
    ("commission_asset", "commissionAsset"), ("realized_pnl", "realizedPnl"), ("maker", "maker"), ("time_ms", "time"),
)


def _same(platform, exchange) -> bool:
    """Numbers compare as Decimals (the exchange writes "0" for a price an order does not have,
    the platform may keep None), booleans as booleans, the rest as text."""
    if isinstance(exchange, bool) or isinstance(platform, bool):
        return bool(platform) == bool(exchange)
    ours, theirs = _number(platform), _number(exchange)
    if theirs is not None and (ours is not None or platform is None):
        return (ours or Decimal(0)) == theirs
    return str(platform) == str(exchange)


def _number(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def books_diff(account, books: SandboxBooks, *, algo: bool = False) -> list[str]:
    """Every way the platform's records differ from the sandbox's (empty: equal books)."""
    from trading.models import Fill, Order

    diffs: list[str] = []
    orders = list(Order.objects.filter(account=account, is_algo=algo).order_by("id"))
    seen: set[str] = set()
    for cid, rows in books.orders.items():
        if len(rows) > 1:
            diffs.append(f"order {cid}: the exchange holds {len(rows)} orders with this client id (duplicated)")
    for order in orders:
        cid = order.client_order_id
        if cid in seen:
            diffs.append(f"order {cid}: two platform rows")
        seen.add(cid)
        rows = books.orders.get(cid, [])
        if order.status in UNRESOLVED:
            diffs.append(f"order {cid}: still {order.status} on the platform (exchange: "
                         f"{rows[-1]['status'] if rows else 'no such order'})")
            continue
        if order.status in NEVER_ON_EXCHANGE:
            if rows:
                diffs.append(f"order {cid}: {order.status} on the platform but the exchange has it "
                             f"({rows[-1]['status']}, id {rows[-1]['orderId']}): lost")
            continue
        if not rows:
            diffs.append(f"order {cid}: {order.status} on the platform, unknown to the exchange")
            continue
        row = rows[-1]
        for attribute, key in _ORDER_FIELDS:
            ours, theirs = getattr(order, attribute), row.get(key)
            if not _same(ours, theirs):
                diffs.append(f"order {cid}: {attribute} platform={ours!r} exchange={theirs!r}")
    for cid, rows in books.orders.items():
        if cid not in seen:
            diffs.append(f"order {cid}: on the exchange ({rows[-1]['status']}, id {rows[-1]['orderId']}), "
                         "no platform row (lost)")
    if algo:
        return diffs

    fills = {(f.symbol, f.trade_id): f for f in Fill.objects.filter(account=account).select_related("order")}
    for key, row in books.trades.items():
        fill = fills.get(key)
        if fill is None:
            diffs.append(f"fill {key}: on the exchange (order {row['orderId']}), not on the platform (lost)")
            continue
        for attribute, name in _FILL_FIELDS:
            ours, theirs = getattr(fill, attribute), row.get(name)
            if not _same(ours, theirs):
                diffs.append(f"fill {key}: {attribute} platform={ours!r} exchange={theirs!r}")
        if fill.order is not None and fill.order.exchange_order_id != row["orderId"]:
            diffs.append(f"fill {key}: attached to order {fill.order.client_order_id} "
                         f"(exchange id {fill.order.exchange_order_id}), the exchange says order {row['orderId']}")
        if fill.order is None and any(o.exchange_order_id == row["orderId"] for o in orders):
            diffs.append(f"fill {key}: not attached to its order {row['orderId']}")
    for key in fills.keys() - books.trades.keys():
        diffs.append(f"fill {key}: on the platform, not on the exchange")
    return diffs


def assert_books_equal(account, base_url: str, symbols=()) -> SandboxBooks:
    books = sandbox_books(account, base_url, symbols)
    diffs = books_diff(account, books)
    assert not diffs, "books differ:\n  " + "\n  ".join(diffs)
    return books


def books_equal(account, base_url: str, symbols=()) -> bool:
    return not books_diff(account, sandbox_books(account, base_url, symbols))
