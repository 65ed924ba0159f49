"""Public market-data REST endpoints of spot (/api/v3) and USD-M futures (/fapi/v1).

Each handler validates with sandbox.params (Binance error answers) and renders with
sandbox.payloads / Market.klines_body; weights are registered next to the routes.
"""
from __future__ import annotations

import orjson
from aiohttp import web

from . import errors, params
from .errors import BinanceError, json_response
from .market import INTERVALS, Market
from .payloads import ExchangeInfo, premium_index, ticker_24hr, ticker_price
from .weights import register_weight

KLINE_INTERVALS = {"1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d",
                   "3d", "1w", "1M"}
STATUSES = ("TRADING", "HALT", "BREAK")


def _market(request: web.Request) -> Market:
    return request.app["market"]


def _json(value) -> web.Response:
    return json_response(orjson.dumps(value))


async def ping(request: web.Request) -> web.Response:
    return json_response(b"{}")


async def server_time(request: web.Request) -> web.Response:
    return json_response(b'{"serverTime":%d}' % _market(request).now_ms())


# -- klines ----------------------------------------------------------------------------------
def _klines(request: web.Request, market_name: str, max_limit: int) -> web.Response:
    market = _market(request)
    symbol = params.symbol(request, market.has_symbol, required=True)
    interval = params.one(request, "interval")
    if interval is None:
        raise errors.mandatory_missing("interval")
    if interval not in KLINE_INTERVALS or (market_name == "usdm" and interval == "1s"):
        raise errors.invalid_interval()
    start, end = params.time_ms(request, "startTime"), params.time_ms(request, "endTime")
    limit = params.limit(request, 500, max_limit)
    if market_name == "spot":
        offset = params.timezone_offset_ms(request)
        if interval in INTERVALS and offset % (INTERVALS[interval] * 300_000):
            raise errors.invalid_param("timeZone")  # shifted candle boundaries are not replayed
    if interval not in INTERVALS:
        raise BinanceError(-1120, "Invalid interval.")  # valid on Binance, finer/longer than the replay
    if start is not None and end is not None and start > end:
        if market_name == "usdm":
            raise errors.start_after_end()
        return json_response(b"[]")
    return json_response(market.klines_body(market_name, symbol, interval, start, end, limit))


async def spot_klines(request: web.Request) -> web.Response:
    return _klines(request, "spot", 1000)


async def usdm_klines(request: web.Request) -> web.Response:
    return _klines(request, "usdm", 1500)


# -- tickers ---------------------------------------------------------------------------------
def _selected(request: web.Request, market: Market, allow_symbols: bool) -> tuple[list[str], bool]:
    """(symbols, single) from ``symbol`` / ``symbols``; all symbols when neither is sent."""
    symbol = params.symbol(request, market.has_symbol, required=False)
    many = params.symbols(request, market.has_symbol) if allow_symbols else None
    if symbol is not None and many is not None:
        raise errors.bad_combination()
    if symbol is not None:
        return [symbol], True
    return (many if many is not None else market.symbols()), False


def _status_filter(request: web.Request, single: bool) -> None:
    status = params.one(request, "symbolStatus")
    if status is None:
        return
    if status not in STATUSES:
        raise BinanceError(-1122, "Invalid symbolStatus.")
    if status != "TRADING" and single:  # every replayed symbol is TRADING
        raise BinanceError(-1220, "The symbol's status does not match the requested symbolStatus.")


def _render(bodies: list, single: bool) -> web.Response:
    return _json(bodies[0] if single else bodies)


async def spot_ticker_24hr(request: web.Request) -> web.Response:
    market = _market(request)
    names, single = _selected(request, market, allow_symbols=True)
    kind = params.one(request, "type") or "FULL"
    if kind not in ("FULL", "MINI"):
        raise errors.invalid_ticker_type()
    _status_filter(request, single)
    status = params.one(request, "symbolStatus")
    if status not in (None, "TRADING"):
        names = []
    return _render(_tickers(market, "spot", names, kind == "MINI"), single)


def _tickers(market: Market, market_name: str, names: list[str], mini: bool = False) -> list[dict]:
    now, style = market.now_ms(), market.styles[market_name]
    return [ticker_24hr(style, spec, market.replay.stats_24h(spec, now), mini)
            for spec in map(market.spec, names)]


async def usdm_ticker_24hr(request: web.Request) -> web.Response:
    market = _market(request)
    names, single = _selected(request, market, allow_symbols=False)
    return _render(_tickers(market, "usdm", names), single)


