"""Reads of signals, their statistics and scan runs. Views and tasks call these, never the ORM."""
from __future__ import annotations

import math
from datetime import timedelta

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from signals.models import ScanRun, Signal, SignalChange, SignalOutcomeRecord, Status

CLOSED_STATUSES = (Status.INVALIDATED, Status.EXPIRED, Status.TP_HIT, Status.SL_HIT, Status.STALE)


def signal_list(
    *,
    direction: str | None = None,
    timeframe: str | None = None,
    status: str | None = None,
    min_confidence: float | None = None,
    search: str | None = None,
    ordering: str = "-confidence",
) -> QuerySet[Signal]:
    qs = Signal.objects.all()
    if direction:
        qs = qs.filter(direction=direction)
    if timeframe:
        qs = qs.filter(timeframe=timeframe)
    if status == "closed":
        qs = qs.filter(status__in=CLOSED_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if min_confidence is not None:
        qs = qs.filter(confidence__gte=min_confidence)
    if search:
        qs = qs.filter(symbol__icontains=search.strip())
    # A stable tie-breaker keeps pagination from repeating or skipping rows.
    return qs.order_by(ordering, "-id")


def signal_get(*, signal_id: int) -> Signal:
    return Signal.objects.prefetch_related("changes").get(pk=signal_id)


def signal_stats() -> dict:
    active = Signal.objects.filter(status=Status.ACTIVE)
    totals = active.aggregate(
        active_count=Count("id"),
        average_confidence=Avg("confidence"),
        long_count=Count("id", filter=Q(direction="LONG")),
        short_count=Count("id", filter=Q(direction="SHORT")),
    )
    by_timeframe = dict(active.values_list("timeframe").annotate(n=Count("id")).order_by())
    hour_ago = timezone.now() - timedelta(hours=1)
    totals["updates_last_hour"] = SignalChange.objects.filter(at__gte=hour_ago).count()
    totals["by_timeframe"] = by_timeframe
    if totals["average_confidence"] is not None:
        totals["average_confidence"] = round(totals["average_confidence"], 2)
    return totals


def outcome_records(*, timeframe: str | None = None, days: int | None = None) -> QuerySet[SignalOutcomeRecord]:
    qs = SignalOutcomeRecord.objects.all()
    if timeframe:
        qs = qs.filter(timeframe=timeframe)
    if days:
        qs = qs.filter(closed_at__gte=timezone.now() - timedelta(days=days))
    return qs.order_by("closed_at", "id")


def signal_performance(*, timeframe: str | None = None, days: int | None = None, latest: int = 20) -> dict:
    """Outcome statistics of closed signals (see `signals/outcomes.py` for the definitions).

    Stale signals (no outcome) are left out of the statistics and the equity curve; they do
    appear in `latest`, marked by their status and close rule.
    """
    from signals.outcomes import outcome_report

    rows = list(outcome_records(timeframe=timeframe, days=days))
    measured = [row for row in rows if row.reason != Status.STALE and row.r_multiple is not None]
    report = outcome_report(_as_outcome(row) for row in measured)
    cumulative, curve = 0.0, []
    for row in measured:
        cumulative += row.r_multiple
        curve.append({"at": row.closed_at, "closed_ms": row.closed_ms, "cumulative_r": round(cumulative, 4)})
    return {
        "overall": _stats(report.overall),
        "by_direction": {k: _stats(v) for k, v in report.by_direction.items()},
        "by_timeframe": {k: _stats(v) for k, v in report.by_timeframe.items()},
        "by_confidence": {k: _stats(v) for k, v in report.by_confidence.items()},
        "by_symbol": {k: _stats(v) for k, v in report.by_symbol.items()},
        "calibration": [
            {"bucket": c.bucket, "count": c.count, "mean_score": round(c.mean_score, 2),
             "tp_rate": c.tp_rate, "profit_rate": c.profit_rate}
            for c in report.calibration
        ],
        "equity_curve": curve,
        "latest": rows[::-1][:latest],
    }


def _as_outcome(row: SignalOutcomeRecord):
    from signals.lifecycle import Direction, SignalOutcome, SignalState

    return SignalOutcome(
        signal_id=row.key, symbol=row.symbol, timeframe=row.timeframe, direction=Direction(row.direction),
        confidence=row.initial_confidence, reason=SignalState(row.reason), entry=row.entry,
        exit_price=row.exit_price, stop_loss=row.stop_loss, take_profit=row.take_profit,
        r_multiple=row.r_multiple, return_pct=row.return_pct or 0.0,
        opened_at=row.opened_ms or int(row.opened_at.timestamp() * 1000),
        closed_at=row.closed_ms or int(row.closed_at.timestamp() * 1000),
        close_rule=row.close_rule, r_gross=row.r_gross, fees_r=row.fees_r or 0.0, r_trailed=row.r_trailed,
        mfe_r=row.mfe_r, mae_r=row.mae_r, mfe_pct=row.mfe_pct, mae_pct=row.mae_pct,
        tp_first=row.tp_first, sl_first=row.sl_first,
    )


def _stats(stats) -> dict:
    # JSON has no infinity: a profit factor with no losing R is reported as null with no_losses.
    pf = stats.profit_factor
    return {
        "count": stats.count, "tp_first": stats.tp_first, "sl_first": stats.sl_first,
        "in_profit": stats.in_profit, "tp_hits": stats.tp_hits, "sl_hits": stats.sl_hits,
        "expired": stats.expired, "invalidated": stats.invalidated,
        "tp_rate": stats.tp_rate, "sl_rate": stats.sl_rate, "profit_rate": stats.profit_rate,
        "average_r": stats.avg_r, "average_r_gross": stats.avg_r_gross, "average_r_trailed": stats.avg_r_trailed,
        "expectancy_pct": stats.expectancy_pct, "profit_factor": None if pf is None or math.isinf(pf) else pf,
        "no_losses": pf is not None and math.isinf(pf),
        "mean_mfe_r": stats.mean_mfe_r, "mean_mae_r": stats.mean_mae_r,
    }


def scan_run_latest() -> ScanRun | None:
    return ScanRun.objects.exclude(status=ScanRun.Outcome.SKIPPED).order_by("-started_at").first()
