"""Account endpoints: position mode, leverage, margin type, brackets, account/balance/positions,
and the listen key endpoints of the user data stream."""

from __future__ import annotations

from aiohttp import web

from . import account_payloads as views
from . import errors
from .brackets import as_json as bracket_json
from .edge import ENGINE, SEVEN_DAYS_MS, answer, key_only, limit_param, signed
from .income import HISTORY_MS, INCOME_TYPES, income_rows, page_of
from .user_stream import UserStreams


async def get_position_mode(request: web.Request) -> web.Response:
    auth = await signed(request)
    return answer({"dualSidePosition": request.app[ENGINE].account(auth.key.api_key).dual_side})


async def set_position_mode(request: web.Request) -> web.Response:
    auth = await signed(request)
    if not auth.params.has("dualSidePosition"):
        raise errors.mandatory_missing("dualSidePosition")
    request.app[ENGINE].set_dual_side(auth.key.api_key, auth.params.boolean("dualSidePosition"))
    return answer({"code": 200, "msg": "success"})


async def set_leverage(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    rules = engine.rules(auth.params.string("symbol", required=True))
    engine.set_leverage(auth.key.api_key, rules.symbol, auth.params.long("leverage", required=True))
    return answer(views.leverage_answer(engine, auth.key.api_key, rules.symbol))


async def set_margin_type(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    rules = engine.rules(auth.params.string("symbol", required=True))
    margin_type = auth.params.string("marginType", required=True).upper()
    if margin_type not in ("ISOLATED", "CROSSED"):
        raise errors.invalid_value("marginType")
    engine.set_margin_type(auth.key.api_key, rules.symbol, margin_type)
    return answer({"code": 200, "msg": "success"})


async def leverage_brackets(request: web.Request) -> web.Response:
    auth = await signed(request)
    engine = request.app[ENGINE]
    symbol = auth.params.string("symbol")
    if symbol is not None:
        return answer(bracket_json(engine.rules(symbol).symbol))
    return answer([bracket_json(s) for s in sorted(engine.market.symbols())])


def account_view(render, *, with_symbol: bool):
    """GET handler rendering one of account_payloads' views for the caller's account."""

    async def handler(request: web.Request) -> web.Response:
        auth = await signed(request)
        engine = request.app[ENGINE]
        if with_symbol:
            return answer(render(engine, auth.key.api_key, auth.params.string("symbol")))
        return answer(render(engine, auth.key.api_key))

    handler.__name__ = render.__name__
    return handler


async def income_history(request: web.Request) -> web.Response:
    """GET /fapi/v1/income: REALIZED_PNL and COMMISSION rows (trading/income.py), oldest first.

    Neither startTime nor endTime: the last 7 days; only startTime: up to now; only endTime: the 7
    days before it. Both inclusive; never older than 3 months. `page` (1-based) of `limit` rows.
    """
    auth = await signed(request)
    engine, p = request.app[ENGINE], auth.params
    symbol = p.string("symbol")
    if symbol is not None:
        symbol = engine.rules(symbol).symbol
    income_type = p.enum("incomeType", INCOME_TYPES, errors.invalid_value("incomeType"))
    limit, page = limit_param(p, default=100, maximum=1000), p.long("page")
    if page is not None and page < 1:
        raise errors.invalid_value("page")
    now, start, end = engine.now(), p.long("startTime"), p.long("endTime")
    if start is not None and end is not None and start > end:
        raise errors.BinanceError(-1023, "Start time is greater than end time.")
    if start is None:
        start = (now if end is None else end) - SEVEN_DAYS_MS
    end = now if end is None else end
    engine.account(auth.key.api_key)
    rows = income_rows(engine.trades[auth.key.api_key], symbol=symbol, income_type=income_type,
                       start=max(start, now - HISTORY_MS), end=end)
    return answer(page_of(rows, page or 1, limit))


async def api_restrictions(request: web.Request) -> web.Response:
    """The key's permissions (a SAPI endpoint of the spot host; signed like the USD-M ones)."""
    auth = await signed(request)
    return answer(views.api_restrictions(auth.key))


# -- user data stream keys ------------------------------------------------------------------------

def _streams(request: web.Request) -> UserStreams:
    return request.app["user_streams"]


async def _stream_account(request: web.Request) -> str:
    auth = await key_only(request)
    request.app[ENGINE].account(auth.key.api_key)
    return auth.key.api_key


async def listen_key_start(request: web.Request) -> web.Response:
    return answer({"listenKey": _streams(request).start(await _stream_account(request))})


async def listen_key_keepalive(request: web.Request) -> web.Response:
    return answer({"listenKey": _streams(request).keepalive(await _stream_account(request))})


async def listen_key_close(request: web.Request) -> web.Response:
    await _streams(request).close(await _stream_account(request))
    return answer({})
