"""Outcome statistics of closed signals: pure functions over `SignalOutcome` records.

Definitions (all in R, the multiple of the risk |entry - stop_loss| in force at close; see
`lifecycle.py` for how R is measured):

- **win**: an outcome with R > 0. A take-profit hit is always a win, a stop-loss hit always a
  loss; an expired or invalidated signal is a win when it was closed in profit (marked to
  market), a loss otherwise (R == 0 counts as a loss: nothing was gained).
- **win_rate**: wins / count, 0-1.
- **tp_rate**: take-profit hits / count, 0-1 (the stricter "the target was reached").
- **avg_r**: mean R per signal.
- **expectancy_pct**: mean direction-signed return per signal, in percent of the entry price,
  before fees: what a trader taking every signal with the same notional earns per signal.
  (In R units expectancy is avg_r by definition, so it is given in price terms instead.)
- **profit_factor**: sum of positive R / |sum of negative R|; `inf` when there are wins and no
  losing R, None when there is neither.
- **confidence bucket**: the creation confidence, in buckets of `width` points closed on the
  left, the top bucket also closed on the right: 70-75 holds [70, 75), ..., 95-100 holds [95, 100].
- **calibration**: per confidence bucket, mean creation confidence against the realised win
  rate and TP rate; `gap` = win_rate * 100 - mean confidence (negative: over-confident).

Empty groups have count 0 and None for every rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .config import TIMEFRAME_MS
from .lifecycle import SignalOutcome, SignalState

BUCKET_WIDTH = 5.0


@dataclass(frozen=True)
class OutcomeStats:
    count: int
    wins: int
    losses: int
    tp_hits: int
    sl_hits: int
    expired: int
    invalidated: int
    win_rate: float | None
    tp_rate: float | None
    avg_r: float | None
    expectancy_pct: float | None
    profit_factor: float | None


@dataclass(frozen=True)
class CalibrationRow:
    bucket: str
    count: int
    mean_confidence: float
    win_rate: float
    tp_rate: float
    gap: float  # win_rate * 100 - mean_confidence


@dataclass(frozen=True)
class OutcomeReport:
    overall: OutcomeStats
    by_direction: Mapping[str, OutcomeStats]
    by_timeframe: Mapping[str, OutcomeStats]
    by_confidence: Mapping[str, OutcomeStats]
    by_symbol: Mapping[str, OutcomeStats]
    calibration: tuple[CalibrationRow, ...]


def is_win(outcome: SignalOutcome) -> bool:
    """The single definition of a win: R > 0."""
    return outcome.r_multiple > 0


def outcome_stats(outcomes: Iterable[SignalOutcome]) -> OutcomeStats:
    """Count, win rate, TP rate, average R, expectancy (% of entry) and profit factor."""
    items = list(outcomes)
    n = len(items)
    reasons = [o.reason for o in items]
    wins = sum(1 for o in items if is_win(o))
    tp_hits = reasons.count(SignalState.TP_HIT)
    if n == 0:
        return OutcomeStats(0, 0, 0, 0, 0, 0, 0, None, None, None, None, None)
    rs = [o.r_multiple for o in items]
    gross_win = math.fsum(r for r in rs if r > 0)
    gross_loss = -math.fsum(r for r in rs if r < 0)
    if gross_loss > 0:
        profit_factor: float | None = gross_win / gross_loss
    else:
        profit_factor = math.inf if gross_win > 0 else None
    return OutcomeStats(
        count=n,
        wins=wins,
        losses=n - wins,
        tp_hits=tp_hits,
        sl_hits=reasons.count(SignalState.SL_HIT),
        expired=reasons.count(SignalState.EXPIRED),
        invalidated=reasons.count(SignalState.INVALIDATED),
        win_rate=wins / n,
        tp_rate=tp_hits / n,
        avg_r=math.fsum(rs) / n,
        expectancy_pct=math.fsum(o.return_pct for o in items) / n,
        profit_factor=profit_factor,
    )


def confidence_bucket(confidence: float, width: float = BUCKET_WIDTH) -> str:
    """'70-75' for 70 <= c < 75, ..., '95-100' for 95 <= c <= 100 (with width 5)."""
    if not 0 <= confidence <= 100:
        raise ValueError(f"confidence must be in [0, 100], got {confidence}")
    low = min(math.floor(confidence / width) * width, 100 - width)
    return f"{_fmt(low)}-{_fmt(low + width)}"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _bucket_low(label: str) -> float:
    return float(label.split("-")[0])


def group_stats(
    outcomes: Iterable[SignalOutcome],
    key: Callable[[SignalOutcome], str],
    sort_key: Callable[[str], object] = lambda k: k,
) -> dict[str, OutcomeStats]:
    """`outcome_stats` per group of `key(outcome)`, groups ordered by `sort_key`."""
    groups: dict[str, list[SignalOutcome]] = {}
    for o in outcomes:
        groups.setdefault(key(o), []).append(o)
    return {k: outcome_stats(groups[k]) for k in sorted(groups, key=sort_key)}


def calibration(
    outcomes: Iterable[SignalOutcome], width: float = BUCKET_WIDTH
) -> tuple[CalibrationRow, ...]:
    """Per confidence bucket: mean creation confidence against realised win and TP rates."""
    groups: dict[str, list[SignalOutcome]] = {}
    for o in outcomes:
        groups.setdefault(confidence_bucket(o.confidence, width), []).append(o)
    rows = []
    for label in sorted(groups, key=_bucket_low):
        items = groups[label]
        n = len(items)
        mean_conf = math.fsum(o.confidence for o in items) / n
        win_rate = sum(1 for o in items if is_win(o)) / n
        tp_rate = sum(1 for o in items if o.reason is SignalState.TP_HIT) / n
        gap = win_rate * 100 - mean_conf
        rows.append(CalibrationRow(label, n, mean_conf, win_rate, tp_rate, gap))
    return tuple(rows)


def outcome_report(
    outcomes: Iterable[SignalOutcome], width: float = BUCKET_WIDTH
) -> OutcomeReport:
    """Overall stats plus by direction, timeframe, confidence bucket and symbol; calibration."""
    items = list(outcomes)
    return OutcomeReport(
        overall=outcome_stats(items),
        by_direction=group_stats(items, lambda o: o.direction.value),
        by_timeframe=group_stats(
            items, lambda o: o.timeframe, lambda tf: (TIMEFRAME_MS.get(tf, math.inf), tf)
        ),
        by_confidence=group_stats(
            items, lambda o: confidence_bucket(o.confidence, width), _bucket_low
        ),
        by_symbol=group_stats(items, lambda o: o.symbol),
        calibration=calibration(items, width),
    )
