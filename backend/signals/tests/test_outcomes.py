"""Outcome statistics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from signals.lifecycle import Direction, SignalOutcome, SignalState
from signals.outcomes import (
    calibration,
    confidence_bucket,
    group_stats,
    in_profit,
    outcome_report,
    outcome_stats,
)

L, S = Direction.LONG, Direction.SHORT


def outcome(symbol, timeframe, direction, confidence, reason, r, ret_pct) -> SignalOutcome:
    return SignalOutcome(
        signal_id=f"{symbol}:{timeframe}:{direction}:{confidence}", symbol=symbol,
        timeframe=timeframe, direction=direction, confidence=confidence, reason=reason,
        entry=100.0, exit_price=100.0 + direction.sign * ret_pct, stop_loss=0.0,
        take_profit=0.0, r_multiple=r, return_pct=ret_pct, opened_at=0, closed_at=1,
    )  # fmt: skip


# entry 100 everywhere, so return_pct is the price move; R = move / 3 (risk 3) except TP/SL.
OUTCOMES = [
    outcome("BTCUSDT", "5m", L, 72.0, SignalState.TP_HIT, 5 / 3, 5.0),
    outcome("BTCUSDT", "5m", L, 78.0, SignalState.SL_HIT, -1.0, -3.0),
    outcome("ETHUSDT", "1h", S, 91.0, SignalState.EXPIRED, 0.5, 1.5),
    outcome("ETHUSDT", "5m", S, 96.0, SignalState.INVALIDATED, -0.2, -0.6),
    outcome("ETHUSDT", "15m", L, 100.0, SignalState.EXPIRED, 0.0, 0.0),
]


def test_closed_in_profit_is_positive_r():
    assert [in_profit(o) for o in OUTCOMES] == [True, False, True, False, False]


def test_overall_by_hand():
    stats = outcome_stats(OUTCOMES)
    assert (stats.count, stats.in_profit, stats.tp_first, stats.sl_first) == (5, 2, 1, 1)
    assert (stats.tp_hits, stats.sl_hits, stats.expired, stats.invalidated) == (1, 1, 2, 1)
    # Closed in profit (2 of 5) is not reaching take-profit (1 of 5): reported separately.
    assert (stats.profit_rate, stats.tp_rate, stats.sl_rate) == (0.4, 0.2, 0.2)
    # (5/3 - 1 + 0.5 - 0.2 + 0) / 5 = 0.19333...
    assert stats.avg_r == pytest.approx((5 / 3 - 0.7) / 5)
    # (5 - 3 + 1.5 - 0.6 + 0) / 5 = 0.58 percent per signal
    assert stats.expectancy_pct == pytest.approx(0.58)
    # (5/3 + 0.5) / (1 + 0.2) = 1.80555...
    assert stats.profit_factor == pytest.approx((5 / 3 + 0.5) / 1.2)


def test_by_direction_timeframe_symbol_by_hand():
    report = outcome_report(OUTCOMES)
    long, short = report.by_direction["LONG"], report.by_direction["SHORT"]
    assert (long.count, long.in_profit, long.profit_rate) == (3, 1, pytest.approx(1 / 3))
    assert long.avg_r == pytest.approx(2 / 9) and long.profit_factor == pytest.approx(5 / 3)
    assert long.expectancy_pct == pytest.approx(2 / 3)
    assert (short.count, short.in_profit, short.profit_rate) == (2, 1, 0.5)
    assert short.avg_r == pytest.approx(0.15) and short.profit_factor == pytest.approx(2.5)
    assert short.expectancy_pct == pytest.approx(0.45)
    assert list(report.by_timeframe) == ["5m", "15m", "1h"]  # by candle length, not text
    assert report.by_timeframe["5m"].count == 3
    assert {k: v.count for k, v in report.by_symbol.items()} == {"BTCUSDT": 2, "ETHUSDT": 3}


def test_by_confidence_bucket_by_hand():
    report = outcome_report(OUTCOMES)
    assert list(report.by_confidence) == ["70-75", "75-80", "90-95", "95-100"]
    top = report.by_confidence["95-100"]  # 96 (invalidated, -0.2 R) and 100 (expired, 0 R)
    assert (top.count, top.in_profit, top.profit_rate, top.avg_r) == (2, 0, 0.0, pytest.approx(-0.1))
    assert top.profit_factor == 0.0


def test_calibration_by_hand():
    rows = {row.bucket: row for row in calibration(OUTCOMES)}
    assert list(rows) == ["70-75", "75-80", "90-95", "95-100"]
    assert (rows["70-75"].count, rows["70-75"].profit_rate, rows["70-75"].tp_rate) == (1, 1.0, 1.0)
    assert rows["70-75"].gap == pytest.approx(100 - 72)  # gap is on the take-profit rate
    assert rows["95-100"].mean_score == 98.0 and rows["95-100"].gap == -98.0
    # 91: expired in profit, never reached take-profit: in profit, but a tp_rate of 0.
    assert rows["90-95"].profit_rate == 1.0 and rows["90-95"].tp_rate == 0.0
    assert rows["90-95"].gap == -91.0


@pytest.mark.parametrize(
    "confidence,label",
    [(70, "70-75"), (74.999, "70-75"), (75, "75-80"), (95, "95-100"), (100, "95-100"),
     (0, "0-5"), (49.0, "45-50")],
)  # fmt: skip
def test_confidence_bucket_edges(confidence, label):
    assert confidence_bucket(confidence) == label


def test_confidence_bucket_rejects_out_of_range():
    with pytest.raises(ValueError):
        confidence_bucket(100.5)


def test_profit_factor_edges_and_empty():
    only_wins = [OUTCOMES[0]]
    assert outcome_stats(only_wins).profit_factor == math.inf
    flat = [OUTCOMES[4]]
    assert outcome_stats(flat).profit_factor is None and outcome_stats(flat).profit_rate == 0.0
    empty = outcome_stats([])
    assert empty.count == 0 and empty.profit_rate is None and empty.tp_rate is None and empty.avg_r is None
    assert outcome_report([]).by_direction == {} and calibration([]) == ()


def test_group_stats_custom_key():
    groups = group_stats(OUTCOMES, lambda o: o.reason.value)
    assert {k: v.count for k, v in groups.items()} == {
        "expired": 2, "invalidated": 1, "sl_hit": 1, "tp_hit": 1
    }
