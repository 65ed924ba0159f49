"""Candle history: download over REST (`fetch_history`) and read kline files (`read_kline_files`).

Both only ever produce candles the exchange published; a missing open time is reported as a
`Gap`, never filled. Storing is the caller's (`services.candles_upsert(..., history=True)`).

* `fetch_history(client, symbols, interval, start_ms, end_ms, store=..., progress=...)` pages
  `GET klines` by `startTime`/`limit` (1000 per page: weight 5 on USD-M, 2 on spot) through the
  client, hence its weight governor and retry policy. The window is [start_ms, end_ms): open
  times on the interval's grid, closed candles only (the exchange clock, `GET time`, decides what
  is closed). Rows failing `kline_checks` are quarantined by the decoder (`candles_decode`).
* `read_kline_file(path, symbol=None, interval=None)` reads
    - Binance's public kline files (data.binance.vision): `.csv`, or `.zip` holding one `.csv`,
      12 columns `open_time,open,high,low,close,volume,close_time,quote_volume,count,
      taker_buy_volume,taker_buy_quote_volume,ignore`, header row or not; symbol and interval from
      the name `BTCUSDT-5m-2026-11.zip` (monthly) or `BTCUSDT-5m-2026-11-03.zip` (daily).
      Times in microseconds (spot files since 2025) are recognised by size (>= 1e14: ms reach
      that in the year 5138) and divided by 1000.
    - the recorded set the project ships: `sandbox/data/klines_usdm_5m.npz` (all its symbols) and
      its source CSVs `<SYMBOL>.csv` with header `timestamp,open,high,low,close,volume`. These
      carry OHLCV only: close time = open + interval - 1; quote volume, trades and taker volumes
      are stored as 0 (unknown; nothing reads them from the store but the candle itself).
  Every row passes `kline_checks.kline_problem` (the checks of every exchange kline); a bad row is
  quarantined (logged, counted by reason in `KlineFile.bad`), never stored.
"""
from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from market.binance.errors import BinanceError
from market.binance.kline_checks import kline_problem, kline_quarantine
from market.binance.market_data import KlinesParams
from market.binance.schemas import INTERVAL_MS, Candle

PAGE = 1000
MICROSECONDS_FROM = 10**14
BINANCE_HEADER = ("open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume", "count",
                  "taker_buy_volume", "taker_buy_quote_volume", "ignore")
RECORDED_HEADER = ("timestamp", "open", "high", "low", "close", "volume")
_BINANCE_NAME = re.compile(r"^(?P<symbol>[A-Z0-9]+)-(?P<interval>\d+[smhdwM])-\d{4}-\d{2}(?:-\d{2})?$")
_RECORDED_NAME = re.compile(r"^[A-Z0-9]+$")


class HistoryError(ValueError):
    """Input the history commands cannot use (bad date, interval, file); the message says why."""


# --- windows and gaps ---------------------------------------------------------------------
def parse_moment(text: str) -> int:
    """"2026-11-01" (midnight UTC) or "2026-11-01T12:30[:00]" (UTC) -> epoch ms."""
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        else:
            moment = datetime.fromisoformat(text)
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except ValueError:
        raise HistoryError(f"{text!r} is not a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM)") from None
    return int(moment.timestamp() * 1000)


def interval_step(interval: str) -> int:
    if interval not in INTERVAL_MS:
        raise HistoryError(f"interval must be one of {', '.join(INTERVAL_MS)}, got {interval!r} "
                           "(calendar months have no fixed length, so their gaps cannot be checked)")
    return INTERVAL_MS[interval]


