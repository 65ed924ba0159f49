"""Typed decoders of Binance payloads (REST bodies and stream frames), spot and USD-M.

Each decoder takes the raw body (bytes) or the parsed frame and returns a typed value;
a body of the wrong shape raises `DecodeError`. Klines go straight into numpy arrays
(a scan decodes hundreds of them), everything else into frozen dataclasses.
Prices that orders depend on (tick size, step size, min notional) are `Decimal`;
prices meant for analysis are float64; candles published to other processes keep
Binance's decimal strings so nothing is lost on the way.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import orjson

from market.binance.errors import DecodeError
from market.binance.kline_checks import kline_problem, kline_quarantine, klines_mask

#: A REST page carries no exchange clock: its rows are checked against this machine's clock,
#: this much ahead to allow for clock skew (a candle from the next interval is still caught).
REST_CLOCK_SKEW_MS = 5_000


def _rest_now(now_ms: int | None) -> int:
    return now_ms if now_ms is not None else int(time.time() * 1000) + REST_CLOCK_SKEW_MS

INTERVAL_MS: dict[str, int] = {
    "1m": 60_000, "3m": 180_000, "5m": 300_000, "15m": 900_000, "30m": 1_800_000,
    "1h": 3_600_000, "2h": 7_200_000, "4h": 14_400_000, "6h": 21_600_000, "8h": 28_800_000,
    "12h": 43_200_000, "1d": 86_400_000, "3d": 259_200_000, "1w": 604_800_000,
}  # "1M" is calendar-based: no fixed length, so it cannot be gap-checked and is not streamed.

KLINE_COLUMNS = 12  # open time, o, h, l, c, volume, close time, quote volume, trades, taker base, taker quote, ignore


def _loads(raw: bytes, what: str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise DecodeError(f"{what}: body is not JSON ({exc})") from None


# --- klines -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Klines:
    """Candles of one symbol and interval, oldest first, one contiguous array per column."""

    symbol: str
    interval: str
    open_time: np.ndarray  # int64 ms
    open: np.ndarray  # float64 from here on
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    close_time: np.ndarray  # int64 ms
    quote_volume: np.ndarray
    trades: np.ndarray  # int64
    taker_buy_base: np.ndarray
    taker_buy_quote: np.ndarray

    def __len__(self) -> int:
        return len(self.open_time)


def klines_decode(raw: bytes, *, symbol: str, interval: str, now_ms: int | None = None) -> Klines:
    """Decode a `GET /api/v3/klines` or `/fapi/v1/klines` body.

    Binance sends numbers as JSON strings. Deleting the quotes lets orjson parse every
    value as a number in native code, and numpy builds one float64 matrix from it: about
    three times faster than converting the strings. Open times (~1.7e12) and trade counts
    are below 2**53, so they survive float64 exactly. Rows failing `kline_checks` (null or
    non-positive prices, high/low out of order, off-grid or future open times) are quarantined.
    """
    if raw[:1] != b"[":
        raise DecodeError(f"klines {symbol} {interval}: expected a JSON array, got {raw[:80]!r}")
    try:
        rows = orjson.loads(raw.translate(None, b'"'))
        matrix = np.array(rows, dtype=np.float64)
    except (orjson.JSONDecodeError, ValueError, TypeError) as exc:
        raise DecodeError(f"klines {symbol} {interval}: malformed rows ({exc})") from None
    if matrix.size == 0:
        matrix = matrix.reshape(0, KLINE_COLUMNS)
    if matrix.ndim != 2 or matrix.shape[1] < 11:
        raise DecodeError(f"klines {symbol} {interval}: expected rows of {KLINE_COLUMNS} values, got {matrix.shape}")
    keep = klines_mask(matrix[:, 0], matrix[:, 1], matrix[:, 2], matrix[:, 3], matrix[:, 4], matrix[:, 5],
                       interval=interval, now_ms=_rest_now(now_ms))
    if not keep.all():
        for row in matrix[~keep]:
            kline_quarantine(_row_problem(row, interval, _rest_now(now_ms)), symbol=symbol, interval=interval,
                             open_time=row[0], source="rest")
        matrix = matrix[keep]
    columns = np.ascontiguousarray(matrix[:, :11].T)  # one copy, then every column is a contiguous view
    times = columns[[0, 6, 8]].astype(np.int64)
    return Klines(
        symbol=symbol, interval=interval,
        open_time=times[0], open=columns[1], high=columns[2], low=columns[3], close=columns[4],
        volume=columns[5], close_time=times[1], quote_volume=columns[7], trades=times[2],
        taker_buy_base=columns[9], taker_buy_quote=columns[10],
    )


def _row_problem(row: np.ndarray, interval: str, now_ms: int) -> str:
    open_time = int(row[0]) if np.isfinite(row[0]) else None
    return kline_problem(open_time, *row[1:6], interval=interval, now_ms=now_ms) or "malformed row"


@dataclass(frozen=True, slots=True)
class Candle:
    """One candle with Binance's exact decimal strings, as streams and backfills deliver it."""

    symbol: str
    interval: str
    open_time: int
    close_time: int
    open: str
    high: str
    low: str
    close: str
    volume: str
    quote_volume: str
    trades: int
    taker_buy_base: str
    taker_buy_quote: str


