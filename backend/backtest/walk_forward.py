"""Walk-forward of the scanner engine: choose the creation threshold on one window, evaluate it on
the next. Pure (no Django, no network).

Folds: after `warmup` candles of history (the engine needs `MIN_HISTORY`), fold k trains on
candles [w + k*test, w + k*test + train) and tests on the `test` candles that follow, so the test
windows tile the data without overlap. For each candidate threshold (`SignalConfig.min_confidence`)
the scanner runs over the history up to the end of the training window only (no candle after it
is ever read), from the window's first candle, and its signals are traded (`signal_trades`: a
position still open at the window's end is closed at its last close). The threshold with the
highest net PnL among those with at least `min_trades` trades is chosen (ties: the lower
threshold, listed first); none qualifying: the fold is reported without a choice. The chosen
threshold is then scanned over the history up to the end of the test window, from the test
window's first candle: its figures (`reports.metrics`) are the out-of-sample ones. The summary
adds up the out-of-sample trades' PnL over folds; each fold's equity starts afresh.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from signals.config import MIN_HISTORY, SignalConfig

from .fills import FillModel
from .reports import equity_frame, metrics, trades_frame
from .scanner import scan_signals
from .signal_trades import signal_trades


@dataclass(frozen=True)
class Fold:
    train: tuple[int, int]  # open times of the first and last candle
    test: tuple[int, int]
    in_sample: dict[float, dict]  # threshold -> metrics on the training window
    chosen: float | None
    out_of_sample: dict | None


def window_metrics(series: dict[str, np.ndarray], config: SignalConfig, timeframe: str, first: int, end: int, *,
                   model: FillModel, notional: Decimal, initial_equity: Decimal) -> dict:
    """Metrics of the scanner's signals created on candles [first, end) of `series`, traded on
    those candles; the candles before `first` are history only, the ones from `end` are not read."""
    cut = {s: rows[:end] for s, rows in series.items()}
    tf_ms = config.timeframe_ms(timeframe)
    start_ms = int(next(iter(cut.values()))[first, 0])
    scan = scan_signals(cut, config, timeframe=timeframe, start_ms=start_ms)
    window = {s: rows[first:] for s, rows in cut.items()}
    book = signal_trades(window, scan, model=model, initial_equity=initial_equity, notional=notional,
                         timeframe_ms=tf_ms)
    trades = trades_frame(book.trades)
    return metrics(trades, equity_frame(book.equity_curve, book.initial_equity), book.initial_equity, tf_ms)


def walk_forward(series: dict[str, np.ndarray], thresholds, *, train: int, test: int, config: SignalConfig | None = None,
                 timeframe: str = "5m", warmup: int = MIN_HISTORY, min_trades: int = 1,
                 model: FillModel | None = None, notional=Decimal(1_000), initial_equity=Decimal(10_000)) -> dict:
    """{"folds": [Fold, ...], "summary": out-of-sample totals} (see the module docstring)."""
    config = config or SignalConfig()
    model = model or FillModel()
    thresholds = sorted(float(t) for t in thresholds)
    n = len(next(iter(series.values())))
    if warmup < MIN_HISTORY - 1 or train < 1 or test < 1:
        raise ValueError(f"warmup >= {MIN_HISTORY - 1}, train and test >= 1 candle")
    if warmup + train + test > n:
        raise ValueError(f"{n} candles: not one fold of {warmup} + {train} + {test}")
    times = next(iter(series.values()))[:, 0].astype(np.int64)
    kw = dict(model=model, notional=Decimal(notional), initial_equity=Decimal(initial_equity))
    folds = []
    start = warmup
    while start + train + test <= n:
        split = start + train
        in_sample = {t: window_metrics(series, dataclasses.replace(config, min_confidence=t), timeframe, start, split, **kw)
                     for t in thresholds}
        eligible = [t for t in thresholds if in_sample[t]["trades"] >= min_trades]
        chosen = max(eligible, key=lambda t: (in_sample[t]["total_pnl"], -t)) if eligible else None
        oos = None if chosen is None else window_metrics(
            series, dataclasses.replace(config, min_confidence=chosen), timeframe, split, split + test, **kw)
        folds.append(Fold((int(times[start]), int(times[split - 1])), (int(times[split]), int(times[split + test - 1])),
                          in_sample, chosen, oos))
        start += test
    scored = [f.out_of_sample for f in folds if f.out_of_sample]
    return {"folds": folds, "summary": {
        "folds": len(folds), "folds_traded": len(scored),
        "oos_trades": sum(m["trades"] for m in scored),
        "oos_total_pnl": float(sum(m["total_pnl"] for m in scored)),
    }}