def grid_window(interval: str, start_ms: int, end_ms: int) -> tuple[int, int]:
    """(first, last) open times on the interval's grid inside [start_ms, end_ms); first > last: none."""
    step = interval_step(interval)
    offset = 4 * 86_400_000 if interval.endswith("w") else 0  # weeks open on Mondays, 1970-01-01 a Thursday
    first = -(-(start_ms - offset) // step) * step + offset
    last = (end_ms - 1 - offset) // step * step + offset
    return first, last


@dataclass(frozen=True)
class Gap:
    """Open times `first`..`last` (epoch ms, `count` candles) with no candle."""

    first: int
    last: int
    count: int

    def __str__(self) -> str:
        stamp = lambda ms: datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")  # noqa: E731
        return f"{stamp(self.first)} .. {stamp(self.last)} UTC ({self.count} candles)"


def gaps_in(open_times, step: int, first: int, last: int) -> list[Gap]:
    """Missing open times of the grid `first, first + step, ..., last` given the present ones."""
    times = np.unique(np.asarray(open_times, dtype=np.int64))
    times = times[(times >= first) & (times <= last)]
    bounds = np.concatenate(([first - step], times, [last + step]))
    missing = np.diff(bounds) // step - 1
    return [Gap(int(bounds[i]) + step, int(bounds[i + 1]) - step, int(missing[i]))
            for i in np.flatnonzero(missing > 0)]


# --- REST download --------------------------------------------------------------------------
@dataclass
class FetchReport:
    """What `fetch_history` did for one symbol: candles stored, gaps, or the error that stopped it."""

    symbol: str
    interval: str
    first: int
    last: int
    stored: int = 0
    gaps: list[Gap] = field(default_factory=list)
    error: str | None = None


async def fetch_history(client, symbols: list[str], interval: str, start_ms: int, end_ms: int, *,
                        store: Callable[[list[Candle]], Awaitable[object]],
                        progress: Callable[[int, str], None] = lambda n, symbol: None,
                        total: Callable[[int], None] = lambda n: None) -> list[FetchReport]:
    """Download every closed candle of `symbols` opened in [start_ms, end_ms), page by page.

    `store(candles)` is awaited for each page. `total(n)` is told once how many grid candles
    the window holds over all symbols (the window ends at the exchange clock), then
    `progress(n, symbol)` how many of them each page covered. A symbol the exchange refuses or
    that fails after retries is reported with its error; the others go on. Rerunning is
    idempotent (the store upserts).
    """
    step = interval_step(interval)
    now = await client.market_data.server_time()
    first, last = grid_window(interval, start_ms, min(end_ms, now - step + 1))  # closed: open + step <= now
    total(max(0, (last - first) // step + 1) * len(symbols))
    reports = []
    for symbol in symbols:
        report = FetchReport(symbol, interval, first, last)
        seen: list[int] = []
        cursor = first
        try:
            while cursor <= last:
                limit = min((last - cursor) // step + 1, PAGE)
                page = await client.market_data.candles(
                    KlinesParams(symbol, interval, limit, start_time=cursor, end_time=last))
                page = [c for c in page if cursor <= c.open_time <= last]
                if not page:
                    break  # nothing more from the exchange up to `last`
                await store(page)
                report.stored += len(page)
                seen.extend(c.open_time for c in page)
                progress((page[-1].open_time - cursor) // step + 1, symbol)
                cursor = page[-1].open_time + step
        except BinanceError as exc:
            report.error = f"{type(exc).__name__}: {exc}"
        if report.error is None and cursor <= last:
            progress((last - cursor) // step + 1, symbol)
        report.gaps = gaps_in(seen, step, first, last) if report.error is None else []
        reports.append(report)
    return reports


# --- files ----------------------------------------------------------------------------------
@dataclass
class KlineFile:
    """The sound candles of one (symbol, interval) read from `source`, and the rows left out."""

    source: str
    symbol: str
    interval: str
    candles: list[Candle] = field(default_factory=list)
    bad: Counter = field(default_factory=Counter)
    microseconds: int = 0  # rows whose times were in microseconds (converted)


def read_kline_file(path: Path, *, symbol: str | None = None, interval: str | None = None) -> list[KlineFile]:
    """The candles of one file (`.csv`, `.zip` of one `.csv`, or the recorded `.npz`): see the module doc."""
    path = Path(path)
    if path.suffix == ".npz":
        return _read_recorded_npz(path, symbol, interval)
    if path.suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
                if len(members) != 1:
                    raise HistoryError(f"{path.name}: expected one .csv in the zip, found {len(members)}")
                text = archive.read(members[0]).decode("utf-8-sig")
        except zipfile.BadZipFile:
            raise HistoryError(f"{path.name}: not a zip file") from None
    elif path.suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
    else:
        raise HistoryError(f"{path.name}: expected a .csv, .zip or .npz file")
    return [_read_csv(text, path.name, _name_of(path, symbol, interval))]


def _name_of(path: Path, symbol: str | None, interval: str | None) -> tuple[str | None, str | None]:
    stem = path.name.split(".")[0]
    match = _BINANCE_NAME.match(stem)
    if match:
        return symbol or match["symbol"], interval or match["interval"]
    return symbol or (stem if _RECORDED_NAME.match(stem) else None), interval


def _read_csv(text: str, source: str, names: tuple[str | None, str | None]) -> KlineFile:
    rows = [row for row in csv.reader(io.StringIO(text)) if row and any(cell.strip() for cell in row)]
    header = None
    if rows and not rows[0][0].strip().lstrip("-").isdigit():
        header = tuple(cell.strip() for cell in rows.pop(0))
        if header not in (BINANCE_HEADER, RECORDED_HEADER):
            raise HistoryError(f"{source}: unknown header {','.join(header)!r}")
    recorded = header == RECORDED_HEADER or (header is None and rows and len(rows[0]) == len(RECORDED_HEADER))
    symbol, interval = names
    if symbol is None:
        raise HistoryError(f"{source}: cannot tell the symbol from the file name; give --symbol")
    if interval is None:
        interval = _interval_from_spacing(rows, source)
    step = interval_step(interval)
    result = KlineFile(source, symbol.upper(), interval)
    now = int(time.time() * 1000) + 5_000
    for row in rows:
        try:
            open_time = int(row[0])
            if recorded:
                close_time, rest = open_time + step - 1, ("0", 0, "0", "0")
            else:
                close_time, rest = int(row[6]), (row[7], int(row[8]), row[9], row[10])
            if len(row) != (len(RECORDED_HEADER) if recorded else len(BINANCE_HEADER)):
                raise ValueError("column count")
        except (ValueError, IndexError):
            _bad(result, "malformed row", row[0] if row else None)
            continue
        if open_time >= MICROSECONDS_FROM:
            open_time, close_time = open_time // 1000, close_time // 1000
            result.microseconds += 1
        problem = kline_problem(open_time, *row[1:6], interval=interval, now_ms=now)
        if problem is not None:
            _bad(result, problem, open_time)
            continue
        result.candles.append(Candle(result.symbol, interval, open_time, close_time, *row[1:6], *rest))
    return result


def _bad(result: KlineFile, reason: str, open_time) -> None:
    result.bad[reason] += 1
    kline_quarantine(reason, symbol=result.symbol, interval=result.interval, open_time=open_time,
                     source=f"file {result.source}")


def _interval_from_spacing(rows: list[list[str]], source: str) -> str:
    """The interval whose length is the most common spacing of the file's open times (the
    recorded CSVs' names carry no interval)."""
    times = []
    for row in rows[:1000]:
        try:
            times.append(int(row[0]))
        except (ValueError, IndexError):
            continue
    spacing = Counter(np.diff(np.array(times, dtype=np.int64)).tolist()).most_common(1)
    by_length = {length: name for name, length in INTERVAL_MS.items()}
    if not spacing or spacing[0][0] not in by_length:
        raise HistoryError(f"{source}: cannot tell the interval from the file name or its times; give --interval")
    return by_length[spacing[0][0]]


def _read_recorded_npz(path: Path, symbol: str | None, interval: str | None) -> list[KlineFile]:
    from sandbox.data.recorded import recorded_candles

    with np.load(path) as npz:
        if "interval_ms" not in npz.files:
            raise HistoryError(f"{path.name}: not the project's recorded candle set")
        step = int(npz["interval_ms"])
    found = {length: name for name, length in INTERVAL_MS.items()}.get(step)
    if interval is not None and interval != found:
        raise HistoryError(f"{path.name} holds {found} candles, not {interval}")
    tables = recorded_candles(path)
    if symbol is not None and symbol.upper() not in tables:
        raise HistoryError(f"{path.name} has no {symbol.upper()}")
    files = []
    now = int(time.time() * 1000) + 5_000
    for name, table in tables.items():
        if symbol is not None and name != symbol.upper():
            continue
        result = KlineFile(path.name, name, found)
        for t, o, h, lo, c, v in table.tolist():
            open_time = int(t)
            values = [repr(x) for x in (o, h, lo, c, v)]
            problem = kline_problem(open_time, *values, interval=found, now_ms=now)
            if problem is not None:
                _bad(result, problem, open_time)
                continue
            result.candles.append(Candle(name, found, open_time, open_time + step - 1, *values, "0", 0, "0", "0"))
        files.append(result)
    return files