def candles_decode(raw: bytes, *, symbol: str, interval: str, now_ms: int | None = None) -> list[Candle]:
    """Decode a klines body into `Candle`s (exact strings; used for stream backfills).

    Rows failing `kline_checks` are quarantined (logged, counted, left out)."""
    rows = _loads(raw, f"klines {symbol} {interval}")
    if not isinstance(rows, list):
        raise DecodeError(f"klines {symbol} {interval}: expected a JSON array")
    now = _rest_now(now_ms)
    candles = []
    for r in rows:
        try:
            open_time = r[0] if isinstance(r[0], int) else None
            problem = kline_problem(open_time, r[1], r[2], r[3], r[4], r[5], interval=interval, now_ms=now)
            if problem is not None:
                kline_quarantine(problem, symbol=symbol, interval=interval, open_time=r[0], source="rest")
                continue
            candles.append(Candle(symbol, interval, int(r[0]), int(r[6]), r[1], r[2], r[3], r[4], r[5], r[7],
                                  int(r[8]), r[9], r[10]))
        except (IndexError, TypeError, ValueError, KeyError) as exc:
            raise DecodeError(f"klines {symbol} {interval}: malformed row ({exc})") from None
    return candles


@dataclass(frozen=True, slots=True)
class KlineUpdate:
    """One `<symbol>@kline_<interval>` frame: the candle so far and whether it is closed."""

    candle: Candle
    closed: bool
    event_time: int