def _prices(request: web.Request, market_name: str, allow_symbols: bool) -> web.Response:
    market = _market(request)
    names, single = _selected(request, market, allow_symbols)
    if market_name == "spot":
        _status_filter(request, single)
        if params.one(request, "symbolStatus") not in (None, "TRADING"):
            names = []
    now, style = market.now_ms(), market.styles[market_name]
    return _render([ticker_price(style, market.spec(n), market.price_int(n, now), now) for n in names], single)


async def spot_ticker_price(request: web.Request) -> web.Response:
    return _prices(request, "spot", allow_symbols=True)


async def usdm_ticker_price(request: web.Request) -> web.Response:
    return _prices(request, "usdm", allow_symbols=False)


async def premium_index_handler(request: web.Request) -> web.Response:
    market = _market(request)
    names, single = _selected(request, market, allow_symbols=False)
    now = market.now_ms()
    return _render([premium_index(market.spec(n), market.price_int(n, now), now) for n in names], single)


# -- exchangeInfo ----------------------------------------------------------------------------
async def spot_exchange_info(request: web.Request) -> web.Response:
    market, info = _market(request), request.app["exchange_info"]["spot"]
    names, single = _selected(request, market, allow_symbols=True)
    explicit = single or params.one(request, "symbols") is not None
    permissions = params.one(request, "permissions")
    status = params.one(request, "symbolStatus")
    show = params.one(request, "showPermissionSets")
    if (permissions is not None or status is not None) and explicit:
        raise errors.bad_combination()
    if show not in (None, "true", "false"):
        raise errors.invalid_param("showPermissionSets")
    if status is not None and status not in STATUSES:
        raise BinanceError(-1122, "Invalid symbolStatus.")
    if not explicit and permissions is None and status is None and show != "false":
        return json_response(info.render(market.now_ms()))
    entries = [info.entries[n] for n in names]
    if permissions is not None:
        wanted = _permission_list(permissions)
        entries = [e for e in entries if any(p in wanted for group in e["permissionSets"] for p in group)]
    if status is not None:
        entries = [e for e in entries if e["status"] == status]
    if show == "false":
        entries = [{**e, "permissionSets": []} for e in entries]
    return json_response(info.render(market.now_ms(), entries))


def _permission_list(raw: str) -> set[str]:
    if raw.startswith("["):
        try:
            parsed = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise errors.invalid_param("permissions") from None
        if not isinstance(parsed, list) or not all(isinstance(p, str) for p in parsed):
            raise errors.invalid_param("permissions")
        return set(parsed)
    return {raw}


async def usdm_exchange_info(request: web.Request) -> web.Response:
    return json_response(request.app["exchange_info"]["usdm"].render(_market(request).now_ms()))


ROUTES = [
    ("/api/v3/ping", ping, 1), ("/api/v3/time", server_time, 1),
    ("/api/v3/exchangeInfo", spot_exchange_info, 20), ("/api/v3/klines", spot_klines, 2),
    ("/api/v3/ticker/24hr", spot_ticker_24hr, params.spot_ticker_weight),
    ("/api/v3/ticker/price", spot_ticker_price, lambda r: 2 if r.query.get("symbol") else 4),
    ("/fapi/v1/ping", ping, 1), ("/fapi/v1/time", server_time, 1),
    ("/fapi/v1/exchangeInfo", usdm_exchange_info, 1), ("/fapi/v1/klines", usdm_klines, params.weight_by_limit),
    ("/fapi/v1/ticker/24hr", usdm_ticker_24hr, lambda r: 1 if r.query.get("symbol") else 40),
    ("/fapi/v1/ticker/price", usdm_ticker_price, lambda r: 1 if r.query.get("symbol") else 2),
    ("/fapi/v2/ticker/price", usdm_ticker_price, lambda r: 1 if r.query.get("symbol") else 2),
    ("/fapi/v1/premiumIndex", premium_index_handler, lambda r: 1 if r.query.get("symbol") else 10),
]


def setup_market_routes(app: web.Application) -> None:
    market: Market = app["market"]
    config = app["config"]
    specs = [market.spec(n) for n in market.symbols()]
    app["exchange_info"] = {
        "spot": ExchangeInfo(market.dataset.spot_info, [s.spot_info for s in specs], config.weight_budget_spot),
        "usdm": ExchangeInfo(market.dataset.usdm_info, [s.usdm_info for s in specs], config.weight_budget_usdm),
    }
    for path, handler, weight in ROUTES:
        app.router.add_get(path, handler)
        register_weight("GET", path, weight)
