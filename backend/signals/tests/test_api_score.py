"""The score and the calibrated probability in the signal API, and /api/signals/calibration/."""
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from signals.lifecycle import Direction
from signals.models import SignalOutcomeRecord, Status
from signals.services.calibration import PRIOR_PATH, calibration_forget, calibration_refresh
from signals.services.persistence import signal_events_apply
from signals.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    calibration_forget()
    yield APIClient()
    calibration_forget()


def _archive(timeframe: str, direction: str, score: float, n: int, tp: int, *, stale: int = 0) -> None:
    now = timezone.now()
    SignalOutcomeRecord.objects.bulk_create([
        SignalOutcomeRecord(
            key=f"ARC:{timeframe}:{direction}:{score}:{i}", symbol="ARCUSDT", timeframe=timeframe,
            direction=direction, reason="stale" if i >= n else (Status.TP_HIT if i < tp else Status.SL_HIT),
            initial_confidence=score, entry=100.0, exit_price=100.0, stop_loss=99.0, take_profit=101.0,
            r_multiple=0.0, return_pct=0.0, opened_at=now, closed_at=now, tp_first=i < tp,
        )
        for i in range(n + stale)
    ])  # fmt: skip


def test_score_fields_and_probability_from_the_archive(api):
    # 15m SHORT: 120 closed at score 75 (30 take-profits: 25%) and 80 at score 90 (40: 50%), plus
    # 50 stale signals at 90 marked take-profit first that must not count.
    _archive("15m", "SHORT", 75.0, 120, 30)
    _archive("15m", "SHORT", 90.0, 80, 40, stale=50)
    calibration_refresh()
    signal, created = factories.created(symbol="ETHUSDT", timeframe="15m", direction=Direction.SHORT, confidence=92.0)
    signal_events_apply(events=[created])
    [row] = api.get("/api/signals/").json()["results"]
    assert (row["score"], row["initial_score"]) == (92.0, 92.0)
    assert "confidence" not in row and "initial_confidence" not in row
    # 90% Wilson interval of 40/80, by hand: z = 1.644854, centre 0.5, half-width
    # z * sqrt(0.25/80 + z^2/(4 * 80^2)) / (1 + z^2/80) = 0.090434.
    assert row["probability"] == {"value": 0.5, "low": 0.4096, "high": 0.5904, "n": 80,
                                  "source": "archive"}  # fmt: skip
    assert "50%" in row["probability_note"] and "80" in row["probability_note"]
    assert isinstance(row["created_ms"], int) and isinstance(row["expires_ms"], int)
    detail = api.get(f"/api/signals/{row['id']}/").json()
    assert detail["changes"][0]["score"] == 92.0 and detail["probability"] == row["probability"]


def test_not_enough_history_is_null_with_a_reason(api):
    _archive("4h", "LONG", 80.0, 99, 50)  # one short of the minimum
    calibration_refresh()
    signal_events_apply(events=[factories.created(symbol="BTCUSDT", timeframe="4h", confidence=80.0)[1]])
    [row] = api.get("/api/signals/").json()["results"]
    assert row["probability"] is None
    assert row["probability_note"].startswith("not enough history: 99 closed 4h LONG signals")


def test_before_any_history_the_recorded_backtest_answers(api):
    prior = json.loads(PRIOR_PATH.read_text())["table"]
    [group] = [g for g in prior["groups"] if (g["timeframe"], g["direction"]) == ("5m", "LONG")]
    # The shipped step at the highest score <= 85, read from the file itself.
    score, value, low, high, n = [p for p in group["points"] if p[0] <= 85][-1]
    signal_events_apply(events=[factories.created(symbol="BTCUSDT", confidence=85.0)[1]])
    [row] = api.get("/api/signals/").json()["results"]
    assert row["probability"] == {"value": round(value, 4), "low": round(low, 4), "high": round(high, 4),
                                  "n": n, "source": "recorded-backtest"}  # fmt: skip


def test_calibration_report(api):
    report = api.get("/api/signals/calibration/").json()
    assert report["about"]["generated_by"] == "bench/walk_forward.py"
    assert report["out_of_sample"]["calibration"]["rows"]
    backtest = [c for c in report["curves"] if c["source"] == "recorded-backtest"]
    # 5m as recorded, 15m and 1h resampled from it; 4h has too few candles for a backtest.
    assert {(c["timeframe"], c["direction"]) for c in backtest} == {
        (tf, d) for tf in ("5m", "15m", "1h") for d in ("LONG", "SHORT")
    }
    assert all(p["n"] >= 1 and 0 <= p["low"] <= p["probability"] <= p["high"] <= 1
               for c in backtest for p in c["points"])  # fmt: skip


def test_signal_list_survives_an_unreachable_cache(api, settings, caplog):
    # Nothing listens on port 1: every cache read and write fails; the table is fitted here instead.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # fmt: skip
    _archive("1h", "SHORT", 70.0, 100, 25)
    signal_events_apply(events=[factories.created(symbol="BTCUSDT", timeframe="1h", direction=Direction.SHORT,
                                                  confidence=70.0)[1]])  # fmt: skip
    response = api.get("/api/signals/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["probability"]["value"], row["probability"]["n"], row["probability"]["source"]) == (0.25, 100, "archive")
    assert "calibration cache unreadable" in caplog.text
