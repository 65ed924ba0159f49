"""A strategy version backtested over the shipped candles: the compiled path against the per-candle path.

    .venv/bin/python bench/backtest_strategy.py [--symbols 50] [--template ema_cross] [--repeat 3] [--slow]

The template (strategies/templates) is compiled once; `backtest.strategy.strategy_backtest` runs it
over the 50 recorded USD-M pairs x 4,032 5m candles (~200k candles), with the fill model's default
costs. Printed: wall seconds (best of --repeat) and candles/s of the compiled path
(`backtest/compiled.py`: whole arrays, the evaluator only where a statement may act, the Decimal
ledger only where it can change); with --slow, the per-candle path (the live evaluator on every
candle's 500-candle window) once, and whether both made the same decisions and trades. Peak
memory: tracemalloc's peak of Python allocations during one compiled run, and the process's peak RSS.
"""
from __future__ import annotations

import argparse
import math
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backend"))

from backtest.fills import FillModel  # noqa: E402
from backtest.strategy import strategy_backtest  # noqa: E402
from sandbox.data.recorded import recorded_candles  # noqa: E402
from strategies.compiler import compile_workspace  # noqa: E402
from strategies.template_library import template_get  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--symbols", type=int, default=50)
    parser.add_argument("--template", default="ema_cross")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--slow", action="store_true", help="also run the per-candle path once and compare")
    args = parser.parse_args()
    tables = recorded_candles()
    series = {s: tables[s] for s in sorted(tables)[: args.symbols]}
    candles = sum(len(rows) for rows in series.values())
    program = compile_workspace(template_get(args.template)["workspace"])
    model = FillModel()
    run = lambda fast: strategy_backtest(program, series, timeframe="5m", timeframe_ms=300_000,  # noqa: E731
                                         model=model, fast=fast)
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        fast = run(True)
        times.append(time.perf_counter() - start)
    best = min(times)
    print(f"{args.template}: {len(series)} symbols x {candles // len(series)} candles = {candles} candles")
    print(f"compiled path: best {best:.3f} s of {args.repeat} ({candles / best:,.0f} candles/s); "
          f"{len(fast.decisions)} evaluations decided, {len(fast.book.trades)} trades")
    tracemalloc.start()
    run(True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"peak Python allocations (one compiled run): {peak / 2**20:.0f} MB; "
          f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if args.slow:
        start = time.perf_counter()
        slow = run(False)
        took = time.perf_counter() - start
        same = [(a[0], a[1], [type(d).__name__ for d in a[2]]) for a in slow.decisions] == \
               [(b[0], b[1], [type(d).__name__ for d in b[2]]) for b in fast.decisions]
        trades = len(slow.book.trades) == len(fast.book.trades) and all(
            (a.symbol, a.direction, a.entry_time, a.exit_time, a.reason) == (b.symbol, b.direction, b.entry_time,
                                                                             b.exit_time, b.reason)
            and math.isclose(a.pnl, b.pnl, rel_tol=1e-9, abs_tol=1e-9)
            for a, b in zip(slow.book.trades, fast.book.trades))
        print(f"per-candle path: {took:.1f} s ({candles / took:,.0f} candles/s), {best and took / best:.0f}x slower; "
              f"same decisions: {same}, same trades: {trades}")


if __name__ == "__main__":
    main()
