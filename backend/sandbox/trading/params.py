"""Typed request parameters, read the way Binance reads them.

Binance takes parameters from the query string and, for POST/PUT/DELETE, the form body; a name sent
in both places takes the query string's value, a name sent twice in one place is refused (-1101).
An empty value counts as not sent. Each reader below refuses a bad value with Binance's own code
(-1100 for characters outside the documented range, the enum's own code for an unknown member, ...).
"""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import parse_qsl

from . import errors

_DECIMAL = re.compile(errors.DECIMAL_RANGE)
_LONG = re.compile(errors.LONG_RANGE)


def parse_form(raw: str) -> dict[str, str]:
    """Decode one urlencoded string; a name repeated within it is a -1101."""
    out: dict[str, str] = {}
    for name, value in parse_qsl(raw, keep_blank_values=True):
        if name in out:
            raise errors.duplicate_param(name)
        out[name] = value
    return out


def merge_sources(query: dict[str, str], body: dict[str, str]) -> dict[str, str]:
    """Body first, then the query string on top: Binance uses the query's value when both have one."""
    merged = dict(body)
    merged.update(query)
    return merged


class Params:
    """Read-only view of the merged parameters with Binance-typed accessors."""

    def __init__(self, values: dict[str, str]):
        self._values = {k: v for k, v in values.items() if v != ""}

    def has(self, name: str) -> bool:
        return name in self._values

    def items(self):
        return self._values.items()

    def raw(self, name: str) -> str | None:
        return self._values.get(name)

    def string(self, name: str, *, required: bool = False) -> str | None:
        value = self._values.get(name)
        if value is None and required:
            raise errors.mandatory_missing(name)
        return value

    def decimal(self, name: str, *, required: bool = False) -> Decimal | None:
        value = self.string(name, required=required)
        if value is None:
            return None
        if not _DECIMAL.match(value):
            raise errors.illegal_chars(name, errors.DECIMAL_RANGE)
        return Decimal(value)

    def long(self, name: str, *, required: bool = False) -> int | None:
        value = self.string(name, required=required)
        if value is None:
            return None
        if not _LONG.match(value):
            raise errors.illegal_chars(name, errors.LONG_RANGE)
        return int(value)

    def boolean(self, name: str, *, default: bool = False) -> bool:
        value = self._values.get(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise errors.invalid_value(name)
        return lowered == "true"

    def enum(self, name: str, members: tuple[str, ...], bad: errors.BinanceError, *,
             default: str | None = None, required: bool = False) -> str | None:
        value = self.string(name, required=required)
        if value is None:
            return default
        if value not in members:
            raise bad
        return value
