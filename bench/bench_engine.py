"""CPU cost of the signal engine for a full scan: 400 symbols x 200 candles.

    .venv/bin/python bench/bench_engine.py [--symbols 400] [--candles 200] [--repeat 15]

The 400 series are windows of the 50 recorded pairs (each pair at 8 different offsets), so the
numbers are real market data. Reported, best of `--repeat` runs, in CPU-seconds
(`time.process_time`, all threads of this process) and wall seconds:

- indicators: `indicators.compute_all` on the (400, 200) arrays;
- scoring: `conditions.score_indicators` (the eight conditions, confidences, snapshot values);
- engine (indicators + scoring): `engine.score_candles`, the vectorised path. Target <= 0.15 CPU-s;
- cache fill: 400 `update_candles` calls of 200 candles each (a cold start);
- process_batch: one `SignalDetectionEngine.process_batch` over the 400 cached symbols:
  stacking the caches, indicators, scoring and creating every signal that qualifies.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from replay import REPO, load_klines  # noqa: E402

sys.path.insert(0, str(REPO / "backend"))
from indicators import compute_all  # noqa: E402
from signals.conditions import score_indicators  # noqa: E402
from signals.config import SignalConfig  # noqa: E402
from signals.engine import SignalDetectionEngine, score_candles  # noqa: E402

TARGET_CPU_S = 0.15


def windows(series: dict[str, np.ndarray], n_symbols: int, n_candles: int) -> np.ndarray:
    """(n_symbols, n_candles, 6): pair k % 50 at its (k // 50)-th offset, spread over the data."""
    pairs = list(series.values())
    per_pair = -(-n_symbols // len(pairs))
    out = []
    for k in range(n_symbols):
        rows = pairs[k % len(pairs)]
        span = len(rows) - n_candles
        start = (k // len(pairs)) * span // max(per_pair - 1, 1)
        out.append(rows[start:start + n_candles])
    return np.stack(out)


def best_of(repeat: int, fn) -> tuple[float, float]:
    """(best CPU-seconds, best wall seconds) over `repeat` calls, after one warm-up call."""
    fn()
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return min(cpu), min(wall)


def best_of_each(calls) -> tuple[float, float]:
    """Like `best_of`, for calls that can run only once each (the first one warms up)."""
    calls[0]()
    cpu, wall = [], []
    for call in calls[1:]:
        c0, w0 = time.process_time(), time.perf_counter()
        call()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return min(cpu), min(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--klines", type=Path, default=None, help="directory of <SYMBOL>.csv files")
    parser.add_argument("--symbols", type=int, default=400)
    parser.add_argument("--candles", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    config = SignalConfig()
    data = windows(load_klines(args.klines), args.symbols, args.candles)
    o, h, l, c, v = (np.ascontiguousarray(data[:, :, k]) for k in range(1, 6))  # noqa: E741
    indicators = compute_all(o, h, l, c, v)

    def filled_engine() -> SignalDetectionEngine:
        engine = SignalDetectionEngine(config)
        for i, rows in enumerate(data):
            engine.update_candles(f"S{i:03d}", "5m", rows)
        return engine

    def engine_step() -> tuple[float, float]:
        # A fresh engine each run, so every run creates its signals; only the step is timed.
        engines = [filled_engine() for _ in range(max(args.repeat // 3, 3) + 1)]
        return best_of_each([lambda e=e: e.process_batch(None, "5m") for e in engines])

    results = [
        ("indicators (compute_all)", best_of(args.repeat, lambda: compute_all(o, h, l, c, v))),
        ("scoring (8 conditions)", best_of(
            args.repeat, lambda: score_indicators(indicators, c, v, config))),
        ("engine: indicators + scoring", best_of(
            args.repeat, lambda: score_candles(o, h, l, c, v, config))),
        ("cache fill (update_candles)", best_of(max(args.repeat // 3, 3), filled_engine)),
        ("process_batch (full step)", engine_step()),
    ]  # fmt: skip
    batch = score_candles(o, h, l, c, v, config)
    print(f"{args.symbols} symbols x {args.candles} candles (5m), best of {args.repeat}")
    print(f"{'':<32}{'CPU-s':>9}{'wall s':>9}")
    for label, (cpu, wall) in results:
        print(f"{label:<32}{cpu:>9.4f}{wall:>9.4f}")
    cpu = results[2][1][0]
    verdict = "OK" if cpu <= TARGET_CPU_S else "OVER TARGET"
    print(f"target: indicators + scoring <= {TARGET_CPU_S} CPU-s -> {cpu:.4f} ({verdict})")
    print(f"ready {int(batch.ready.sum())}/{len(batch)}, LONG >= 70: "
          f"{int((batch.long_confidence >= 70).sum())}, SHORT >= 70: "
          f"{int((batch.short_confidence >= 70).sum())}")  # fmt: skip


if __name__ == "__main__":
    main()
