"""Engine lifecycle rules with scripted confidences (see scripted.py): exact thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from signals.config import SignalConfig
from signals.engine import CandleInputError, SignalDetectionEngine
from signals.lifecycle import Direction, EventKind, SignalState

from .scripted import HOUR, T0, TF, ScriptedScorer, candle, close_time, history

N = 200  # index of the first scripted candle after the quiet history


#: These tests check the lifecycle's rules, so R is measured without costs here; the costs have
#: their own hand-computed cases in test_brackets.py.
NO_COSTS = SignalConfig(fee_rate=0.0)


def engine_with_history(atr: float = 1.0, config: SignalConfig | None = NO_COSTS):
    scorer = ScriptedScorer(atr)
    engine = SignalDetectionEngine(config, scorer=scorer)
    engine.update_candles("BTCUSDT", "5m", history(N))
    return engine, scorer


def feed(engine, *rows, symbol="BTCUSDT", now_ms=None):
    engine.update_candles(symbol, "5m", list(rows))
    return engine.process_symbol(symbol, "5m", now_ms=now_ms)


def kinds(events):
    return [(e.kind.value, e.reason.value if e.reason else None) for e in events]


def test_created_at_threshold_not_below():
    engine, _ = engine_with_history()
    assert feed(engine, candle(N, long=69.99)) == []
    [event] = feed(engine, candle(N + 1, 101.0, long=70.0))
    s = event.signal
    assert event.kind is EventKind.CREATED and s.state is SignalState.ACTIVE
    assert s.id == f"BTCUSDT:5m:LONG:{T0 + (N + 1) * TF}"
    assert (s.entry, s.stop_loss, s.take_profit) == (101.0, 99.5, 103.5)
    assert s.reward_risk == pytest.approx(2.5 / 1.5) and s.confidence == 70.0
    assert s.created_at == s.updated_at == close_time(N + 1) == event.at_ms
    assert s.expires_at == s.created_at + HOUR and s.candle_open_time == T0 + (N + 1) * TF


def test_short_levels_are_mirrored():
    engine, _ = engine_with_history(atr=2.0)
    [event] = feed(engine, candle(N, 50.0, short=90.0))
    s = event.signal
    assert s.direction is Direction.SHORT and (s.stop_loss, s.take_profit) == (53.0, 45.0)


def test_no_duplicate_active_signal():
    engine, _ = engine_with_history()
    assert len(feed(engine, candle(N, long=80.0))) == 1
    assert feed(engine, candle(N, long=80.0)) == []  # the same candle again: ignored
    assert engine.process_symbol("BTCUSDT", "5m") == []  # processing twice: nothing new
    assert feed(engine, candle(N + 1, long=80.0)) == []  # still active: no second signal
    assert len(engine.active_signals()) == 1


def test_update_deltas():
    engine, _ = engine_with_history()
    feed(engine, candle(N, long=75.0))
    assert feed(engine, candle(N + 1, long=79.99)) == []  # moved 4.99 points
    [up] = feed(engine, candle(N + 2, long=80.0))  # 5 points from the published 75
    assert up.kind is EventKind.UPDATED and up.signal.confidence == 80.0
    assert up.signal.initial_confidence == 75.0 and up.signal.updated_at == close_time(N + 2)
    assert feed(engine, candle(N + 3, long=76.0)) == []  # 4 below the published 80
    [down] = feed(engine, candle(N + 4, long=75.0))
    assert down.kind is EventKind.UPDATED and down.signal.confidence == 75.0


def test_update_when_levels_move():
    engine, scorer = engine_with_history(atr=1.0)
    feed(engine, candle(N, long=80.0))
    scorer.atr = 1.05  # TP moves 0.125 < 0.2 * 1.05: not worth an update
    assert feed(engine, candle(N + 1, long=80.0)) == []
    scorer.atr = 1.1  # TP moves 0.25 >= 0.22
    [event] = feed(engine, candle(N + 2, long=80.0))
    assert event.kind is EventKind.UPDATED
    assert event.signal.stop_loss == pytest.approx(100 - 1.65)
    assert event.signal.take_profit == pytest.approx(100 + 2.75)
    assert event.signal.entry == 100.0 and event.signal.confidence == 80.0


def test_invalidated_strictly_below_seventy_percent_of_threshold():
    assert SignalConfig().invalidation_confidence == 49.0
    engine, _ = engine_with_history()
    feed(engine, candle(N, long=80.0))
    [event] = feed(engine, candle(N + 1, long=49.0))  # not invalidated, but a 31-point move
    assert event.kind is EventKind.UPDATED
    [event] = feed(engine, candle(N + 2, 100.6, long=48.99))
    assert kinds([event]) == [("deleted", "invalidated")]
    assert event.outcome.exit_price == 100.6 and event.outcome.r_multiple == pytest.approx(0.4)
    assert engine.active_signals() == []


def test_expiry_at_exactly_sixty_minutes():
    engine, _ = engine_with_history()
    [created] = feed(engine, candle(N, long=80.0))
    t = created.signal.created_at
    assert engine.process_symbol("BTCUSDT", "5m", now_ms=t + HOUR - 1) == []
    assert engine.cleanup_expired_signals(t + HOUR - 1) == []
    [event] = engine.process_symbol("BTCUSDT", "5m", now_ms=t + HOUR)
    assert kinds([event]) == [("deleted", "expired")] and event.at_ms == t + HOUR
    assert event.outcome.r_multiple == 0.0  # no later candle: marked at the entry close


def test_cleanup_expires_at_exactly_sixty_minutes_and_checks_unseen_candles():
    engine, _ = engine_with_history()
    t = feed(engine, candle(N, long=80.0))[0].signal.created_at
    engine.update_candles("BTCUSDT", "5m", [candle(N + k, 100.0 + 0.1 * k) for k in (1, 2)])
    [event] = engine.cleanup_expired_signals(t + HOUR)
    assert kinds([event]) == [("deleted", "expired")] and event.at_ms == t + HOUR
    assert event.outcome.exit_price == pytest.approx(100.2)  # last close before expiry

    engine, _ = engine_with_history()
    t = feed(engine, candle(N, long=80.0))[0].signal.created_at
    engine.update_candles("BTCUSDT", "5m", [candle(N + 1, high=102.5)])  # reaches TP
    assert kinds(engine.cleanup_expired_signals(t + HOUR)) == [("deleted", "tp_hit")]


def test_expiry_counts_candles_closed_by_the_deadline_only():
    # The 12th candle after creation closes exactly at expiry: its TP counts.
    engine, _ = engine_with_history()
    feed(engine, candle(N, long=80.0))
    rows = [candle(N + k, long=80.0) for k in range(1, 12)] + [candle(N + 12, high=103.0)]
    [event] = feed(engine, *rows)
    assert kinds([event]) == [("deleted", "tp_hit")] and event.at_ms == close_time(N + 12)
    # The 13th closes after expiry: too late, the signal expired first.
    engine, _ = engine_with_history()
    feed(engine, candle(N, long=80.0))
    rows = [candle(N + k, long=80.0) for k in range(1, 13)] + [candle(N + 13, high=103.0)]
    [event] = feed(engine, *rows)
    assert kinds([event]) == [("deleted", "expired")]


@pytest.mark.parametrize(
    "high,low,expected,r",
    [(102.5, 99.0, "tp_hit", 2.5 / 1.5), (101.0, 98.5, "sl_hit", -1.0),
     (103.0, 98.0, "sl_hit", -1.0)],  # both levels in one candle: stop-loss
)  # fmt: skip
def test_hits_on_a_later_candle(high, low, expected, r):
    engine, _ = engine_with_history()
    # The creating candle itself spans both levels: it does not count.
    feed(engine, candle(N, long=80.0, high=110.0, low=90.0))
    [event] = feed(engine, candle(N + 1, long=60.0, high=high, low=low))
    assert kinds([event]) == [("deleted", expected)]
    assert event.outcome.r_multiple == pytest.approx(r) and event.at_ms == close_time(N + 1)


def test_short_hits_are_mirrored():
    engine, _ = engine_with_history()
    feed(engine, candle(N, short=80.0))  # SL 101.5, TP 97.5
    [event] = feed(engine, candle(N + 1, short=60.0, high=101.5, low=97.5))
    assert kinds([event]) == [("deleted", "sl_hit")]


def test_recreated_only_from_a_newer_candle():
    engine, _ = engine_with_history()
    first = feed(engine, candle(N, long=80.0))[0].signal
    # The feed stalls: the signal expires, the latest candle is still the one it came from.
    engine.cleanup_expired_signals(first.expires_at)
    assert engine.process_symbol("BTCUSDT", "5m", now_ms=first.expires_at + 1) == []
    [again] = feed(engine, candle(N + 1, long=80.0))
    assert again.kind is EventKind.CREATED and again.signal.id != first.id


def test_close_and_recreate_on_the_same_candle_in_order():
    engine, _ = engine_with_history()
    feed(engine, candle(N, long=80.0))
    events = feed(engine, candle(N + 1, long=80.0, low=98.0))  # SL hit, still a setup
    assert kinds(events) == [("deleted", "sl_hit"), ("created", None)]


def test_long_invalidated_before_short_created():
    engine, _ = engine_with_history()
    feed(engine, candle(N, long=80.0))
    events = feed(engine, candle(N + 1, long=20.0, short=80.0))
    assert kinds(events) == [("deleted", "invalidated"), ("created", None)]
    assert events[1].signal.direction is Direction.SHORT


def test_not_scored_before_enough_history():
    scorer = ScriptedScorer()
    engine = SignalDetectionEngine(scorer=scorer)
    engine.update_candles("BTCUSDT", "5m", history(198) + [candle(198, long=100.0)])  # 199
    assert engine.process_symbol("BTCUSDT", "5m") == [] and scorer.calls == []
    assert engine.process_symbol("UNKNOWN", "5m") == []


def test_batch_scores_all_symbols_in_one_call_and_keeps_order():
    scorer = ScriptedScorer()
    engine = SignalDetectionEngine(scorer=scorer)
    for symbol in ("BBB", "AAA", "CCC"):
        engine.update_candles(symbol, "5m", history(N) + [candle(N, long=90.0)])
    events = engine.process_batch(["CCC", "AAA", "BBB"], "5m")
    assert scorer.calls == [3]
    assert [e.signal.symbol for e in events] == ["CCC", "AAA", "BBB"]
    assert [e.signal.symbol for e in engine.process_batch(None, "5m")] == []
    assert [s.symbol for s in engine.active_signals()] == ["AAA", "BBB", "CCC"]


def test_update_candles_validation_and_bounds():
    engine = SignalDetectionEngine(scorer=ScriptedScorer())
    assert engine.update_candles("X", "5m", history(5)[::-1]) == 5  # any order, sorted
    assert engine.update_candles("X", "5m", history(5)) == 0  # duplicates
    assert engine.update_candles("X", "5m", [candle(2), candle(5), candle(5)]) == 1
    assert engine.update_candles("X", "5m", np.array(candle(6))) == 1  # one row
    # A REST batch that ends with the still-forming candle: only closed ones are kept.
    assert engine.update_candles("X", "5m", [candle(7), candle(8)], now_ms=close_time(7)) == 1
    assert engine.candles("X", "5m")[:, 0].tolist() == [T0 + i * TF for i in range(8)]
    assert engine.update_candles("X", "5m", []) == 0
    with pytest.raises(CandleInputError):
        engine.update_candles("X", "5m", [(1, 2, 3)])
    with pytest.raises(CandleInputError):
        engine.update_candles("X", "5m", [(T0 + 99 * TF, 1, 2, float("nan"), 1, 1)])
    with pytest.raises(CandleInputError):
        engine.update_candles("X", "5m", [("a", "b", 1, 1, 1, 1)])
    with pytest.raises(CandleInputError):  # high < low
        engine.update_candles("X", "5m", [(T0 + 99 * TF, 1, 1, 2, 1, 1)])
    with pytest.raises(ValueError):
        engine.update_candles("X", "3m", history(1))
    engine.update_candles("X", "5m", [candle(i) for i in range(8, 1100)])
    cached = engine.candles("X", "5m")
    assert len(cached) == 1000 and cached[-1, 0] == T0 + 1099 * TF  # WARMUP candles kept
    assert not cached.flags.writeable
    series = engine._cache._series[("X", "5m")]  # the storage itself: one bounded array
    assert series.array.shape == (1000, 6) and series.array[0, 0] == T0 + 100 * TF
    assert engine._cache.rows("X", "5m")[-1] == candle(1099)
    assert type(engine._cache.rows("X", "5m")[-1][0]) is int


def test_same_stream_gives_identical_events():
    def run():
        engine, _ = engine_with_history()
        out = []
        for i, conf in enumerate([80, 80, 86, 60, 40, 90, 90, 75, 10, 95]):
            out += feed(engine, candle(N + i, 100.0 + 0.3 * i, long=conf, short=100 - conf))
        return out

    first, second = run(), run()
    assert first == second and len(first) > 5


def test_four_hour_signal_lives_twelve_four_hour_candles():
    # Expiry counts candles of the signal's own timeframe: a 4h signal lives 48 hours, so its
    # next candle can still reach take-profit (with a 60-minute expiry it never could).
    h4 = 14_400_000
    engine = SignalDetectionEngine(NO_COSTS, scorer=ScriptedScorer())
    rows = [(T0 + i * h4, 0.0, 100.5, 99.5, 100.0, 0.0) for i in range(200)]
    engine.update_candles("BTCUSDT", "4h", rows + [(T0 + 200 * h4, 80.0, 100.5, 99.5, 100.0, 0.0)])
    [created] = engine.process_symbol("BTCUSDT", "4h")
    assert created.signal.created_at == T0 + 201 * h4
    assert created.signal.expires_at == created.signal.created_at + 12 * h4
    engine.update_candles("BTCUSDT", "4h", [(T0 + 201 * h4, 60.0, 110.0, 99.5, 105.0, 0.0)])
    [event] = engine.process_symbol("BTCUSDT", "4h")
    assert kinds([event]) == [("deleted", "tp_hit")] and event.outcome.r_multiple == pytest.approx(2.5 / 1.5)
