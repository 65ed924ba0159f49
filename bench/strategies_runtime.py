"""Strategy runtime throughput: the EMA-cross template over 50 symbols x 4,000 candles.

    .venv/bin/python bench/strategies_runtime.py [--rounds 5] [--window 1000]

The candles are the 50 recorded USD-M pairs (backend/sandbox/data, 4,032 5m candles each).  The
template is compiled once (compile time printed), then `strategies.runtime.evaluate` runs:

- full history: one evaluation per symbol on its whole 4,032-candle history (the indicators are
  computed over all of it, as an evaluation does);
- replay: for each symbol, one evaluation per closed candle over the last ``--window`` candles (what
  the engine hands the runtime per candle close; WARMUP in signals/config.py is 1,000), for the last
  4,000 - window candles of the set, with the variables carried from candle to candle.

Each figure is the best of ``--rounds`` rounds (wall clock; the machine is shared), as evaluations
per second and microseconds per evaluation, plus the decisions produced (a sanity check: the same in
every round).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "backend"))

from sandbox.data.recorded import recorded_candles  # noqa: E402
from strategies.compiler import compile_workspace  # noqa: E402
from strategies.runtime import Candles, Context, evaluate  # noqa: E402
from strategies.template_library import template_get  # noqa: E402


def series() -> dict[str, Candles]:
    tables = recorded_candles()
    return {name: Candles(*(np.ascontiguousarray(rows[:, i]) for i in range(1, 6)))
            for name, rows in sorted(tables.items())}


def window_of(c: Candles, end: int, length: int) -> Candles:
    return Candles(*(getattr(c, f)[end - length:end] for f in ("open", "high", "low", "close", "volume")))


def full_history(program, data, rounds: int) -> tuple[float, int, int]:
    best, decisions = float("inf"), 0
    for _ in range(rounds):
        start, decisions = time.perf_counter(), 0
        for symbol, candles in data.items():
            ctx = Context(symbol, "5m", {(symbol, "5m"): candles}, available_balance=10_000.0)
            decisions += len(evaluate(program, ctx).decisions)
        best = min(best, time.perf_counter() - start)
    return best, len(data), decisions


def replay(program, data, rounds: int, window: int, steps: int) -> tuple[float, int, int]:
    best, count, decisions = float("inf"), 0, 0
    for _ in range(rounds):
        start, count, decisions = time.perf_counter(), 0, 0
        for symbol, candles in data.items():
            variables: dict = {}
            total = len(candles.close)
            for end in range(total - steps + 1, total + 1):
                ctx = Context(symbol, "5m", {(symbol, "5m"): window_of(candles, end, window)},
                              available_balance=10_000.0, variables=variables)
                result = evaluate(program, ctx)
                variables = result.variables
                decisions += len(result.decisions)
                count += 1
        best = min(best, time.perf_counter() - start)
    return best, count, decisions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--window", type=int, default=1000)
    parser.add_argument("--replay-steps", type=int, default=200, help="candle closes replayed per symbol")
    args = parser.parse_args()

    data = series()
    workspace = template_get("ema_cross")["workspace"]
    start = time.perf_counter()
    program = compile_workspace(workspace)
    compile_ms = (time.perf_counter() - start) * 1e3
    print(f"EMA-cross template: {len(data)} symbols x {len(next(iter(data.values())).close)} candles; "
          f"compile {compile_ms:.2f} ms")

    seconds, count, decisions = full_history(program, data, args.rounds)
    print(f"full history : {count} evaluations in {seconds * 1e3:.1f} ms -> {count / seconds:,.0f} eval/s, "
          f"{seconds / count * 1e6:,.0f} us/eval ({decisions} decisions)")
    seconds, count, decisions = replay(program, data, args.rounds, args.window, args.replay_steps)
    print(f"replay {args.window}-candle windows: {count} evaluations in {seconds * 1e3:.1f} ms -> "
          f"{count / seconds:,.0f} eval/s, {seconds / count * 1e6:,.0f} us/eval ({decisions} decisions)")


if __name__ == "__main__":
    main()
