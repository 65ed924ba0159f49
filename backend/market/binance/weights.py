"""Request weight of every endpoint the platform calls (see shared/binance/LIMITS.md and the
endpoint pages of docs/usdm_futures), and what order writes count on the account's order limits.

The governor reserves this weight before a request is sent, so a missing entry is
a bug: `request_weight` raises KeyError rather than guessing. GET endpoints are keyed by
path; other methods by "METHOD path". Algo order weights are the ones clients record (their
pages are not in the shared docs).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

Params = Mapping[str, object]


def _limit(params: Params, default: int) -> int:
    return int(params.get("limit", default))  # type: ignore[arg-type]


def _usdm_klines(params: Params) -> int:
    limit = _limit(params, 500)
    if limit < 100:
        return 1
    if limit < 500:
        return 2
    if limit <= 1000:
        return 5
    return 10


def _usdm_depth(params: Params) -> int:
    limit = _limit(params, 500)
    if limit <= 50:
        return 2
    if limit <= 100:
        return 5
    if limit <= 500:
        return 10
    return 20


def _spot_depth(params: Params) -> int:
    limit = _limit(params, 100)
    if limit <= 100:
        return 5
    if limit <= 500:
        return 25
    if limit <= 1000:
        return 50
    return 250


def _spot_ticker_24hr(params: Params) -> int:
    if "symbol" in params:
        return 2
    symbols = params.get("symbols")
    if symbols is None:
        return 80
    count = str(symbols).count(",") + 1
    return 2 if count <= 20 else 40 if count <= 100 else 80


def _fixed(weight: int) -> Callable[[Params], int]:
    return lambda params: weight


def _with_symbol(single: int, every: int) -> Callable[[Params], int]:
    return lambda params: single if "symbol" in params else every


WEIGHTS: dict[str, Callable[[Params], int]] = {
    # USD-M futures (fapi.binance.com)
    "/fapi/v1/ping": _fixed(1),
    "/fapi/v1/time": _fixed(1),
    "/fapi/v1/exchangeInfo": _fixed(1),
    "/fapi/v1/klines": _usdm_klines,
    "/fapi/v1/depth": _usdm_depth,
    "/fapi/v1/ticker/24hr": _with_symbol(1, 40),
    "/fapi/v1/ticker/price": _with_symbol(1, 2),
    "/fapi/v1/ticker/bookTicker": _with_symbol(2, 5),
    "/fapi/v1/premiumIndex": _with_symbol(1, 10),
    "/fapi/v2/account": _fixed(5),  # SIGNED (account.py, trading.py)
    # USD-M trading, SIGNED (trading.py)
    "POST /fapi/v1/order": _fixed(0),  # counts on the order limits instead (ORDER_COUNTS)
    "/fapi/v1/order": _fixed(1),
    "DELETE /fapi/v1/order": _fixed(1),
    "POST /fapi/v1/batchOrders": _fixed(5),
    "DELETE /fapi/v1/batchOrders": _fixed(1),
    "/fapi/v1/openOrder": _fixed(1),
    "/fapi/v1/openOrders": _with_symbol(1, 40),
    "DELETE /fapi/v1/allOpenOrders": _fixed(1),
    "POST /fapi/v1/countdownCancelAll": _fixed(10),
    "/fapi/v1/allOrders": _fixed(5),
    "/fapi/v1/userTrades": _fixed(5),
    "/fapi/v1/income": _fixed(30),
    "POST /fapi/v1/algoOrder": _fixed(0),
    "DELETE /fapi/v1/algoOrder": _fixed(1),
    "/fapi/v1/algoOrder": _fixed(1),
    "/fapi/v1/openAlgoOrders": _with_symbol(1, 40),
    "/fapi/v1/allAlgoOrders": _fixed(5),
    "DELETE /fapi/v1/algoOpenOrders": _fixed(1),
    "/fapi/v1/positionSide/dual": _fixed(30),
    "POST /fapi/v1/positionSide/dual": _fixed(1),
    "POST /fapi/v1/leverage": _fixed(1),
    "POST /fapi/v1/marginType": _fixed(1),
    "/fapi/v1/leverageBracket": _fixed(1),
    "/fapi/v2/positionRisk": _fixed(5),
    "/fapi/v2/balance": _fixed(5),
    "POST /fapi/v1/listenKey": _fixed(1),
    "PUT /fapi/v1/listenKey": _fixed(1),
    "DELETE /fapi/v1/listenKey": _fixed(1),
    # Wallet (SAPI) on the spot host, SIGNED
    "/sapi/v1/account/apiRestrictions": _fixed(1),
    # Spot (api.binance.com)
    "/api/v3/ping": _fixed(1),
    "/api/v3/time": _fixed(1),
    "/api/v3/exchangeInfo": _fixed(20),
    "/api/v3/klines": _fixed(2),
    "/api/v3/depth": _spot_depth,
    "/api/v3/ticker/24hr": _spot_ticker_24hr,
    "/api/v3/ticker/price": _with_symbol(2, 4),
}


# What an order write counts on the account's ORDERS limits: (10-second count, 1-minute count).
ORDER_COUNTS: dict[str, tuple[int, int]] = {
    "POST /fapi/v1/order": (1, 1),
    "POST /fapi/v1/batchOrders": (5, 1),  # documented: 5 on the 10 s limit, 1 on the minute
    "POST /fapi/v1/algoOrder": (1, 1),
}


def _key(method: str, path: str) -> str:
    return path if method == "GET" else f"{method} {path}"


def request_weight(path: str, params: Params | None = None, method: str = "GET") -> int:
    """Weight Binance charges to this IP for `METHOD path?params`."""
    return WEIGHTS[_key(method, path)](params or {})


def order_count(method: str, path: str) -> tuple[int, int] | None:
    """What `METHOD path` counts on the account's order limits, or None when it is no order write."""
    return ORDER_COUNTS.get(_key(method, path))
