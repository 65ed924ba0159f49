"""Replay the recorded 5m candles of every shipped pair through the signal engine.

    .venv/bin/python bench/replay.py [--klines DIR] [--symbols N] [--days N]

The candles are the 50 recorded USD-M pairs shipped in backend/sandbox/data (14 days of 5m), or
`--klines DIR` of ``<SYMBOL>.csv`` files (header ``timestamp,open,high,low,close,volume``).

The engine sees each closed candle once, in time order, exactly as the live stream would feed
it: at every 5-minute step, one `update_candles` per symbol, then one vectorised
`process_batch` over all symbols with `now_ms` = the candle's close time. The engine creates,
updates and closes signals; this script only collects the events and prints signals per day,
the outcome table (by direction, confidence bucket and overall) and the wall time.

Signals still active when the data ends have no outcome and are counted separately.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "backend"))

from sandbox.data.recorded import recorded_candles  # noqa: E402
from signals.engine import SignalDetectionEngine  # noqa: E402
from signals.lifecycle import EventKind  # noqa: E402
from signals.outcomes import OutcomeStats, outcome_report  # noqa: E402

TF_MS = 300_000


def load_klines(directory: Path | None = None, limit: int | None = None) -> dict[str, np.ndarray]:
    """{symbol: (n, 6) rows of open_time_ms, open, high, low, close, volume}, sorted by name.

    From ``directory/*.csv`` when given, else the recorded set shipped with the project (read-only).
    """
    if directory is None:
        series = recorded_candles()
    else:
        files = sorted(directory.glob("*.csv"))
        if not files:
            raise SystemExit(f"no candles found in {directory}")
        series = {f.stem: np.loadtxt(f, delimiter=",", skiprows=1, ndmin=2) for f in files}
    names = sorted(series)
    return {name: series[name] for name in (names[:limit] if limit else names)}


def replay(series: dict[str, np.ndarray], days: float | None = None, *, config=None):
    """Feed every candle in time order; return (events, engine)."""
    engine = SignalDetectionEngine(config)
    times = np.unique(np.concatenate([rows[:, 0] for rows in series.values()]))
    if days:
        times = times[: int(days * 24 * 3600_000 / TF_MS)]
    index = {symbol: dict(zip(rows[:, 0].astype(np.int64).tolist(), rows)) for symbol, rows
             in series.items()}  # fmt: skip
    symbols = list(series)
    events = []
    for t in times.astype(np.int64).tolist():
        for symbol in symbols:
            row = index[symbol].get(t)
            if row is not None:
                engine.update_candles(symbol, "5m", row)
        events += engine.process_batch(symbols, "5m", now_ms=t + TF_MS)
    return events, engine


def replay_outcomes(series: dict[str, np.ndarray] | None = None, *, config=None,
                    days: float | None = None) -> list[dict]:
    """Per-signal outcomes of a replay, oldest close first: the input of calibration scripts.

    Each dict: symbol, timeframe, direction, score (creation score, 0-100), created_ms,
    closed_ms, close_rule, tp_first (the creation take-profit was reached before its stop-loss),
    r (net of fees, creation bracket), r_gross, r_trailed, fees_r, mfe_r, mae_r. `series`
    defaults to the shipped recorded pairs; `config` to `SignalConfig()`.
    """
    events, _ = replay(load_klines() if series is None else series, days, config=config)
    return [_outcome_dict(e.outcome) for e in events if e.kind is EventKind.DELETED and e.outcome]


def _outcome_dict(o) -> dict:
    get = lambda name, default: getattr(o, name, default)  # noqa: E731
    return {
        "symbol": o.symbol, "timeframe": o.timeframe, "direction": o.direction.value,
        "score": o.confidence, "created_ms": o.opened_at, "closed_ms": o.closed_at,
        "close_rule": get("close_rule", o.reason.value),
        "tp_first": get("tp_first", o.reason.value == "tp_hit"),
        "r": get("r_net", o.r_multiple), "r_gross": get("r_gross", o.r_multiple),
        "r_trailed": get("r_trailed", o.r_multiple), "fees_r": get("fees_r", 0.0),
        "mfe_r": get("mfe_r", None), "mae_r": get("mae_r", None),
    }


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d")


def _num(x, fmt: str) -> str:
    if x is None:
        return "-"
    return "inf" if x == float("inf") else format(x, fmt)


def _row(label: str, s: OutcomeStats) -> str:
    return (f"{label:<10}{s.count:>7}{_num(s.win_rate and s.win_rate * 100, '.1f'):>8}"
            f"{_num(s.tp_rate and s.tp_rate * 100, '.1f'):>8}{_num(s.avg_r, '+.3f'):>8}"
            f"{_num(s.expectancy_pct, '+.3f'):>10}{_num(s.profit_factor, '.2f'):>7}"
            f"{s.tp_hits:>6}{s.sl_hits:>6}{s.expired:>6}{s.invalidated:>6}")  # fmt: skip


def print_report(events, engine, n_symbols: int, elapsed: float) -> None:
    created = [e for e in events if e.kind is EventKind.CREATED]
    outcomes = [e.outcome for e in events if e.kind is EventKind.DELETED]
    updated = sum(1 for e in events if e.kind is EventKind.UPDATED)

    per_day = Counter((_day(e.signal.candle_open_time), e.signal.direction.value) for e in created)
    print(f"signals created per day (UTC), {n_symbols} symbols, 5m")
    print(f"{'day':<12}{'LONG':>6}{'SHORT':>7}{'total':>7}")
    for day in sorted({d for d, _ in per_day}):
        long, short = per_day[(day, "LONG")], per_day[(day, "SHORT")]
        print(f"{day:<12}{long:>6}{short:>7}{long + short:>7}")
    print(f"created {len(created)}, updated {updated}, closed {len(outcomes)}, "
          f"still active at the end {len(engine.active_signals())}\n")  # fmt: skip

    report = outcome_report(outcomes)
    print("outcomes of closed signals (win: R > 0; expectancy: mean % of entry per signal)")
    print(f"{'group':<10}{'count':>7}{'win%':>8}{'tp%':>8}{'avg R':>8}{'expect%':>10}"
          f"{'PF':>7}{'tp':>6}{'sl':>6}{'exp':>6}{'inv':>6}")  # fmt: skip
    print(_row("overall", report.overall))
    for direction, stats in report.by_direction.items():
        print(_row(direction, stats))
    for bucket, stats in report.by_confidence.items():
        print(_row(bucket, stats))
    print("\ncalibration (creation confidence vs realised win rate)")
    print(f"{'bucket':<10}{'count':>7}{'mean conf':>11}{'win%':>8}{'tp%':>8}{'gap':>8}")
    for row in report.calibration:
        print(f"{row.bucket:<10}{row.count:>7}{row.mean_confidence:>11.1f}"
              f"{row.win_rate * 100:>8.1f}{row.tp_rate * 100:>8.1f}{row.gap:>+8.1f}")
    print(f"\nreplay wall time {elapsed:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--klines", type=Path, default=None, help="directory of <SYMBOL>.csv files")
    parser.add_argument("--symbols", type=int, default=None, help="first N symbols only")
    parser.add_argument("--days", type=float, default=None, help="first N days only")
    args = parser.parse_args()

    started = time.perf_counter()
    series = load_klines(args.klines, args.symbols)
    events, engine = replay(series, args.days)
    elapsed = time.perf_counter() - started
    print_report(events, engine, len(series), elapsed)


if __name__ == "__main__":
    main()
