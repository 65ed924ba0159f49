"""Reads of the backtest app: a user's runs, and the candle history of a window from the store."""
from __future__ import annotations

import numpy as np
from django.conf import settings

from market.history import gaps_in, grid_window, interval_step
from market.models import Candle

from .models import BacktestRun


def runs_of(user) -> "models.QuerySet[BacktestRun]":  # noqa: F821
    return BacktestRun.objects.filter(owner=user)


def run_of(user, run_id: int) -> BacktestRun | None:
    return runs_of(user).filter(id=run_id).first()


class GapError(ValueError):
    """The store lacks candles inside the window: the run is refused (never filled or split)."""


def history_series(symbols: list[str], interval: str, start_ms: int, end_ms: int) -> dict[str, np.ndarray]:
    """{symbol: (n, 6) float64 rows of open time, OHLC, volume} of the store's history rows
    (`history=True`, written by fetch_history / import_klines) opening in [start_ms, end_ms).

    A symbol with no candle, or any missing open time on the interval's grid, raises `GapError`
    naming each gap: the scanner needs one gap-free grid shared by every symbol."""
    step = interval_step(interval)
    first, last = grid_window(interval, start_ms, end_ms)
    rows = (Candle.objects.filter(market=settings.BINANCE.market, symbol__in=symbols, interval=interval,
                                  history=True, open_time__gte=first, open_time__lte=last)
            .order_by("symbol", "open_time")
            .values_list("symbol", "open_time", "open", "high", "low", "close", "volume"))
    by_symbol: dict[str, list] = {s: [] for s in symbols}
    for symbol, *row in rows:
        by_symbol[symbol].append(row)
    problems = []
    for symbol, values in by_symbol.items():
        if not values:
            problems.append(f"{symbol}: no {interval} history in the window")
            continue
        gaps = gaps_in([v[0] for v in values], step, first, last)
        if gaps:
            problems.append(f"{symbol}: {len(gaps)} gap(s): " + "; ".join(str(g) for g in gaps[:5]))
    if problems:
        raise GapError("candles missing (fetch the history first): " + " | ".join(problems))
    return {s: np.asarray(v, dtype=np.float64) for s, v in by_symbol.items()}


def run_candles(run: BacktestRun, symbol: str, limit: int) -> list[dict]:
    """The store's history candles of `run`'s window for one of its symbols, oldest first, at most
    `limit` (the first ones): what the result page draws its trades on."""
    p = run.parameters
    first, last = grid_window(p["timeframe"], p["start_ms"], p["end_ms"])
    rows = (Candle.objects.filter(market=settings.BINANCE.market, symbol=symbol, interval=p["timeframe"], history=True,
                                  open_time__gte=first, open_time__lte=last)
            .order_by("open_time").values_list("open_time", "open", "high", "low", "close", "volume")[:limit])
    return [{"t": t, "o": float(o), "h": float(h), "l": float(lo), "c": float(c), "v": float(v)}
            for t, o, h, lo, c, v in rows]