def kline_frame_decode(frame: dict[str, Any]) -> KlineUpdate | None:
    """Decode a stream frame, combined (`{"stream":..,"data":..}`) or raw.

    Returns None for frames that are not kline events (subscription replies and the like) and
    for klines failing `kline_checks` (quarantined: logged, counted), the exchange clock being
    the frame's event time.
    """
    data = frame.get("data", frame)
    if not isinstance(data, dict) or data.get("e") != "kline":
        return None
    try:
        k = data["k"]
        candle = Candle(
            k["s"], k["i"], int(k["t"]), int(k["T"]), k["o"], k["h"], k["l"], k["c"], k["v"], k["q"],
            int(k["n"]), k["V"], k["Q"],
        )
        event_time = int(data["E"])
        closed = bool(k["x"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DecodeError(f"kline frame: missing or malformed field ({exc})") from None
    problem = kline_problem(k["t"], k["o"], k["h"], k["l"], k["c"], k["v"], interval=k["i"], now_ms=event_time)
    if problem is not None:
        kline_quarantine(problem, symbol=candle.symbol, interval=candle.interval, open_time=k["t"], source="stream")
        return None
    return KlineUpdate(candle=candle, closed=closed, event_time=event_time)


# --- 24h tickers --------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Ticker24h:
    symbol: str
    last_price: float
    price_change_percent: float
    volume: float
    quote_volume: float
    open_time: int
    close_time: int
    count: int


def tickers_24hr_decode(raw: bytes) -> list[Ticker24h]:
    """Decode `GET /fapi/v1/ticker/24hr` or `/api/v3/ticker/24hr` (one object or an array)."""
    data = _loads(raw, "ticker/24hr")
    items = data if isinstance(data, list) else [data]
    try:
        return [
            Ticker24h(
                t["symbol"], float(t["lastPrice"]), float(t["priceChangePercent"]), float(t["volume"]),
                float(t["quoteVolume"]), int(t["openTime"]), int(t["closeTime"]), int(t["count"]),
            )
            for t in items
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise DecodeError(f"ticker/24hr: missing or malformed field ({exc})") from None


# --- exchangeInfo -------------------------------------------------------------

_INTERVAL_UNIT_MS = {"SECOND": 1_000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000}


@dataclass(frozen=True, slots=True)
class RateLimit:
    rate_limit_type: str  # REQUEST_WEIGHT, ORDERS, RAW_REQUESTS
    interval: str  # SECOND, MINUTE, HOUR, DAY
    interval_num: int
    limit: int

    @property
    def window_ms(self) -> int:
        return _INTERVAL_UNIT_MS[self.interval] * self.interval_num


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    symbol: str
    status: str  # TRADING, BREAK, SETTLING, PENDING_TRADING, ...
    base_asset: str
    quote_asset: str
    contract_type: str | None  # PERPETUAL, CURRENT_QUARTER, ... (USD-M); None on spot
    tick_size: Decimal
    step_size: Decimal
    min_notional: Decimal


@dataclass(frozen=True, slots=True)
class ExchangeInfo:
    server_time: int
    rate_limits: tuple[RateLimit, ...]
    symbols: tuple[SymbolInfo, ...]

    def request_weight_limit(self) -> RateLimit | None:
        """The per-IP REQUEST_WEIGHT limit with the shortest window (the one that binds)."""
        limits = [r for r in self.rate_limits if r.rate_limit_type == "REQUEST_WEIGHT"]
        return min(limits, key=lambda r: r.window_ms, default=None)


def _symbol_info(s: dict[str, Any]) -> SymbolInfo:
    filters = {f["filterType"]: f for f in s.get("filters", ())}
    price, lot = filters.get("PRICE_FILTER", {}), filters.get("LOT_SIZE", {})
    # USD-M: MIN_NOTIONAL.notional; spot: NOTIONAL.minNotional (older snapshots MIN_NOTIONAL.minNotional).
    notional = filters.get("MIN_NOTIONAL") or filters.get("NOTIONAL") or {}
    min_notional = notional.get("notional", notional.get("minNotional", "0"))
    return SymbolInfo(
        symbol=s["symbol"], status=s["status"], base_asset=s["baseAsset"], quote_asset=s["quoteAsset"],
        contract_type=s.get("contractType"),
        tick_size=Decimal(price.get("tickSize", "0")), step_size=Decimal(lot.get("stepSize", "0")),
        min_notional=Decimal(min_notional),
    )


def exchange_info_decode(raw: bytes) -> ExchangeInfo:
    """Decode `GET /fapi/v1/exchangeInfo` or `/api/v3/exchangeInfo`."""
    data = _loads(raw, "exchangeInfo")
    try:
        return ExchangeInfo(
            server_time=int(data["serverTime"]),
            rate_limits=tuple(
                RateLimit(r["rateLimitType"], r["interval"], int(r["intervalNum"]), int(r["limit"]))
                for r in data["rateLimits"]
            ),
            symbols=tuple(_symbol_info(s) for s in data["symbols"]),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise DecodeError(f"exchangeInfo: missing or malformed field ({exc})") from None


def server_time_decode(raw: bytes) -> int:
    data = _loads(raw, "time")
    try:
        return int(data["serverTime"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DecodeError(f"time: missing serverTime ({exc})") from None


def error_body_decode(raw: bytes) -> tuple[int | None, str]:
    """`{"code": -1121, "msg": "Invalid symbol."}` -> (-1121, "Invalid symbol."); (None, text) otherwise."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None, raw[:200].decode("utf-8", "replace")
    if isinstance(data, dict) and "code" in data:
        try:
            return int(data["code"]), str(data.get("msg", ""))
        except (TypeError, ValueError):
            pass
    return None, raw[:200].decode("utf-8", "replace")
