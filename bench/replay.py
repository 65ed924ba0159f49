"""Replay the recorded 5m candles of every shipped pair through the signal engine, old rules and new.

    .venv/bin/python bench/replay.py [--klines DIR] [--symbols N] [--days N] [--timeframes 5m,15m,1h]
                                     [--expiry-candles N]

The candles are the 50 recorded USD-M pairs shipped in backend/sandbox/data (14 days of 5m), or
`--klines DIR` of ``<SYMBOL>.csv`` files (header ``timestamp,open,high,low,close,volume``); other
timeframes are resampled from them (complete candles only; 4h has too few for EMA200).

The engine sees each closed candle once, in time order, exactly as the live stream would feed
it: at every step, one `update_candles` per symbol, then one vectorised `process_batch` over all
symbols with `now_ms` = the candle's close time. Each timeframe is replayed twice:

- BEFORE, the old rules: a 60-minute expiry on every timeframe (at least one candle), no fees,
  300 cached candles, and the old measures: R on the trailed levels at close, win = R > 0,
  tp = closed by the lifecycle on the take-profit;
- AFTER, the defaults (`SignalConfig()`): expiry in candles, costs, 1000 cached candles, and the
  measures of signals/outcomes.py (R on the bracket shown at creation, net of costs; take-profit
  rate and closed-in-profit rate apart; MFE / MAE).

Signals still active when the data ends have no outcome and are counted separately.
`replay_outcomes(...)` returns the per-signal outcomes of a replay for other scripts
(bench/walk_forward.py).
"""

from __future__ import annotations

import argparse
import math
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
from signals.config import TIMEFRAME_MS, SignalConfig  # noqa: E402
from signals.outcomes import confidence_bucket  # noqa: E402

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


def resample(series: dict[str, np.ndarray], timeframe: str) -> dict[str, np.ndarray]:
    """5m rows -> rows of `timeframe` (complete candles only: first open, max high, min low,
    last close, summed volume), aligned on the timeframe's boundaries as Binance's are."""
    step = TIMEFRAME_MS[timeframe]
    if step == TF_MS:
        return series
    per = step // TF_MS
    out = {}
    for symbol, rows in series.items():
        group = rows[:, 0].astype(np.int64) // step
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        sizes = np.diff(np.r_[starts, len(rows)])
        starts = starts[sizes == per]
        idx = starts[:, None] + np.arange(per)[None, :]
        out[symbol] = np.column_stack([
            group[starts] * step, rows[starts, 1], rows[idx, 2].max(axis=1), rows[idx, 3].min(axis=1),
            rows[idx + 0, 4][:, -1], rows[idx, 5].sum(axis=1),
        ]).astype(np.float64)  # fmt: skip
    return out


def replay(series: dict[str, np.ndarray], days: float | None = None, *, config=None,
           timeframe: str = "5m"):  # fmt: skip
    """Feed every candle of `timeframe` in time order; return (events, engine)."""
    engine = SignalDetectionEngine(config)
    tf_ms = TIMEFRAME_MS[timeframe]
    times = np.unique(np.concatenate([rows[:, 0] for rows in series.values()]))
    if days:
        times = times[times < times[0] + days * 24 * 3600_000]
    index = {symbol: dict(zip(rows[:, 0].astype(np.int64).tolist(), rows)) for symbol, rows
             in series.items()}  # fmt: skip
    symbols = list(series)
    events = []
    for t in times.astype(np.int64).tolist():
        for symbol in symbols:
            row = index[symbol].get(t)
            if row is not None:
                engine.update_candles(symbol, timeframe, row)
        events += engine.process_batch(symbols, timeframe, now_ms=t + tf_ms)
    return events, engine


