"""Bad market data quarantined: the checks every exchange kline passes before it is used.

A kline is kept only if its prices are finite and positive, its volume finite and not negative,
`high >= max(open, close)`, `low <= min(open, close)`, its open time on the interval's grid and
not ahead of the exchange clock. Anything else is logged, counted in `quarantined` (by reason)
and skipped: a bad frame or row is never stored, never retried, and cannot make later real
candles look like duplicates (a future-dated open time would).

Pure apart from the counter and the log line; two entry points:

    problem = kline_problem(open_time, o, h, l, c, v, interval=..., now_ms=...)   # str | None
    keep = klines_mask(open_time, o, h, l, c, v, interval=..., now_ms=...)        # numpy bool mask
"""
from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from datetime import UTC, datetime

import numpy as np

logger = logging.getLogger(__name__)

_UNIT_MS = {"m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 7 * 86_400_000}
#: Weekly candles open on Mondays; 1970-01-01 was a Thursday, four days after the grid's origin.
_WEEK_OFFSET_MS = 4 * 86_400_000

#: Quarantined klines since the process started, by reason (read by the stream status and tests).
quarantined: Counter[str] = Counter()
_lock = threading.Lock()


def _step(interval: str) -> tuple[int, int] | None:
    """(length, offset) of the interval's grid; None for "1M" (calendar months: checked apart)."""
    if interval == "1M":
        return None
    length = int(interval[:-1]) * _UNIT_MS[interval[-1]]
    return length, (_WEEK_OFFSET_MS if interval.endswith("w") else 0)


def _aligned(open_time: int, interval: str) -> bool:
    step = _step(interval)
    if step is None:
        moment = datetime.fromtimestamp(open_time / 1000, UTC)
        return open_time % 1000 == 0 and (moment.day, moment.hour, moment.minute, moment.second) == (1, 0, 0, 0)
    length, offset = step
    return (open_time - offset) % length == 0


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def kline_problem(open_time, open_, high, low, close, volume, *, interval: str, now_ms: int | None) -> str | None:
    """Why this kline must not be used, or None when it is sound. `now_ms`: the exchange clock
    (a stream frame's event time); None skips the future check."""
    if isinstance(open_time, bool) or not isinstance(open_time, int):
        return "open time missing"
    prices = [_number(v) for v in (open_, high, low, close)]
    if any(p is None for p in prices):
        return "price missing or not a finite number"
    o, h, l, c = prices  # noqa: E741
    if min(o, h, l, c) <= 0:
        return "price not positive"
    vol = _number(volume)
    if vol is None or vol < 0:
        return "volume missing or negative"
    if h < max(o, c) or h < l:
        return "high below open, close or low"
    if l > min(o, c):
        return "low above open or close"
    if not _aligned(open_time, interval):
        return "open time off the interval grid"
    if now_ms is not None and open_time > now_ms:
        return "open time ahead of the exchange clock"
    return None


def klines_mask(open_time: np.ndarray, open_, high, low, close, volume, *, interval: str,
                now_ms: int | None) -> np.ndarray:
    """`kline_problem` over arrays (a REST page): True where the row is sound."""
    prices = np.stack([open_, high, low, close])
    keep = np.isfinite(prices).all(axis=0) & (prices > 0).all(axis=0)
    keep &= np.isfinite(volume) & (volume >= 0)
    keep &= (high >= np.maximum(open_, close)) & (high >= low) & (low <= np.minimum(open_, close))
    step = _step(interval)
    if step is None:
        keep &= np.array([_aligned(int(t), interval) for t in open_time], dtype=bool)
    else:
        keep &= (open_time - step[1]) % step[0] == 0
    if now_ms is not None:
        keep &= open_time <= now_ms
    return keep


def kline_quarantine(reason: str, *, symbol: str, interval: str, open_time, source: str) -> None:
    """Log and count one bad kline (never raises: the caller skips it and goes on)."""
    with _lock:
        quarantined[reason] += 1
    logger.warning("bad kline quarantined (%s): %s %s open_time=%s from %s", reason, symbol, interval, open_time, source)


def quarantined_total() -> int:
    with _lock:
        return sum(quarantined.values())
