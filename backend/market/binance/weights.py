"""Request weight of every endpoint the platform calls (see shared/binance/LIMITS.md).

The governor reserves this weight before a request is sent, so a missing entry is
a bug: `request_weight` raises KeyError rather than guessing.
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
    "/fapi/v2/account": _fixed(5),  # SIGNED (account.py)
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


def request_weight(path: str, params: Params | None = None) -> int:
    """Weight Binance charges to this IP for `GET path?params`."""
    return WEIGHTS[path](params or {})
