"""Indicator set for 400 symbols x 200 candles: `indicators.compute_all` vs TA-Lib called per symbol.

    .venv/bin/python bench/bench_indicators.py [--rounds 50] [--data DIR]

The 400 series are real 5m candles: the 50 recorded USD-M pairs (backend/sandbox/data), each cut into 8
different 200-candle windows.  Ours is one `compute_all` call on the (400, 200) arrays (all 20
outputs, Heikin Ashi included).  TA-Lib is called symbol by symbol for the same set: EMA 9/21/50/200,
RSI 14, MACD 12/26/9, ATR 14, ADX/PLUS_DI/MINUS_DI 14, BBANDS 20/2, SMA 20 of volume; it has no Heikin
Ashi, so its side does less work.  Both run in the same process, alternating, and the best of
``--rounds`` timings of each is reported (plus the CPU time of that round).  Before timing, the
results are checked against each other.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import talib

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "backend"))

import indicators  # noqa: E402
from sandbox.data.recorded import recorded_candles  # noqa: E402

SYMBOLS, CANDLES, WINDOWS_PER_SERIES = 400, 200, 8


def load_windows(data_dir: Path | None = None) -> tuple[np.ndarray, ...]:
    """(400, 200) open/high/low/close/volume arrays from 50 series x 8 windows.

    The series are ``data_dir/*.csv`` when given, else the recorded set shipped with the project.
    """
    if data_dir is None:
        tables = recorded_candles()
        series = [tables[name][:, 1:6] for name in sorted(tables)]
    else:
        files = sorted(data_dir.glob("*.csv"))
        if not files:
            sys.exit(f"no kline CSVs in {data_dir}")
        series = [np.loadtxt(path, delimiter=",", skiprows=1)[:, 1:6] for path in files]
    rows = []
    for i in range(SYMBOLS):
        candles = series[i % len(series)]
        step = (len(candles) - CANDLES) // (WINDOWS_PER_SERIES - 1)
        start = (i // len(series)) % WINDOWS_PER_SERIES * step
        rows.append(candles[start : start + CANDLES])
    stacked = np.stack(rows)  # (symbols, candles, 5)
    return tuple(np.ascontiguousarray(stacked[:, :, k]) for k in range(5))


def talib_per_symbol(o, h, lo, c, v) -> list[tuple]:
    out = []
    for i in range(c.shape[0]):
        hi, low, close = h[i], lo[i], c[i]
        out.append((
            talib.EMA(close, 9), talib.EMA(close, 21), talib.EMA(close, 50), talib.EMA(close, 200),
            talib.RSI(close, 14), *talib.MACD(close, 12, 26, 9), talib.ATR(hi, low, close, 14),
            talib.ADX(hi, low, close, 14), talib.PLUS_DI(hi, low, close, 14),
            talib.MINUS_DI(hi, low, close, 14),
            *talib.BBANDS(close, 20, 2.0, 2.0), talib.SMA(v[i], 20),
        ))  # fmt: skip
    return out


TALIB_KEYS = (
    "ema9", "ema21", "ema50", "ema200", "rsi", "macd", "macd_signal", "macd_hist", "atr",
    "adx", "plus_di", "minus_di", "bb_upper", "bb_middle", "bb_lower", "volume_sma20",
)  # fmt: skip


def check_agreement(ours: dict, theirs: list[tuple]) -> float:
    worst = 0.0
    for k, key in enumerate(TALIB_KEYS):
        reference = np.stack([row[k] for row in theirs])
        if not np.array_equal(np.isnan(ours[key]), np.isnan(reference)):
            sys.exit(f"{key}: NaN positions differ from TA-Lib")
        live = ~np.isnan(reference)
        diff, scale = np.abs(ours[key] - reference)[live], np.abs(reference)[live]
        rel = np.where(diff == 0, 0.0, diff / np.where(scale == 0, 1.0, scale))
        worst = max(worst, float(rel.max()))
    if worst > 1e-8:
        sys.exit(f"results disagree with TA-Lib: {worst:.2e} relative")
    return worst


def best_of(rounds: int, *runs):
    """Alternate the runs `rounds` times; best (wall, cpu) seconds of each."""
    best = [(float("inf"), float("inf"))] * len(runs)
    for _ in range(rounds):
        for j, run in enumerate(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if wall < best[j][0]:
                best[j] = (wall, cpu)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--data", type=Path, default=None, help="directory of <SYMBOL>.csv files")
    args = parser.parse_args()

    o, h, lo, c, v = load_windows(args.data)
    worst = check_agreement(indicators.compute_all(o, h, lo, c, v), talib_per_symbol(o, h, lo, c, v))
    (ours_wall, ours_cpu), (talib_wall, talib_cpu) = best_of(
        args.rounds, lambda: indicators.compute_all(o, h, lo, c, v), lambda: talib_per_symbol(o, h, lo, c, v)
    )

    print(f"{SYMBOLS} symbols x {CANDLES} candles, best of {args.rounds}")
    print(f"  max relative difference from TA-Lib: {worst:.1e}")
    for label, wall, cpu in (
        ("ours   compute_all, one 2-D call (20 outputs) ", ours_wall, ours_cpu),
        ("TA-Lib per symbol (16 outputs, no Heikin Ashi)", talib_wall, talib_cpu),
    ):
        print(f"  {label}: {wall * 1e3:7.2f} ms  (cpu {cpu * 1e3:.2f} ms)")
    print(f"  ratio TA-Lib / ours: {talib_wall / ours_wall:.2f}x")


if __name__ == "__main__":
    main()