def replay_outcomes(series: dict[str, np.ndarray] | None = None, *, config=None,
                    days: float | None = None, timeframes: tuple[str, ...] = ("5m",)) -> list[dict]:
    """Per-signal outcomes of a replay, in close order per timeframe: the input of calibration.

    Each dict: symbol, timeframe, direction, score (creation score, 0-100), created_ms,
    closed_ms (exchange clock), close_rule, tp_first / sl_first (the creation take-profit /
    stop-loss was reached first), r (net of costs, creation bracket), r_gross, r_trailed (net),
    r_trailed_gross, fees_r, mfe_r, mae_r, return_pct (net). `series`: 5m rows, default the
    shipped recorded pairs (resampled for the other `timeframes`); `config`: `SignalConfig()`.
    """
    base = load_klines() if series is None else series
    out = []
    for tf in timeframes:
        events, _ = replay(resample(base, tf), days, config=config, timeframe=tf)
        out += [_outcome_dict(e.outcome) for e in events if e.kind is EventKind.DELETED]
    return out


def _outcome_dict(o) -> dict:
    return {
        "symbol": o.symbol, "timeframe": o.timeframe, "direction": o.direction.value,
        "score": o.confidence, "created_ms": o.opened_at, "closed_ms": o.closed_at,
        "close_rule": o.close_rule, "reason": o.reason.value, "tp_first": bool(o.tp_first),
        "sl_first": bool(o.sl_first), "r": o.r_multiple, "r_gross": o.r_gross,
        "r_trailed": o.r_trailed, "r_trailed_gross": o.r_trailed_gross, "fees_r": o.fees_r,
        "mfe_r": o.mfe_r, "mae_r": o.mae_r, "return_pct": o.return_pct,
        # The old measure's return: trailed exit, before costs.
        "return_pct_trailed_gross": o.direction.sign * (o.exit_price - o.entry) / o.entry * 100,
    }  # fmt: skip


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d")


def _num(x, fmt: str) -> str:
    if x is None:
        return "-"
    return "inf" if x == float("inf") else format(x, fmt)


def _pct(part: int, n: int) -> str:
    return _num(part / n * 100 if n else None, ".1f")


def _pf(rs) -> float | None:
    gain, loss = math.fsum(r for r in rs if r > 0), -math.fsum(r for r in rs if r < 0)
    return gain / loss if loss else (math.inf if gain else None)


def _mean(xs) -> float | None:
    xs = list(xs)
    return math.fsum(xs) / len(xs) if xs else None


def _groups(outcomes: list[dict]):
    yield "overall", outcomes
    for key in ("timeframe", "direction"):
        for value in dict.fromkeys(o[key] for o in outcomes):
            yield value, [o for o in outcomes if o[key] == value]
    for bucket in sorted({confidence_bucket(o["score"]) for o in outcomes}, key=lambda b: float(b.split("-")[0])):
        yield bucket, [o for o in outcomes if confidence_bucket(o["score"]) == bucket]


def print_before(outcomes: list[dict]) -> None:
    """The old measures: win = trailed R > 0, tp = closed by the lifecycle on the (trailed)
    take-profit, R on the levels in force at close, no fees."""
    print(f"{'group':<10}{'count':>7}{'win%':>8}{'tp%':>8}{'avg R':>8}{'expect%':>10}{'PF':>7}"
          f"{'tp':>6}{'sl':>6}{'exp':>6}{'inv':>6}")  # fmt: skip
    for label, g in _groups(outcomes):
        n, rs = len(g), [o["r_trailed_gross"] for o in g]
        reasons = Counter(o["reason"] for o in g)
        print(f"{label:<10}{n:>7}{_pct(sum(r > 0 for r in rs), n):>8}{_pct(reasons['tp_hit'], n):>8}"
              f"{_num(_mean(rs), '+.3f'):>8}{_num(_mean(o['return_pct_trailed_gross'] for o in g), '+.3f'):>10}"
              f"{_num(_pf(rs), '.2f'):>7}{reasons['tp_hit']:>6}{reasons['sl_hit']:>6}{reasons['expired']:>6}"
              f"{reasons['invalidated']:>6}")  # fmt: skip


