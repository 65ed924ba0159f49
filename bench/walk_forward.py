"""Walk-forward over the 14 recorded days: choose on the first 7, measure on the last 7.

    .venv/bin/python bench/walk_forward.py [--no-write] [--thresholds 70,75,80,85,90]
                                           [--timeframes 5m,15m,1h]

1. Weights, then the creation threshold: every candidate rule set is replayed over the whole
   recorded 5m set (`replay.replay_outcomes`, the engine's own rules, fees included; 5m only, the
   timeframe the data was recorded in, to keep the sweep affordable); the one with the best net
   average R among signals created in the first 7 days (with at least `--min-count` of them) is
   chosen, and its figures on the signals created in the last 7 days are the out-of-sample ones.
   Weight candidates: the defaults and each condition left out (a one-step search; a grid over
   eight weights would be hundreds of replays fitted to one week of fifty pairs). Thresholds are
   then searched with the chosen weights.
2. Calibration: the take-profit-first probability (`signals.calibration`, isotonic per timeframe
   and direction) is fitted on the signals created in the first 7 days of the default-rules
   replay (5m, and 15m / 1h resampled from it; 4h has too few candles) and shown for each signal
   created in the last 7; per bucket (score bucket x timeframe x
   direction, and score bucket overall) the mean shown probability is set against the realised
   take-profit-first rate.
3. Unless --no-write, writes backend/signals/data/calibration_prior.json: the table fitted on ALL
   recorded days (what the API shows until the outcome archive has enough history), with a header
   saying how it was made and the out-of-sample figures of steps 1 and 2 (the performance page
   and README report those).

Signals are split by creation time at first open time + 7 days. A signal created just before the
split may close after it: its outcome uses later candles, but no parameter is chosen from them.
Signals closed as "stale" are left out (there are none in a replay: it has one clock).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "backend"))
sys.path.insert(0, str(REPO / "bench"))

from replay import load_klines, replay_outcomes  # noqa: E402
from signals.calibration import (  # noqa: E402
    SOURCE_BACKTEST,
    aggregate_outcomes,
    calibration_fit,
    probability_for,
)
from signals.config import CONDITION_NAMES, SignalConfig  # noqa: E402
from signals.outcomes import confidence_bucket  # noqa: E402

PRIOR = REPO / "backend" / "signals" / "data" / "calibration_prior.json"
DAY_MS = 86_400_000
#: Buckets with fewer signals than this are reported but not held to the 5-point gap.
MIN_BUCKET = 100


def split_time(series) -> int:
    first = min(int(rows[0, 0]) for rows in series.values())
    return first + 7 * DAY_MS


def usable(outcomes: list[dict]) -> list[dict]:
    return [o for o in outcomes if o["close_rule"] != "stale"]


def summary(outcomes: list[dict]) -> dict:
    """Count, take-profit-first rate, closed-in-profit rate, net / gross average R, profit factor."""
    n = len(outcomes)
    if not n:
        return {"count": 0, "tp_rate": None, "profit_rate": None, "average_r": None,
                "average_r_gross": None, "profit_factor": None}  # fmt: skip
    rs = [o["r"] for o in outcomes]
    gains, losses = math.fsum(r for r in rs if r > 0), -math.fsum(r for r in rs if r < 0)
    return {
        "count": n,
        "tp_rate": sum(o["tp_first"] for o in outcomes) / n,
        "profit_rate": sum(r > 0 for r in rs) / n,
        "average_r": math.fsum(rs) / n,
        "average_r_gross": math.fsum(o["r_gross"] for o in outcomes) / n,
        "profit_factor": gains / losses if losses else None,
    }


def choose(series, candidates: list[tuple[str, SignalConfig]], split: int, min_count: int,
           replayed: dict) -> dict:
    """Replay each candidate rule set over all 14 days (5m); choose the best net average R among
    signals created in days 1-7 (at least `min_count` of them); report days 8-14 beside it.
    `replayed`: usable outcomes by config, shared between searches so no rule set is replayed twice."""
    rows = []
    for label, config in candidates:
        if config not in replayed:
            replayed[config] = usable(replay_outcomes(series, config=config))
        outcomes = replayed[config]
        first = summary([o for o in outcomes if o["created_ms"] < split])
        last = summary([o for o in outcomes if o["created_ms"] >= split])
        rows.append({"label": label, "in_sample": first, "out_of_sample": last})
    eligible = [r for r in rows if r["in_sample"]["count"] >= min_count] or rows
    chosen = max(eligible, key=lambda r: r["in_sample"]["average_r"] or -math.inf)
    return {"candidates": rows, "chosen": chosen["label"], "min_count": min_count,
            "config": dict(zip((label for label, _ in candidates), (c for _, c in candidates)))[chosen["label"]]}


def weight_candidates(base: SignalConfig) -> list[tuple[str, SignalConfig]]:
    """The default weights, and each condition left out (weight 0): a one-step search, 9 replays,
    instead of a grid that would fit hundreds of rule sets to one week of fifty pairs."""
    out = [("default", base)]
    for name in CONDITION_NAMES:
        weights = dict(base.weights, **{name: 0.0})
        out.append((f"without {name}", dataclasses.replace(base, weights=weights)))
    return out


def calibration_gaps(train: list[dict], test: list[dict], width: float) -> dict:
    """Fit on `train`, show on `test`: per bucket n, mean shown, realised rate, gap (points)."""
    table = calibration_fit(aggregate_outcomes(
        (o["timeframe"], o["direction"], o["score"], o["tp_first"]) for o in train),
        source=SOURCE_BACKTEST)  # fmt: skip
    cells: dict[tuple, list] = defaultdict(list)
    not_shown = 0
    for o in test:
        shown, _ = probability_for(o["score"], o["timeframe"], o["direction"], archive=None, prior=table)
        if shown is None:
            not_shown += 1
            continue
        bucket = confidence_bucket(o["score"], width)
        for key in ((bucket, o["timeframe"], o["direction"]), (bucket, "all", "all")):
            cells[key].append((shown.value, o["tp_first"]))
    rows = []
    for (bucket, tf, direction), items in sorted(cells.items(), key=lambda kv: (kv[0][1] != "all", kv[0])):
        n = len(items)
        shown = math.fsum(p for p, _ in items) / n
        realised = sum(tp for _, tp in items) / n
        rows.append({"bucket": bucket, "timeframe": tf, "direction": direction, "count": n,
                     "shown": round(shown, 4), "realised": round(realised, 4),
                     "gap": round((shown - realised) * 100, 2)})  # fmt: skip
    return {"bucket_width": width, "rows": rows, "not_shown": not_shown}


def _pct(x) -> str:
    return "-" if x is None else f"{x * 100:.1f}"


def _r(x) -> str:
    return "-" if x is None else f"{x:+.3f}"


def print_choice(what: str, result: dict) -> None:
    print(f"{what}: chosen on days 1-7 (best net average R, >= {result['min_count']} signals), 5m")
    print(f"{'candidate':>26} | {'n':>6}{'tp%':>7}{'profit%':>9}{'R net':>8}{'R gross':>9} | "
          f"{'n':>6}{'tp%':>7}{'profit%':>9}{'R net':>8}{'R gross':>9}")  # fmt: skip
    print(f"{'':>26} | {'days 1-7 (in sample)':^39} | {'days 8-14 (out of sample)':^39}")
    for row in result["candidates"]:
        cells = []
        for s in (row["in_sample"], row["out_of_sample"]):
            cells.append(f"{s['count']:>6}{_pct(s['tp_rate']):>7}{_pct(s['profit_rate']):>9}"
                         f"{_r(s['average_r']):>8}{_r(s['average_r_gross']):>9}")  # fmt: skip
        mark = " <- chosen" if row["label"] == result["chosen"] else ""
        print(f"{row['label']:>26} | {cells[0]} | {cells[1]}{mark}")
    print()


def print_gaps(result: dict) -> None:
    print(f"calibration: fitted on days 1-7, shown on days 8-14 (score buckets of {result['bucket_width']:g}; "
          f"gap = shown - realised, points; * = bucket of >= {MIN_BUCKET} signals)")  # fmt: skip
    print(f"{'bucket':<8}{'tf':<5}{'dir':<6}{'n':>6}{'shown%':>8}{'real%':>8}{'gap':>7}")
    for r in result["rows"]:
        star = "*" if r["count"] >= MIN_BUCKET else " "
        print(f"{r['bucket']:<8}{r['timeframe']:<5}{r['direction']:<6}{r['count']:>6}"
              f"{r['shown'] * 100:>8.1f}{r['realised'] * 100:>8.1f}{r['gap']:>+7.1f}{star}")  # fmt: skip
    held = [abs(r["gap"]) for r in result["rows"] if r["count"] >= MIN_BUCKET]
    print(f"largest |gap| over buckets of >= {MIN_BUCKET}: {max(held, default=0):.1f} points; "
          f"signals without a shown probability: {result['not_shown']}\n")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--thresholds", default="70,75,80,85,90")
    parser.add_argument("--timeframes", default="5m,15m,1h", help="of the calibration (15m, 1h resampled from 5m)")
    parser.add_argument("--min-count", type=int, default=500, help="fewest in-sample signals to choose a threshold")
    parser.add_argument("--no-write", action="store_true", help="print only; leave the shipped prior alone")
    args = parser.parse_args()

    started = time.perf_counter()
    series = load_klines()
    split = split_time(series)
    config = SignalConfig()
    timeframes = tuple(args.timeframes.split(","))
    outcomes = usable(replay_outcomes(series, config=config, timeframes=timeframes))
    first = [o for o in outcomes if o["created_ms"] < split]
    last = [o for o in outcomes if o["created_ms"] >= split]
    gaps = {w: calibration_gaps(first, last, w) for w in (5.0, 10.0)}
    for w in gaps:
        print_gaps(gaps[w])
    replayed = {config: [o for o in outcomes if o["timeframe"] == "5m"]}
    weights = choose(series, weight_candidates(config), split, args.min_count, replayed)
    print_choice("weights", weights)
    chosen = weights.pop("config")
    thresholds = [(f"{float(t):g}", dataclasses.replace(chosen, min_confidence=float(t)))
                  for t in args.thresholds.split(",")]
    threshold = choose(series, thresholds, split, args.min_count, replayed)
    threshold.pop("config")
    # The API and the performance page read thresholds as numbers.
    threshold["chosen"] = float(threshold["chosen"])
    for row in threshold["candidates"]:
        row["threshold"] = float(row["label"])
    print_choice(f"creation threshold, with weights {weights['chosen']}", threshold)
    for tf in timeframes:
        print(f"default rules, {tf}, days 1-7: {summary([o for o in first if o['timeframe'] == tf])}")
        print(f"default rules, {tf}, days 8-14: {summary([o for o in last if o['timeframe'] == tf])}")
    print(f"wall time {time.perf_counter() - started:.1f} s")
    if args.no_write:
        return
    table = calibration_fit(aggregate_outcomes(
        (o["timeframe"], o["direction"], o["score"], o["tp_first"]) for o in outcomes),
        source=SOURCE_BACKTEST)  # fmt: skip
    about = {
        "generated_by": "bench/walk_forward.py",
        "generated_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": f"replay of the 14 recorded days of 50 USD-M pairs: {', '.join(timeframes)} "
                "(5m as recorded in backend/sandbox/data, longer timeframes resampled from it)",
        "how": "isotonic fit of the take-profit-first rate on the creation score per timeframe and "
               "direction, over ALL recorded days, default SignalConfig (fees included); "
               "90% Wilson intervals on each pooled block",
        "rules": {"min_score": config.min_confidence, "expiry_candles": getattr(config, "expiry_candles", None),
                  "fee_rate": getattr(config, "fee_rate", None), "sl_atr": config.sl_atr, "tp_atr": config.tp_atr},
        "split_ms": split,
        "signals": len(outcomes),
    }  # fmt: skip
    out_of_sample = {
        "what": "chosen or fitted on signals created in recorded days 1-7, measured on days 8-14",
        "default_rules": {"in_sample": summary(first), "out_of_sample": summary(last)},
        "default_rules_by_timeframe": {
            tf: {"in_sample": summary([o for o in first if o["timeframe"] == tf]),
                 "out_of_sample": summary([o for o in last if o["timeframe"] == tf])}
            for tf in timeframes
        },
        "weights": {**weights, "timeframe": "5m"},
        "threshold": {**threshold, "weights": weights["chosen"], "timeframe": "5m"},
        "calibration": gaps[5.0],
        "calibration_10": gaps[10.0],
    }
    PRIOR.parent.mkdir(exist_ok=True)
    PRIOR.write_text(json.dumps({"about": about, "out_of_sample": out_of_sample, "table": table.to_json()},
                                indent=1) + "\n")  # fmt: skip
    print(f"wrote {PRIOR.relative_to(REPO)}")


if __name__ == "__main__":
    main()
