"""Bad market data for the ``ws_bad_kline`` fault: a kline stream frame made wrong in one known way.

Pure: ``corrupt(raw, variant, now_ms)`` takes the frame's bytes (``{"e":"kline",...,"k":{...}}``,
as the stream hub serialised it) and returns new bytes; the hub sends them instead of the real
frame to the connections the fault hits. Variants:

  null_open             ``"o": null`` (the hub applies it to closed klines, ``x: true``, only)
  high_below_low        ``"h"`` one unit of the price's last decimal below ``"l"``
  future_open_time      ``"t"`` = the start of the interval after the exchange clock's current one
                        (``"T"`` = t + interval - 1): a candle from the future
  misaligned_open_time  ``"t"`` and ``"T"`` moved by 1 s: not on the interval grid
"""
from __future__ import annotations

from decimal import Decimal

import orjson

MISALIGN_MS = 1_000
_UNIT_MS = {"s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 7 * 86_400_000}


def interval_ms(interval: str) -> int:
    """``"5m"`` -> 300000 (the kline intervals Binance names; months are not served)."""
    return int(interval[:-1]) * _UNIT_MS[interval[-1]]


def is_closed(raw: bytes) -> bool:
    """Whether a serialised kline event is a closed candle (orjson writes no spaces)."""
    return b'"x":true' in raw


def _just_below(value: str) -> str:
    number = Decimal(value)
    unit = Decimal(1).scaleb(number.as_tuple().exponent)
    return str(number - unit)


def corrupt(raw: bytes, variant: str, now_ms: int) -> bytes:
    event = orjson.loads(raw)
    k = event["k"]
    if variant == "null_open":
        k["o"] = None
    elif variant == "high_below_low":
        k["h"] = _just_below(k["l"])
    elif variant == "future_open_time":
        ms = interval_ms(k["i"])
        k["t"] = (now_ms // ms + 1) * ms
        k["T"] = k["t"] + ms - 1
    elif variant == "misaligned_open_time":
        k["t"] += MISALIGN_MS
        k["T"] += MISALIGN_MS
    else:
        raise ValueError(f"unknown bad kline variant {variant!r}")
    return orjson.dumps(event)
