"""Invariants of the event stream over random scripted markets (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signals.engine import SignalDetectionEngine
from signals.lifecycle import EventKind, SignalState

from .scripted import HOUR, ScriptedScorer, candle, history

CONFIDENCES = st.sampled_from([0.0, 30.0, 48.99, 49.0, 60.0, 69.99, 70.0, 75.0, 80.0, 100.0])
STEP = st.tuples(
    CONFIDENCES,  # long
    CONFIDENCES,  # short
    st.floats(-0.5, 0.5),  # close move (ATR is 1: SL 1.5 away, TP 2.5)
    st.sampled_from([0.0, 0.1, 0.3, 1.0, 2.0]),  # wick up
    st.sampled_from([0.0, 0.1, 0.3, 1.0, 2.0]),  # wick down
    st.sampled_from(["candle", "candle", "candle", "skip", "cleanup"]),
)


def run(steps):
    engine = SignalDetectionEngine(scorer=ScriptedScorer(atr=1.0))
    engine.update_candles("BTCUSDT", "5m", history(200))
    events, price, i = [], 100.0, 200
    for long, short, move, up, down, action in steps:
        if action == "cleanup":
            events += engine.cleanup_expired_signals(engine.candles("BTCUSDT", "5m")[-1, 0]
                                                     + 20 * 60_000)  # fmt: skip
            continue
        price = max(price + move, 10.0)
        row = candle(i, price, long=long, short=short, high=price + up, low=price - down)
        i += 2 if action == "skip" else 1  # a gap in the feed now and then
        engine.update_candles("BTCUSDT", "5m", [row])
        events += engine.process_symbol("BTCUSDT", "5m")
    return engine, events


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STEP, min_size=1, max_size=60))
def test_event_stream_invariants(steps):
    engine, events = run(steps)
    active: dict[tuple, str] = {}
    seen_ids: set[str] = set()
    for e in events:
        s = e.signal
        key = (s.symbol, s.timeframe, s.direction)
        if e.kind is EventKind.CREATED:
            assert key not in active, "two active signals for one (symbol, timeframe, direction)"
            assert s.id not in seen_ids, "an id was reused"
            assert s.confidence >= 70.0 and s.state is SignalState.ACTIVE
            active[key] = s.id
            seen_ids.add(s.id)
        elif e.kind is EventKind.UPDATED:
            assert active.get(key) == s.id and s.state is SignalState.ACTIVE
        else:
            assert active.pop(key) == s.id and e.outcome is not None
            assert e.reason is s.state and e.outcome.reason is s.state
            if e.reason is SignalState.TP_HIT:
                assert e.outcome.r_trailed_gross == pytest.approx(s.reward_risk)
            elif e.reason is SignalState.SL_HIT:
                assert e.outcome.r_trailed_gross == -1.0
            elif e.reason is SignalState.EXPIRED:
                assert e.at_ms == s.created_at + HOUR
            assert e.at_ms - s.created_at <= HOUR  # nothing outlives its expiry
    assert sorted(active.values()) == [s.id for s in engine.active_signals()]
    assert run(steps)[1] == events  # deterministic
