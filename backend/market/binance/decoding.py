"""Field readers of Binance JSON shared by the trading decoders: each names the endpoint (or event)
in the `DecodeError` it raises, and reads numbers as `Decimal` from Binance's decimal strings."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from market.binance.errors import DecodeError

ZERO = Decimal(0)


def dec(row: dict[str, Any], name: str, what: str, default: Decimal | None = None) -> Decimal:
    value = row.get(name)
    if value is None or value == "":
        if default is not None:
            return default
        raise DecodeError(f"{what}: missing {name!r}", path=what)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise DecodeError(f"{what}: {name!r} is not a number ({value!r})", path=what) from None


def integer(row: dict[str, Any], name: str, what: str, default: int | None = None) -> int:
    value = row.get(name)
    if value is None or value == "":
        if default is not None:
            return default
        raise DecodeError(f"{what}: missing {name!r}", path=what)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DecodeError(f"{what}: {name!r} is not an integer ({value!r})", path=what) from None


def text(row: dict[str, Any], name: str, what: str, default: str | None = None) -> str:
    value = row.get(name)
    if not isinstance(value, str):
        if default is not None:
            return default
        raise DecodeError(f"{what}: missing {name!r}", path=what)
    return value


def flag(row: dict[str, Any], name: str) -> bool:
    value = row.get(name)
    return value is True or value == "true"


def json_object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise DecodeError(f"{what}: not a JSON object", path=what)
    return body


def json_list(body: Any, what: str) -> list[Any]:
    if not isinstance(body, list):
        raise DecodeError(f"{what}: not a JSON list", path=what)
    return body
