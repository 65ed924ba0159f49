"""Outcome statistics of closed signals: pure functions over `SignalOutcome` records.

Definitions (R is measured as `brackets.py` says: the headline on the bracket shown at creation,
net of fees and slippage; the trailed bracket separately):

- **tp_rate**: share of signals whose creation take-profit was reached before its stop-loss
  while the signal lived ("reached take-profit first"); **sl_rate**: the same for the stop-loss.
  A signal that reached neither (it expired or was invalidated first) counts in neither.
- **profit_rate**: share closed in profit, net R > 0 on the creation bracket ("closed in
  profit"): includes expired and invalidated signals that ended above their costs. R == 0 is not
  a profit. (This was called "win rate"; it is not the take-profit rate.)
- **avg_r** (net), **avg_r_gross** (before costs), **avg_r_trailed** (net, trailed bracket).
- **expectancy_pct**: mean net direction-signed return per signal, in % of the entry price: what
  taking every signal with the same notional earns per signal after costs.
- **profit_factor**: sum of positive net R / |sum of negative net R|; `inf` when there is profit
  and no losing R, None when there is neither.
- **mean_mfe_r / mean_mae_r**: mean favourable / adverse excursion, in creation R.
- **score bucket**: the creation score, in buckets of `width` points closed on the left, the top
  bucket also closed on the right: 70-75 holds [70, 75), ..., 95-100 holds [95, 100].
- **calibration**: per score bucket, mean creation score against the realised tp_rate and
  profit_rate; `gap` = tp_rate * 100 - mean score (negative: the score overstates the chance).

Signals closed as `stale` (no engine saw them until expiry: no price, no outcome) are left out of
every statistic. Empty groups have count 0 and None for every rate.
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
    in_profit: int  # net R > 0
    tp_first: int  # creation take-profit reached first
    sl_first: int
    tp_hits: int  # closed by the lifecycle on the (trailed) take-profit
    sl_hits: int
    expired: int
    invalidated: int
    tp_rate: float | None
    sl_rate: float | None
    profit_rate: float | None
    avg_r: float | None
    avg_r_gross: float | None
    avg_r_trailed: float | None
    expectancy_pct: float | None
    profit_factor: float | None
    mean_mfe_r: float | None
    mean_mae_r: float | None


@dataclass(frozen=True)
class CalibrationRow:
    bucket: str
    count: int
    mean_score: float
    tp_rate: float
    profit_rate: float
    gap: float  # tp_rate * 100 - mean_score


@dataclass(frozen=True)
class OutcomeReport:
    overall: OutcomeStats
    by_direction: Mapping[str, OutcomeStats]
    by_timeframe: Mapping[str, OutcomeStats]
    by_confidence: Mapping[str, OutcomeStats]
    by_symbol: Mapping[str, OutcomeStats]
    calibration: tuple[CalibrationRow, ...]


def in_profit(outcome: SignalOutcome) -> bool:
    """The single definition of "closed in profit": net R > 0 on the creation bracket."""
    return outcome.r_multiple > 0


def counted(outcomes: Iterable[SignalOutcome]) -> list[SignalOutcome]:
    """The outcomes statistics count: every one but `stale` (no outcome measured)."""
    return [o for o in outcomes if o.reason is not SignalState.STALE]


def _mean(values: list[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def outcome_stats(outcomes: Iterable[SignalOutcome]) -> OutcomeStats:
    """Counts, take-profit / stop-loss / profit rates, R, expectancy, profit factor, excursions."""
    items = counted(outcomes)
    n = len(items)
    if n == 0:
        return OutcomeStats(0, 0, 0, 0, 0, 0, 0, 0, *([None] * 10))
    reasons = [o.reason for o in items]
    profits = sum(1 for o in items if in_profit(o))
    tp_first = sum(1 for o in items if o.tp_first)
    sl_first = sum(1 for o in items if o.sl_first)
    rs = [o.r_multiple for o in items]
    gross_win = math.fsum(r for r in rs if r > 0)
    gross_loss = -math.fsum(r for r in rs if r < 0)
    if gross_loss > 0:
        profit_factor: float | None = gross_win / gross_loss
    else:
        profit_factor = math.inf if gross_win > 0 else None
    return OutcomeStats(
        count=n, in_profit=profits, tp_first=tp_first, sl_first=sl_first,
        tp_hits=reasons.count(SignalState.TP_HIT), sl_hits=reasons.count(SignalState.SL_HIT),
        expired=reasons.count(SignalState.EXPIRED), invalidated=reasons.count(SignalState.INVALIDATED),
        tp_rate=tp_first / n, sl_rate=sl_first / n, profit_rate=profits / n,
        avg_r=math.fsum(rs) / n, avg_r_gross=_mean([o.r_gross for o in items]),
        avg_r_trailed=_mean([o.r_trailed for o in items]),
        expectancy_pct=math.fsum(o.return_pct for o in items) / n, profit_factor=profit_factor,
        mean_mfe_r=_mean([o.mfe_r for o in items if o.mfe_r is not None]),
        mean_mae_r=_mean([o.mae_r for o in items if o.mae_r is not None]),
    )  # fmt: skip


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
    """Per creation-score bucket: mean score against the realised tp_rate and profit_rate."""
    groups: dict[str, list[SignalOutcome]] = {}
    for o in counted(outcomes):
        groups.setdefault(confidence_bucket(o.confidence, width), []).append(o)
    rows = []
    for label in sorted(groups, key=_bucket_low):
        items = groups[label]
        n = len(items)
        mean_score = math.fsum(o.confidence for o in items) / n
        tp_rate = sum(1 for o in items if o.tp_first) / n
        profit_rate = sum(1 for o in items if in_profit(o)) / n
        rows.append(CalibrationRow(label, n, mean_score, tp_rate, profit_rate, tp_rate * 100 - mean_score))
    return tuple(rows)


def outcome_report(
    outcomes: Iterable[SignalOutcome], width: float = BUCKET_WIDTH
) -> OutcomeReport:
    """Overall stats plus by direction, timeframe, confidence bucket and symbol; calibration."""
    items = counted(outcomes)
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
