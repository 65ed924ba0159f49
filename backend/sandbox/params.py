"""Query-parameter parsing with Binance's own error answers (-1100, -1101, -1102, -1121, -1130...)."""
from __future__ import annotations

import re

import orjson
from aiohttp import web

from . import errors
from .errors import BinanceError

SYMBOL_RE = re.compile(r"[A-Z0-9\-_.]{1,20}")
NUMBER_RE = re.compile(r"[0-9]{1,20}")
TIMEZONE_RE = re.compile(r"([+-]?)(\d{1,2})(?::(\d{2}))?")


def one(request: web.Request, name: str) -> str | None:
    """The single value of ``name`` (empty counts as absent); -1101 when sent twice."""
    values = request.query.getall(name, [])
    if len(values) > 1:
        raise BinanceError(-1101, "Duplicate values for a parameter detected.")
    if not values or values[0] == "":
        return None
    return values[0]


def symbol(request: web.Request, known, required: bool) -> str | None:
    """A valid, listed symbol; ``known(name) -> bool``."""
    value = one(request, "symbol")
    if value is None:
        if required:
            raise errors.mandatory_missing("symbol")
        return None
    if not SYMBOL_RE.fullmatch(value):
        raise errors.illegal_chars("symbol", errors.SYMBOL_RANGE)
    if not known(value):
        raise errors.invalid_symbol()
    return value


def symbols(request: web.Request, known) -> list[str] | None:
    """The ``symbols`` JSON array (e.g. ``["BTCUSDT","ETHUSDT"]``), validated like Binance does."""
    raw = one(request, "symbols")
    if raw is None:
        return None
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise errors.illegal_chars("symbols", errors.SYMBOLS_RANGE) from None
    if (not isinstance(parsed, list) or not parsed
            or not all(isinstance(s, str) and SYMBOL_RE.fullmatch(s) for s in parsed)):
        raise errors.illegal_chars("symbols", errors.SYMBOLS_RANGE)
    if len(set(parsed)) != len(parsed):
        raise errors.duplicate_symbols()
    if not all(known(s) for s in parsed):
        raise errors.invalid_symbol()
    return parsed


def integer(request: web.Request, name: str, required: bool = False) -> int | None:
    value = one(request, name)
    if value is None:
        if required:
            raise errors.mandatory_missing(name)
        return None
    if not NUMBER_RE.fullmatch(value):
        raise errors.illegal_chars(name, errors.NUMBER_RANGE)
    return int(value)


def limit(request: web.Request, default: int, maximum: int) -> int:
    value = integer(request, "limit")
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise errors.invalid_param("limit")
    return value


def time_ms(request: web.Request, name: str) -> int | None:
    """startTime/endTime; microsecond values (16 digits) are accepted as Binance spot does."""
    value = integer(request, name)
    if value is not None and value >= 10 ** 15:
        value //= 1000
    return value


def timezone_offset_ms(request: web.Request) -> int:
    """Spot ``timeZone`` ("8", "-1:00", "05:45"); the range is [-12:00, +14:00]."""
    raw = one(request, "timeZone")
    if raw is None:
        return 0
    match = TIMEZONE_RE.fullmatch(raw.strip())
    if not match:
        raise errors.invalid_param("timeZone")
    sign = -1 if match.group(1) == "-" else 1
    minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
    offset = sign * minutes
    if not -12 * 60 <= offset <= 14 * 60 or int(match.group(3) or 0) >= 60:
        raise errors.invalid_param("timeZone")
    return offset * 60_000


def weight_by_limit(request: web.Request) -> int:
    """USD-M klines weight: [1,100) 1, [100,500) 2, [500,1000] 5, >1000 10 (default limit 500)."""
    raw = request.query.get("limit", "")
    value = int(raw) if NUMBER_RE.fullmatch(raw) else 500
    if value < 100:
        return 1
    if value < 500:
        return 2
    if value <= 1000:
        return 5
    return 10


def spot_ticker_weight(request: web.Request) -> int:
    """/api/v3/ticker/24hr: 2 with symbol, 80 with none; symbols: 1-20 -> 2, 21-100 -> 40, more -> 80."""
    if request.query.get("symbol"):
        return 2
    raw = request.query.get("symbols")
    if not raw:
        return 80
    count = raw.count(",") + 1
    return 2 if count <= 20 else 40 if count <= 100 else 80
