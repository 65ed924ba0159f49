"""Calibrated take-profit probability of a signal score. Pure numpy: no Django, no I/O.

The score (the weighted share of the eight conditions that hold, 0-100) is not a probability.
This module turns past outcomes into one: for each (timeframe, direction) it fits the realised
take-profit-first rate as a non-decreasing step function of the creation score, by isotonic
regression (pool-adjacent-violators, `isotonic_fit`). Each step is a block of adjacent scores
pooled together, so the value shown for a score is the realised rate of a set of real past
signals: k take-profits out of n, with a 90% Wilson interval (`wilson_interval`).

Why isotonic: more conditions holding should never make a target *less* likely; where the data
says otherwise (a dip at one score) the dip is pooled with its neighbour instead of being shown as
a fact, which is what keeps the out-of-sample gap small (bench/walk_forward.py measures it).

A (timeframe, direction) with fewer than `min_signals` outcomes gets no curve: the caller shows
"not enough history" rather than a number resting on a handful of signals.

A table serialises to JSON (`CalibrationTable.to_json` / `from_json`): the shipped prior in
``signals/data/calibration_prior.json`` is one, fitted by bench/walk_forward.py on the replay of
the recorded data, used until the outcome archive has enough history of its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

#: Two-sided 90% normal quantile (the Wilson interval's z).
Z90 = 1.6448536269514722
#: Fewest outcomes of one (timeframe, direction) before its probability is shown.
MIN_SIGNALS = 100

SOURCE_ARCHIVE = "archive"
SOURCE_BACKTEST = "recorded-backtest"


def isotonic_fit(x, y, weights=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted least-squares non-decreasing fit of `y` on `x` (pool-adjacent-violators).

    Equal `x` values are merged first (weighted mean). Returns ``(xs, fitted, block)``: the sorted
    distinct x, the fitted value at each, and the index of the pooled block each belongs to
    (adjacent xs with the same block index share one value, the weighted mean of their ys).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
    if not (x.shape == y.shape == w.shape and x.ndim == 1):
        raise ValueError("x, y and weights must be 1-D arrays of one length")
    if x.size == 0:
        empty = np.empty(0)
        return empty, empty, np.empty(0, dtype=int)
    if np.any(w <= 0) or not np.all(np.isfinite(w)):
        raise ValueError("weights must be positive and finite")
    xs, inverse = np.unique(x, return_inverse=True)
    wsum = np.bincount(inverse, weights=w)
    ysum = np.bincount(inverse, weights=w * y)
    # Stack of blocks: (weighted sum of y, total weight, number of distinct xs).
    sums: list[float] = []
    totals: list[float] = []
    sizes: list[int] = []
    for s, t in zip(ysum.tolist(), wsum.tolist()):
        sums.append(s)
        totals.append(t)
        sizes.append(1)
        # Merge backwards while the newest block's mean is below the previous one's.
        while len(sums) > 1 and sums[-1] * totals[-2] < sums[-2] * totals[-1]:
            s2, t2, n2 = sums.pop(), totals.pop(), sizes.pop()
            sums[-1] += s2
            totals[-1] += t2
            sizes[-1] += n2
    block = np.repeat(np.arange(len(sizes)), sizes)
    fitted = (np.array(sums) / np.array(totals))[block]
    return xs, fitted, block


def wilson_interval(k: float, n: float, z: float = Z90) -> tuple[float, float]:
    """Wilson score interval of a proportion k / n (90% two-sided by default)."""
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}")
    if not 0 <= k <= n:
        raise ValueError(f"k must be in [0, n], got k={k} n={n}")
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class CalibrationPoint:
    """The fitted step at one creation score: k take-profits of the n signals of its block."""

    score: float
    probability: float  # k / n, 0-1
    low: float
    high: float
    n: int  # signals the value rests on (the pooled block)


@dataclass(frozen=True)
class Probability:
    """What the API shows beside a score."""

    value: float
    low: float
    high: float
    n: int
    source: str

    def as_dict(self) -> dict:
        return {"value": round(self.value, 4), "low": round(self.low, 4), "high": round(self.high, 4),
                "n": self.n, "source": self.source}  # fmt: skip


@dataclass(frozen=True)
class CalibrationTable:
    """Fitted curves per (timeframe, direction), and how many outcomes each group had."""

    source: str
    min_signals: int
    counts: Mapping[tuple[str, str], int]
    curves: Mapping[tuple[str, str], tuple[CalibrationPoint, ...]]

    def lookup(self, score: float, timeframe: str, direction: str) -> CalibrationPoint | None:
        """The step of the highest fitted score <= `score`; None below the lowest or no curve."""
        found = None
        for point in self.curves.get((timeframe, direction), ()):
            if point.score <= score + 1e-9:
                found = point
        return found

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "min_signals": self.min_signals,
            "groups": [
                {"timeframe": tf, "direction": d, "count": n,
                 "points": [[p.score, p.probability, p.low, p.high, p.n]
                            for p in self.curves.get((tf, d), ())]}
                for (tf, d), n in sorted(self.counts.items())
            ],
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping) -> CalibrationTable:
        counts, curves = {}, {}
        for g in data["groups"]:
            key = (str(g["timeframe"]), str(g["direction"]))
            counts[key] = int(g["count"])
            if g["points"]:
                curves[key] = tuple(CalibrationPoint(float(s), float(p), float(lo), float(hi), int(n))
                                    for s, p, lo, hi, n in g["points"])  # fmt: skip
        return cls(str(data["source"]), int(data["min_signals"]), MappingProxyType(counts),
                   MappingProxyType(curves))  # fmt: skip


def calibration_fit(
    rows: Iterable[tuple[str, str, float, int, int]], *, source: str, min_signals: int = MIN_SIGNALS
) -> CalibrationTable:
    """Fit from aggregated outcomes: rows of (timeframe, direction, score, n, take-profit hits).

    Several rows may share a score (they are summed). Groups with fewer than `min_signals`
    outcomes are counted but get no curve.
    """
    groups: dict[tuple[str, str], list[tuple[float, int, int]]] = {}
    for timeframe, direction, score, n, k in rows:
        if n > 0:
            groups.setdefault((timeframe, direction), []).append((float(score), int(n), int(k)))
    counts, curves = {}, {}
    for key, items in groups.items():
        scores = np.array([s for s, _, _ in items])
        ns = np.array([n for _, n, _ in items], dtype=float)
        ks = np.array([k for _, _, k in items], dtype=float)
        counts[key] = int(ns.sum())
        if counts[key] < min_signals:
            continue
        xs, _, block = isotonic_fit(scores, ks / ns, ns)
        inverse = np.unique(scores, return_inverse=True)[1]
        n_block = np.bincount(block[inverse], weights=ns)
        k_block = np.bincount(block[inverse], weights=ks)
        points = []
        for x, b in zip(xs.tolist(), block.tolist()):
            k, n = float(k_block[b]), float(n_block[b])
            low, high = wilson_interval(k, n)
            points.append(CalibrationPoint(x, k / n, low, high, int(round(n))))
        curves[key] = tuple(points)
    return CalibrationTable(source, min_signals, MappingProxyType(counts), MappingProxyType(curves))


def aggregate_outcomes(
    outcomes: Iterable[tuple[str, str, float, bool]],
) -> list[tuple[str, str, float, int, int]]:
    """(timeframe, direction, score, take-profit first) per signal -> rows for `calibration_fit`."""
    cells: dict[tuple[str, str, float], list[int]] = {}
    for timeframe, direction, score, tp in outcomes:
        cell = cells.setdefault((timeframe, direction, float(score)), [0, 0])
        cell[0] += 1
        cell[1] += bool(tp)
    return [(tf, d, s, n, k) for (tf, d, s), (n, k) in sorted(cells.items())]


def probability_for(
    score: float, timeframe: str, direction: str, *, archive: CalibrationTable | None,
    prior: CalibrationTable | None,
) -> tuple[Probability | None, str]:  # fmt: skip
    """The probability to show for a creation score, and a note saying where it comes from.

    The archive's own curve wins once it has enough outcomes; before that, the recorded backtest
    (`prior`); with neither, None and a note saying how much history there is.
    """
    for table in (archive, prior):
        if table is None:
            continue
        point = table.lookup(score, timeframe, direction)
        if point is not None:
            what = ("closed signals in the outcome archive" if table.source == SOURCE_ARCHIVE
                    else "signals of a backtest over the shipped recorded data")  # fmt: skip
            note = (f"take-profit reached first by {point.probability:.0%} of {point.n} "
                    f"{timeframe} {direction} {what} with a creation score like this one")  # fmt: skip
            return Probability(point.probability, point.low, point.high, point.n, table.source), note
    have = archive.counts.get((timeframe, direction), 0) if archive else 0
    need = archive.min_signals if archive else MIN_SIGNALS
    in_prior = prior is not None and (timeframe, direction) in prior.curves
    if in_prior:
        return None, f"not enough history: no past {timeframe} {direction} signals with a score this low"
    return None, (f"not enough history: {have} closed {timeframe} {direction} signals in the archive "
                  f"(needs {need}) and no recorded backtest for {timeframe}")  # fmt: skip
