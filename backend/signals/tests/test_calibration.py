"""Calibrated take-profit probability: the isotonic fit and the interval against hand-computed
cases, and the out-of-sample check on the replay of the recorded data (fitted on the first 7 days,
shown on the last 7: in every 10-point score bucket of >= 100 signals, the mean probability shown
is within 5 points of the realised take-profit rate)."""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from signals.calibration import (
    SOURCE_ARCHIVE,
    SOURCE_BACKTEST,
    CalibrationTable,
    aggregate_outcomes,
    calibration_fit,
    isotonic_fit,
    probability_for,
    wilson_interval,
)

REPO = Path(__file__).resolve().parents[3]


def test_isotonic_pools_one_violation():
    # 0.6 then 0.2 (weight 3) violate: pooled (0.6 + 3 * 0.2) / 4 = 0.3; 0.5 >= 0.3 stays.
    xs, fitted, block = isotonic_fit([70, 75, 80], [0.6, 0.2, 0.5], [1, 3, 1])
    assert xs.tolist() == [70, 75, 80]
    assert fitted == pytest.approx([0.3, 0.3, 0.5])
    assert block.tolist() == [0, 0, 1]


def test_isotonic_merges_backwards_until_monotone():
    # 0.5, 0.4 pool to 0.45; then 0.2 < 0.45: all three pool to (0.5 + 0.4 + 0.2) / 3 = 0.36667.
    _, fitted, block = isotonic_fit([1, 2, 3, 4], [0.1, 0.5, 0.4, 0.2])
    assert fitted == pytest.approx([0.1, 1.1 / 3, 1.1 / 3, 1.1 / 3])
    assert block.tolist() == [0, 1, 1, 1]


def test_isotonic_merges_equal_x_and_leaves_monotone_data_alone():
    # x=2 appears twice: its value is the weighted mean (0.2 * 1 + 0.8 * 3) / 4 = 0.65.
    xs, fitted, _ = isotonic_fit([3, 2, 1, 2], [0.9, 0.2, 0.1, 0.8], [1, 1, 1, 3])
    assert xs.tolist() == [1, 2, 3]
    assert fitted == pytest.approx([0.1, 0.65, 0.9])


def test_isotonic_fit_is_the_least_squares_monotone_fit():
    # Independent reference: brute force over a fine grid of non-decreasing 3-step fits.
    y, w = np.array([0.5, 0.1, 0.3]), np.array([2.0, 1.0, 1.0])
    grid = np.linspace(0, 1, 101)
    best = min(((a, b, c) for a in grid for b in grid[grid >= a] for c in grid[grid >= b]),
               key=lambda f: float(np.sum(w * (np.array(f) - y) ** 2)))  # fmt: skip
    # PAV: 0.5 (w2), 0.1 -> (1.0 + 0.1) / 3 = 0.36667; 0.3 < 0.36667 -> (1.1 + 0.3) / 4 = 0.35.
    _, fitted, _ = isotonic_fit([1, 2, 3], y, w)
    assert fitted == pytest.approx([0.35, 0.35, 0.35])
    assert fitted == pytest.approx(best, abs=0.006)


def test_wilson_interval_hand_computed():
    # 8 of 10 at 90% (z = 1.644854, z^2 = 2.705543):
    # centre = (0.8 + 2.705543 / 20) / (1 + 0.2705543) = 0.935277 / 1.2705543 = 0.736118
    # half   = 1.644854 / 1.2705543 * sqrt(0.016 + 2.705543 / 400) = 1.294598 * 0.150877 = 0.195325
    low, high = wilson_interval(8, 10)
    assert (low, high) == pytest.approx((0.736118 - 0.195325, 0.736118 + 0.195325), abs=2e-6)
    # 0 of 10: low is 0, high = z^2/n / (1 + z^2/n) = 0.2705543 / 1.2705543 = 0.212942.
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.212942), abs=2e-6)
    with pytest.raises(ValueError):
        wilson_interval(3, 0)


def _rows():
    # 5m LONG: 70 -> 30/100, 75 -> 10/50, 80 -> 20/50; 70 and 75 pool to 40/150.
    # 4h SHORT: 60 signals only (below the 100 minimum): counted, no curve.
    return [("5m", "LONG", 70.0, 100, 30), ("5m", "LONG", 75.0, 50, 10), ("5m", "LONG", 80.0, 50, 20),
            ("4h", "SHORT", 90.0, 60, 30)]  # fmt: skip


