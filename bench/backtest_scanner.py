"""The scanner engine backtested over the shipped candles: 50 USD-M pairs x 14 days of 5m (~200k).

    .venv/bin/python bench/backtest_scanner.py [--symbols 50] [--days 14] [--repeat 5] [--trades] [--live]

Reported, in wall seconds (best and median of `--repeat` runs) and CPU seconds:

- scan: `backtest.scanner.scan_signals` end to end (indicators once over the whole arrays, every
  candle scored, fragile candles rescored on their window, the engine's step where something can
  happen), with candles/s; aim <= 2 s for the 200k candles;
  - of which scoring (`score_all`: steps 1-3) and lifecycle (the rest);
- peak memory: the process's peak RSS after the runs (`resource`), and the peak of Python
  allocations during one scan (`tracemalloc`, a separate run: tracing slows the scan down);
- `--trades`: the signals traded on their creation bracket (`signal_trades`, Decimal ledger) and the
  report's metrics (`reports`), with their times;
- `--live`: the same candles through the live path (bench/replay.py's `replay`), for comparison,
  and whether the events are the same.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from replay import REPO, load_klines, replay  # noqa: E402

sys.path.insert(0, str(REPO / "backend"))
from backtest.fills import FillModel  # noqa: E402
from backtest.reports import breakdown, equity_frame, metrics, trades_frame  # noqa: E402
from backtest.scanner import scan_signals, score_all, stack_series  # noqa: E402
from backtest.signal_trades import signal_trades  # noqa: E402
from signals.config import SignalConfig  # noqa: E402

TARGET_S = 2.0
TF_MS = 300_000


def timed(fn, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--symbols", type=int, default=50)
    parser.add_argument("--days", type=float, default=14)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--trades", action="store_true", help="also trade the signals and report")
    parser.add_argument("--live", action="store_true", help="also run the live path (~30 s)")
    args = parser.parse_args()

    series = load_klines(limit=args.symbols)
    per_day = 86_400_000 // TF_MS
    series = {s: rows[: int(args.days * per_day)] for s, rows in series.items()}
    candles = sum(len(rows) for rows in series.values())
    config = SignalConfig()
    print(f"{len(series)} symbols x {len(next(iter(series.values())))} candles of 5m = {candles} candles")

    scans, scoring = [], []
    for _ in range(args.repeat):
        result, wall, cpu = timed(scan_signals, series, config)
        scans.append((wall, cpu))
        _, table = stack_series(series, TF_MS)
        scoring.append(timed(score_all, table, config)[1])
    walls = sorted(w for w, _ in scans)
    best, median = walls[0], statistics.median(walls)
    lifecycle = best - min(scoring)
    kinds = {k: sum(e.kind.value == k for e in result.events) for k in ("created", "updated", "deleted")}
    print(f"scan: best {best:.3f} s, median {median:.3f} s wall ({min(c for _, c in scans):.3f} CPU-s); "
          f"{candles / best:,.0f} candles/s; aim <= {TARGET_S} s: {'met' if best <= TARGET_S else 'NOT met'}")
    print(f"  scoring (indicators once, every candle scored, {result.rescored} candles rescored on their "
          f"window): {min(scoring):.3f} s")
    print(f"  lifecycle (the engine's step at {result.steps} of {result.candles} candles): ~{lifecycle:.3f} s")
    print(f"  events: {len(result.events)} ({kinds})")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    tracemalloc.start()
    scan_signals(series, config)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak Python allocations during one scan (tracemalloc): {peak / 2**20:.0f} MB")

    if args.trades:
        model = FillModel(leverage=Decimal(10), slippage_bps=Decimal(2))
        book, wall, _ = timed(signal_trades, series, result, model=model, initial_equity=Decimal(100_000),
                              notional=Decimal(1_000))  # fmt: skip
        started = time.perf_counter()
        frame = trades_frame(book.trades)
        stats = metrics(frame, equity_frame(book.equity_curve, book.initial_equity), book.initial_equity, TF_MS)
        by_direction = breakdown(frame, "direction")
        report_s = time.perf_counter() - started
        print(f"\ntrades ({model}, 1000 USDT a signal, 100k equity): {len(book.trades)} trades, "
              f"{len(book.refusals)} refused, {wall:.3f} s; reports {report_s:.3f} s")
        for key in ("win_rate_pct", "expectancy", "profit_factor", "total_pnl", "fees", "funding",
                    "max_drawdown_pct", "sharpe", "sortino", "exposure_pct", "return_pct"):
            print(f"  {key:<18}{stats[key]:>14,.4f}")
        print(by_direction[["trades", "win_rate_pct", "total_pnl", "profit_factor"]].to_string())

    if args.live:
        (events, _), wall, _ = timed(replay, series)
        same = [(e.kind, e.signal.id, e.at_ms, e.signal.confidence) for e in events] == [
            (e.kind, e.signal.id, e.at_ms, e.signal.confidence) for e in result.events]  # fmt: skip
        print(f"\nlive path (bench/replay.py): {wall:.1f} s, {len(events)} events; same events: {same}; "
              f"the scan is {wall / best:.0f}x faster")


if __name__ == "__main__":
    main()