def print_after(outcomes: list[dict]) -> None:
    """The new measures (signals/outcomes.py): creation bracket, net of fees and slippage."""
    print(f"{'group':<10}{'count':>7}{'tp%':>7}{'sl%':>7}{'profit%':>9}{'R net':>8}{'R gross':>9}"
          f"{'R trail':>9}{'expect%':>9}{'PF':>6}{'MFE R':>7}{'MAE R':>7}")  # fmt: skip
    for label, g in _groups(outcomes):
        n, rs = len(g), [o["r"] for o in g]
        print(f"{label:<10}{n:>7}{_pct(sum(o['tp_first'] for o in g), n):>7}"
              f"{_pct(sum(o['sl_first'] for o in g), n):>7}{_pct(sum(r > 0 for r in rs), n):>9}"
              f"{_num(_mean(rs), '+.3f'):>8}{_num(_mean(o['r_gross'] for o in g), '+.3f'):>9}"
              f"{_num(_mean(o['r_trailed'] for o in g), '+.3f'):>9}"
              f"{_num(_mean(o['return_pct'] for o in g), '+.3f'):>9}{_num(_pf(rs), '.2f'):>6}"
              f"{_num(_mean(o['mfe_r'] for o in g), '.2f'):>7}{_num(_mean(o['mae_r'] for o in g), '.2f'):>7}")


def old_rules(timeframe: str) -> SignalConfig:
    """The rules before expiry in candles and costs: 60 minutes for every timeframe (at least
    one candle here), no fees, 300 cached candles."""
    return SignalConfig(expiry_candles=max(1, 3_600_000 // TIMEFRAME_MS[timeframe]), fee_rate=0.0,
                        cache_length=300)  # fmt: skip


def print_report(series, days, timeframes, config) -> None:
    started = time.perf_counter()
    before, after, created = [], [], Counter()
    for tf in timeframes:
        rows = resample(series, tf)
        events, _ = replay(rows, days, config=old_rules(tf), timeframe=tf)
        before += [_outcome_dict(e.outcome) for e in events if e.kind is EventKind.DELETED]
        events, engine = replay(rows, days, config=config, timeframe=tf)
        after += [_outcome_dict(e.outcome) for e in events if e.kind is EventKind.DELETED]
        created.update((tf, _day(e.signal.candle_open_time)) for e in events if e.kind is EventKind.CREATED)
        print(f"{tf}: created {sum(1 for e in events if e.kind is EventKind.CREATED)}, closed "
              f"{sum(1 for e in events if e.kind is EventKind.DELETED)}, still active at the end "
              f"{len(engine.active_signals())}")  # fmt: skip
    print(f"\nsignals created per day (UTC), {len(series)} symbols")
    for day in sorted({d for _, d in created}):
        print(f"  {day}  " + "  ".join(f"{tf} {created[(tf, day)]:>5}" for tf in timeframes))
    cfg = config or SignalConfig()
    print("\nBEFORE (old rules: 60-minute expiry on every timeframe, R on the trailed levels at close, "
          "no fees; win = R > 0)")
    print_before(before)
    print(f"\nAFTER (expiry {cfg.expiry_candles} candles of the signal's timeframe; R on the bracket "
          f"shown at creation, net of {cfg.fee_rate * 100:g}% fee + {cfg.slippage_bps:g} bps slippage per "
          "fill; tp% = creation take-profit reached first, profit% = closed with net R > 0)")
    print_after(after)
    print(f"\nreplay wall time {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--klines", type=Path, default=None, help="directory of <SYMBOL>.csv files")
    parser.add_argument("--symbols", type=int, default=None, help="first N symbols only")
    parser.add_argument("--days", type=float, default=None, help="first N days only")
    parser.add_argument("--timeframes", default="5m,15m,1h", help="comma-separated (resampled from 5m)")
    parser.add_argument("--expiry-candles", type=int, default=None, help="override the default expiry")
    args = parser.parse_args()

    series = load_klines(args.klines, args.symbols)
    config = SignalConfig(expiry_candles=args.expiry_candles) if args.expiry_candles else None
    print_report(series, args.days, tuple(args.timeframes.split(",")), config)


if __name__ == "__main__":
    main()
