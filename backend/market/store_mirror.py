"""A process's copy of the candle store's newest candles, kept current by the store's change feed.

The periodic scan reads every symbol's whole window (config.WARMUP candles) each pass: a
million rows at 1,000 symbols, seconds of PostgreSQL's time, of which one candle per symbol is new.
A `StoreMirror` reads each symbol's window once, then on each pass only the rows written since:

    feed_watermark()      the revision W below which every writer has committed (the feed lock)
    rows with last < revision <= W, for this (market, interval)    -> merged into the copy

Why the copy is the store:
* Every insert or change of a row takes a new revision from one sequence (services.candles_upsert)
  while holding the feed lock in shared mode until it commits. The watermark is read under the
  lock held exclusively, so no transaction that drew a revision at or below it is still open: a
  reader that has applied every row up to W has missed none, whatever order writers commit in.
* A row that is deleted leaves no revision, so deletions are counted instead (a statement
  trigger on DELETE and TRUNCATE bumps `market_candle_erasures`, migration 0006). When the count
  moves (an operator, a test's flush) the copy is dropped and read again in full. The hourly
  prune does not count: it deletes only candles older than the newest MARKET_CANDLES_KEEP, and a
  window is the newest candles up to a boundary; at most the copy keeps a few older rows than
  the store, which no window of `keep - SPARE` candles reaches.
* A watermark not obtained within `LOCK_WAIT_S` (a writer's transaction left open) drops the copy:
  the caller reads the store directly, as without a mirror.

The copy is per process (a Celery worker's child builds its own on its first scan) and holds, per
symbol, an (m, 6) float64 array: open_time, open, high, low, close, volume, oldest first.
"""
from __future__ import annotations

import logging
import time

import numpy as np
from django.db import connection

from market.services import FEED_LOCK

logger = logging.getLogger(__name__)

#: How long a reader tries for the feed lock before it gives up on the feed for this pass.
LOCK_WAIT_S = 2.0
#: Candles kept per symbol beyond the window asked for: candles stored past the window's end.
SPARE = 16

_COLUMNS = 6
_CHANGES = """
SELECT symbol, string_agg(
    float8send(open_time::float8) || float8send(open) || float8send(high) || float8send(low)
    || float8send(close) || float8send(volume), ''::bytea ORDER BY open_time)
FROM market_candle
WHERE market = %s AND interval = %s AND revision > %s AND revision <= %s
GROUP BY symbol
"""
_RECORD = np.dtype(">f8")


def feed_watermark(*, wait_s: float | None = None) -> tuple[int, int] | None:
    """(revision watermark, erasure count), or None when the feed lock was not free within `wait_s`.

    The lock is a session lock taken and given back at once (not a transaction lock: a caller
    inside a long transaction must not hold writers off until it ends)."""
    deadline = time.monotonic() + (LOCK_WAIT_S if wait_s is None else wait_s)
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [FEED_LOCK])
            if cursor.fetchone()[0]:
                break
            if time.monotonic() > deadline:
                return None
            time.sleep(0.005)
        try:
            cursor.execute("SELECT (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM market_candle_revisions),"
                           " (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM market_candle_erasures)")
            revision, erasures = cursor.fetchone()
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [FEED_LOCK])
    return revision, erasures


def _unpack(packed) -> np.ndarray:
    return np.frombuffer(packed, dtype=_RECORD).astype(np.float64).reshape(-1, _COLUMNS)


def _merge(old: np.ndarray, new: np.ndarray, keep: int) -> np.ndarray:
    """`old` with the rows of `new` added or replacing those of the same open time, the newest `keep`."""
    if len(old) == 0 or new[0, 0] > old[-1, 0]:
        merged = np.concatenate([old, new]) if len(old) else new
    else:  # a correction or a late candle: the changed rows win, then back into time order
        merged = np.concatenate([old[~np.isin(old[:, 0], new[:, 0])], new])
        merged = merged[np.argsort(merged[:, 0], kind="stable")]
    return _frozen(merged[-keep:])


def _frozen(rows: np.ndarray) -> np.ndarray:
    rows.setflags(write=False)  # windows are handed out as views: nobody may write through them
    return rows


class StoreMirror:
    """The newest `keep` stored candles of each symbol read so far, for one market and interval."""

    def __init__(self, market: str, interval: str, keep: int) -> None:
        self.market, self.interval, self.keep = market, interval, keep
        self.series: dict[str, np.ndarray] = {}
        self.revision: int | None = None  # every row up to it is applied; None: nothing is
        self.erasures: int | None = None
        self.rows_applied = 0  # rows read from the feed, for the figures

    def reset(self) -> None:
        self.series, self.revision, self.erasures = {}, None, None

    def refresh(self) -> bool:
        """Apply the rows written since the last refresh; False (and the copy dropped) when the
        feed cannot be followed this time: the caller reads the store directly."""
        mark = feed_watermark()
        if mark is None:
            logger.warning("candle feed lock busy for %.1f s: reading the store in full", LOCK_WAIT_S)
            self.reset()
            return False
        revision, erasures = mark
        if self.revision is None or erasures != self.erasures:
            self.series = {}  # every symbol is read in full when next asked for
        elif revision > self.revision:
            with connection.cursor() as cursor:
                cursor.execute(_CHANGES, [self.market, self.interval, self.revision, revision])
                for symbol, packed in cursor.fetchall():
                    rows = _unpack(packed)
                    self.rows_applied += len(rows)
                    if symbol in self.series:
                        self.series[symbol] = _merge(self.series[symbol], rows, self.keep)
        self.revision, self.erasures = revision, erasures
        return True

    def load(self, symbols: list[str]) -> None:
        """Read the symbols not held yet in full (after `refresh`: a row written meanwhile is read
        again from the feed next time, which changes nothing)."""
        from market.selectors import candles_last

        missing = [s for s in symbols if s not in self.series]
        for symbol, k in candles_last(missing, self.interval, self.keep, market=self.market).items():
            self.series[symbol] = _frozen(np.column_stack(
                [k.open_time.astype(np.float64), k.open, k.high, k.low, k.close, k.volume]))

    def windows(self, symbols: list[str], n: int, *, until_open_time: int) -> dict[str, np.ndarray] | None:
        """The last `n` held candles up to `until_open_time` of each symbol that has any (fewer
        than `n` where the copy holds fewer); None when the feed could not be followed."""
        if not self.refresh():
            return None
        self.load(symbols)
        result = {}
        for symbol in symbols:
            rows = self.series.get(symbol)
            if rows is None or len(rows) == 0:
                continue
            end = int(np.searchsorted(rows[:, 0], until_open_time, side="right"))
            if end:
                result[symbol] = rows[max(0, end - n):end]
        return result


_mirrors: dict[tuple[str, str, int], StoreMirror] = {}


def store_mirror(market: str, interval: str, keep: int) -> StoreMirror:
    """This process's mirror of (market, interval) keeping `keep` candles per symbol."""
    key = (market, interval, keep)
    mirror = _mirrors.get(key)
    if mirror is None:
        mirror = _mirrors[key] = StoreMirror(market, interval, keep)
    return mirror


def store_mirrors_reset() -> None:
    """Forget every mirror of this process (tests whose transactions roll back rows the mirror read)."""
    _mirrors.clear()