def test_fit_pools_blocks_and_gives_each_its_interval():
    table = calibration_fit(_rows(), source=SOURCE_ARCHIVE)
    assert table.counts == {("5m", "LONG"): 200, ("4h", "SHORT"): 60}
    assert ("4h", "SHORT") not in table.curves
    p70, p75, p80 = table.curves[("5m", "LONG")]
    assert (p70.probability, p70.n) == (pytest.approx(40 / 150), 150)
    assert (p75.probability, p75.n) == (pytest.approx(40 / 150), 150)
    assert (p80.probability, p80.n) == (pytest.approx(0.4), 50)
    assert (p70.low, p70.high) == pytest.approx(wilson_interval(40, 150))
    # Step lookup: the highest fitted score at or below the asked one.
    assert table.lookup(72.5, "5m", "LONG") is p70
    assert table.lookup(100, "5m", "LONG") is p80
    assert table.lookup(65, "5m", "LONG") is None
    assert table.lookup(80, "5m", "SHORT") is None
    assert CalibrationTable.from_json(table.to_json()) == table


def test_aggregate_outcomes_counts_take_profits_per_cell():
    rows = aggregate_outcomes([("5m", "LONG", 70, True), ("5m", "LONG", 70.0, False), ("1h", "SHORT", 85, True)])
    assert rows == [("1h", "SHORT", 85.0, 1, 1), ("5m", "LONG", 70.0, 2, 1)]


def test_probability_prefers_the_archive_then_the_prior_then_says_not_enough():
    archive = calibration_fit(_rows(), source=SOURCE_ARCHIVE)
    prior = calibration_fit([("4h", "SHORT", 90.0, 500, 100)], source=SOURCE_BACKTEST)
    shown, note = probability_for(80, "5m", "LONG", archive=archive, prior=prior)
    assert (shown.value, shown.n, shown.source) == (pytest.approx(0.4), 50, "archive")
    assert "50" in note and "archive" in note
    shown, _ = probability_for(95, "4h", "SHORT", archive=archive, prior=prior)
    assert (shown.value, shown.n, shown.source) == (pytest.approx(0.2), 500, "recorded-backtest")
    shown, note = probability_for(80, "1h", "LONG", archive=archive, prior=prior)
    assert shown is None
    assert note.startswith("not enough history") and "0 closed 1h LONG" in note


# -- out of sample, on the replay of the shipped recorded data ------------------------------------

#: Scores take only the values 70, 75, 80, 85, 90, 100 with the default weights, so a bucket of 5
#: would be one score value; buckets of 10 (70-80, 80-90, 90-100) over every timeframe and
#: direction. The per-timeframe-and-direction table is in README.md (bench/walk_forward.py prints
#: it); one of its cells misses by half a point, see there.
BUCKET_WIDTH = 10.0
MIN_BUCKET = 100
MAX_GAP_POINTS = 5.0


@pytest.fixture(scope="session")
def replayed():
    """The per-signal outcomes of one replay of the 14 recorded days, shared by the session."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from replay import load_klines, replay_outcomes
    finally:
        sys.path.remove(str(REPO / "bench"))
    series = load_klines()
    split = min(int(rows[0, 0]) for rows in series.values()) + 7 * 86_400_000
    # The timeframes the shipped prior covers: 5m as recorded, 15m and 1h resampled from it.
    outcomes = replay_outcomes(series, timeframes=("5m", "15m", "1h"))
    return [o for o in outcomes if o["close_rule"] != "stale"], split


@pytest.mark.slow
@pytest.mark.timeout(900)  # one replay of 5m + 15m + 1h: about two minutes on 2 busy cores
def test_out_of_sample_gap_within_five_points_in_every_bucket_of_100(replayed):
    outcomes, split = replayed
    first = [o for o in outcomes if o["created_ms"] < split]
    last = [o for o in outcomes if o["created_ms"] >= split]
    assert len(first) > 1000 and len(last) > 1000
    table = calibration_fit(
        aggregate_outcomes((o["timeframe"], o["direction"], o["score"], o["tp_first"]) for o in first),
        source=SOURCE_BACKTEST,
    )
    buckets: dict[float, list[tuple[float, bool]]] = defaultdict(list)
    shown = 0
    for o in last:
        point = table.lookup(o["score"], o["timeframe"], o["direction"])
        if point is None:
            # 1h: EMA200 needs 200 hours of warm-up, so no 1h signal exists in days 1-7 to fit on.
            assert o["timeframe"] == "1h"
            continue
        shown += 1
        low = math.floor(min(o["score"], 100 - BUCKET_WIDTH) / BUCKET_WIDTH) * BUCKET_WIDTH
        buckets[low].append((point.probability, bool(o["tp_first"])))
    assert shown > 0.9 * len(last)
    gaps = {}
    for low, items in sorted(buckets.items()):
        if len(items) >= MIN_BUCKET:
            mean_shown = sum(p for p, _ in items) / len(items)
            realised = sum(tp for _, tp in items) / len(items)
            gaps[f"{low:g}-{low + BUCKET_WIDTH:g}"] = round((mean_shown - realised) * 100, 2)
    assert list(gaps) == ["70-80", "80-90", "90-100"]
    too_far = {k: g for k, g in gaps.items() if abs(g) > MAX_GAP_POINTS}
    assert too_far == {}, f"buckets off by more than {MAX_GAP_POINTS} points: {too_far} (all: {gaps})"
