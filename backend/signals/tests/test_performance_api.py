"""/api/signals/performance/ against figures computed by hand: creation-bracket R net of fees,
take-profit rate and closed-in-profit rate apart, excursions, calibration rows, and a stale
signal that the archive shows and the statistics leave out."""
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from signals.brackets import Costs, Excursion
from signals.lifecycle import Trigger, signal_close
from signals.models import Signal, SignalOutcomeRecord
from signals.services.maintenance import signals_cleanup
from signals.services.persistence import signal_events_apply
from signals.tests import factories

pytestmark = pytest.mark.django_db
FEE = Costs(fee_rate=0.0005)


def _close(signal, trigger, excursion, minutes):
    return signal_close(signal, trigger, at_ms=signal.updated_at + minutes * 60_000, exit_price=signal.entry,
                        excursion=excursion, costs=FEE)[1]


def _seed():
    # Entry 100, ATR 2: stop-loss 97, take-profit 105, risk 3 (both LONG).
    a, created_a = factories.created(symbol="ADAUSDT", confidence=72.0)
    b, created_b = factories.created(symbol="DOTUSDT", confidence=91.0)
    _, created_c = factories.created(symbol="SOLUSDT", confidence=80.0)
    signal_events_apply(events=[
        created_a, created_b, created_c,
        _close(a, Trigger.HIT_TP, Excursion(best=105.5, worst=99.0, first="tp"), 10),
        _close(b, Trigger.HIT_SL, Excursion(best=101.0, worst=96.5, first="sl"), 20),
    ])  # fmt: skip


def test_performance_matches_hand_computed_figures():
    _seed()
    # SOLUSDT: no engine ever closed it; an hour and five minutes later on the wall clock the
    # sweep closes it as stale, without a result.
    assert signals_cleanup(now=timezone.now() + timedelta(minutes=66))["stale"] == 1
    report = APIClient().get("/api/signals/performance/").json()
    o = report["overall"]
    # a: +5/3 gross, fees 0.0005 x (100 + 105) / 3 = 0.0341667 -> +1.6325 net
    # b: -1 gross, fees 0.0005 x (100 + 97) / 3 = 0.0328333 -> -1.0328333 net
    assert (o["count"], o["tp_first"], o["sl_first"], o["in_profit"]) == (2, 1, 1, 1)
    assert (o["tp_rate"], o["sl_rate"], o["profit_rate"]) == (0.5, 0.5, 0.5)
    assert o["average_r"] == pytest.approx((1.6325 - 1.0328333) / 2, abs=1e-6)
    assert o["average_r_gross"] == pytest.approx((5 / 3 - 1) / 2)
    assert o["average_r_trailed"] == pytest.approx((1.6325 - 1.0328333) / 2, abs=1e-6)  # never trailed here
    assert o["profit_factor"] == pytest.approx(1.6325 / 1.0328333, rel=1e-6)
    # returns: (5 - 0.1025) % and (-3 - 0.0985) %
    assert o["expectancy_pct"] == pytest.approx((4.8975 - 3.0985) / 2)
    assert o["mean_mfe_r"] == pytest.approx((5.5 / 3 + 1 / 3) / 2)
    assert o["mean_mae_r"] == pytest.approx((1 / 3 + 3.5 / 3) / 2)
    assert "win_rate" not in o  # the ambiguous name is gone
    assert report["calibration"] == [
        {"bucket": "70-75", "count": 1, "mean_score": 72.0, "tp_rate": 1.0, "profit_rate": 1.0},
        {"bucket": "90-95", "count": 1, "mean_score": 91.0, "tp_rate": 0.0, "profit_rate": 0.0},
    ]
    assert [round(p["cumulative_r"], 4) for p in report["equity_curve"]] == [1.6325, 0.5997]

    latest = {s["symbol"]: s for s in report["latest"]}
    assert set(latest) == {"ADAUSDT", "DOTUSDT", "SOLUSDT"}
    ada = latest["ADAUSDT"]
    assert (ada["status"], ada["close_rule"], ada["score"], ada["tp_first"]) == ("tp_hit", "tp_hit", 72.0, True)
    assert ada["r"] == pytest.approx(1.6325) and ada["r_gross"] == pytest.approx(5 / 3, abs=1e-6)
    assert ada["fees_r"] == pytest.approx(0.0341667, abs=1e-6)
    assert (ada["mfe_r"], ada["mae_r"]) == (pytest.approx(5.5 / 3, abs=1e-6), pytest.approx(1 / 3, abs=1e-6))
    assert ada["created_ms"] == factories.T0 + 300_000
    assert ada["closed_ms"] == factories.T0 + 300_000 + 10 * 60_000  # the exchange clock
    sol = latest["SOLUSDT"]
    assert (sol["status"], sol["close_rule"], sol["r"], sol["exit_price"]) == ("stale", "stale", None, None)


def test_the_sweep_writes_no_outcome_and_waits_out_the_expiry():
    signal, created = factories.created(symbol="BTCUSDT")
    signal_events_apply(events=[created])
    # An hour after creation (its expiry) plus less than the grace: engines may still close it.
    assert signals_cleanup(now=timezone.now() + timedelta(minutes=62))["stale"] == 0
    assert signals_cleanup(now=timezone.now() + timedelta(minutes=66))["stale"] == 1
    row = Signal.objects.get(key=signal.id)
    assert (row.status, row.close_rule, row.outcome_r, row.exit_price, row.closed_ms) == (
        "stale", "stale", None, None, None)
    record = SignalOutcomeRecord.objects.get(key=signal.id)
    assert (record.reason, record.r_multiple, record.tp_first) == ("stale", None, None)
    assert APIClient().get("/api/signals/performance/").json()["overall"]["count"] == 0
