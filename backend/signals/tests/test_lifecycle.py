"""The transition table, the records it moves and the outcome in R."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from signals.lifecycle import (
    TERMINAL_STATES,
    TRANSITIONS,
    ActiveSignal,
    Direction,
    EventKind,
    IllegalTransition,
    LifecycleError,
    SignalState,
    Trigger,
    candle_hit,
    next_state,
    r_multiple,
    signal_close,
    signal_create,
    signal_update,
)

LEGAL = {
    (SignalState.NEW, Trigger.CREATE): SignalState.ACTIVE,
    (SignalState.ACTIVE, Trigger.UPDATE): SignalState.ACTIVE,
    (SignalState.ACTIVE, Trigger.INVALIDATE): SignalState.INVALIDATED,
    (SignalState.ACTIVE, Trigger.EXPIRE): SignalState.EXPIRED,
    (SignalState.ACTIVE, Trigger.HIT_TP): SignalState.TP_HIT,
    (SignalState.ACTIVE, Trigger.HIT_SL): SignalState.SL_HIT,
    (SignalState.ACTIVE, Trigger.MARK_STALE): SignalState.STALE,
}


def make_signal(direction=Direction.LONG, state=SignalState.NEW, **overrides) -> ActiveSignal:
    """entry 100, ATR 2: LONG SL 97 / TP 105, SHORT SL 103 / TP 95."""
    sign = direction.sign
    fields = dict(
        id=ActiveSignal.make_id("BTCUSDT", "5m", direction, 1_000_000),
        symbol="BTCUSDT", timeframe="5m", direction=direction, confidence=75.0,
        entry=100.0, stop_loss=100.0 - sign * 3.0, take_profit=100.0 + sign * 5.0,
        reward_risk=5.0 / 3.0, conditions=("macd_cross",), snapshot={"atr": 2.0},
        created_at=1_300_000, updated_at=1_300_000, candle_open_time=1_000_000,
        state=state, initial_confidence=75.0, expires_at=1_300_000 + 3_600_000,
    )  # fmt: skip
    fields.update(overrides)
    return ActiveSignal(**fields)


def test_table_is_exactly_the_documented_one():
    assert dict(TRANSITIONS) == LEGAL
    assert TERMINAL_STATES == {
        SignalState.INVALIDATED, SignalState.EXPIRED, SignalState.TP_HIT, SignalState.SL_HIT,
        SignalState.STALE,
    }


@pytest.mark.parametrize("state,trigger", list(itertools.product(SignalState, Trigger)))
def test_every_pair_is_legal_or_raises(state, trigger):
    if (state, trigger) in LEGAL:
        assert next_state(state, trigger) is LEGAL[(state, trigger)]
    else:
        with pytest.raises(IllegalTransition) as err:
            next_state(state, trigger)
        assert isinstance(err.value, LifecycleError)
        assert (err.value.state, err.value.trigger) == (state, trigger)


@pytest.mark.parametrize("terminal", sorted(TERMINAL_STATES))
def test_terminal_states_accept_nothing(terminal):
    for trigger in Trigger:
        with pytest.raises(IllegalTransition):
            next_state(terminal, trigger)


def test_create_publishes_an_active_signal():
    signal, event = signal_create(make_signal(), at_ms=1_300_000)
    assert signal.state is SignalState.ACTIVE
    assert event.kind is EventKind.CREATED and event.signal == signal
    assert event.reason is None and event.outcome is None
    with pytest.raises(IllegalTransition):
        signal_create(signal, at_ms=1_300_000)  # already active


def test_update_changes_only_what_may_change():
    active, _ = signal_create(make_signal(), at_ms=1_300_000)
    updated, event = signal_update(active, at_ms=1_600_000, confidence=85.0, stop_loss=96.0)
    assert event.kind is EventKind.UPDATED and event.signal == updated
    assert (updated.confidence, updated.stop_loss, updated.updated_at) == (85.0, 96.0, 1_600_000)
    assert updated.initial_confidence == 75.0 and updated.created_at == 1_300_000
    assert active.confidence == 75.0  # records are immutable
    with pytest.raises(TypeError):
        signal_update(active, at_ms=1, entry=50.0)
    with pytest.raises(IllegalTransition):
        signal_update(make_signal(), at_ms=1, confidence=80.0)  # NEW cannot be updated


@pytest.mark.parametrize(
    "trigger,state", [(Trigger.INVALIDATE, SignalState.INVALIDATED),
                      (Trigger.EXPIRE, SignalState.EXPIRED),
                      (Trigger.HIT_TP, SignalState.TP_HIT),
                      (Trigger.HIT_SL, SignalState.SL_HIT)],
)  # fmt: skip
def test_close_then_nothing_more(trigger, state):
    active, _ = signal_create(make_signal(), at_ms=1_300_000)
    closed, event = signal_close(active, trigger, at_ms=2_000_000, exit_price=101.0)
    assert closed.state is state and event.kind is EventKind.DELETED and event.reason is state
    assert event.outcome.reason is state and event.outcome.closed_at == 2_000_000
    for again in Trigger:
        with pytest.raises((IllegalTransition, ValueError)):
            if again in (Trigger.CREATE, Trigger.UPDATE):
                (signal_create if again is Trigger.CREATE else signal_update)(closed, at_ms=1)
            else:
                signal_close(closed, again, at_ms=1, exit_price=1.0)
    with pytest.raises(IllegalTransition):
        signal_close(make_signal(), trigger, at_ms=1, exit_price=1.0)  # never created


def test_close_rejects_non_closing_triggers():
    active, _ = signal_create(make_signal(), at_ms=0)
    with pytest.raises(ValueError):
        signal_close(active, Trigger.UPDATE, at_ms=1, exit_price=1.0)


@pytest.mark.parametrize("direction", list(Direction))
def test_outcome_r_multiples(direction):
    active, _ = signal_create(make_signal(direction), at_ms=0)
    sign = direction.sign

    def outcome(trigger, exit_price=0.0):
        return signal_close(active, trigger, at_ms=1, exit_price=exit_price)[1].outcome

    tp = outcome(Trigger.HIT_TP)
    assert tp.r_multiple == pytest.approx(5 / 3) and tp.exit_price == 100 + sign * 5
    assert tp.return_pct == pytest.approx(5.0)
    sl = outcome(Trigger.HIT_SL)
    assert sl.r_multiple == -1.0 and sl.exit_price == 100 - sign * 3
    assert sl.return_pct == pytest.approx(-3.0)
    # Marked to market: 1.5 in the signal's favour is +0.5 R, 0.6 against is -0.2 R.
    assert outcome(Trigger.EXPIRE, 100 + sign * 1.5).r_multiple == pytest.approx(0.5)
    assert outcome(Trigger.INVALIDATE, 100 - sign * 0.6).r_multiple == pytest.approx(-0.2)
    assert outcome(Trigger.EXPIRE, 100.0).r_multiple == 0.0
    assert outcome(Trigger.EXPIRE).confidence == 75.0  # creation confidence


def test_outcome_uses_creation_confidence_after_updates():
    active, _ = signal_create(make_signal(), at_ms=0)
    updated, _ = signal_update(active, at_ms=1, confidence=95.0)
    _, event = signal_close(updated, Trigger.HIT_TP, at_ms=2, exit_price=0.0)
    assert event.outcome.confidence == 75.0 and event.signal.confidence == 95.0


def test_r_multiple_formula_and_zero_risk():
    assert r_multiple(Direction.LONG, 10.0, 9.0, 12.0) == 2.0
    assert r_multiple(Direction.SHORT, 10.0, 11.0, 12.0) == -2.0
    with pytest.raises(ValueError):
        r_multiple(Direction.LONG, 10.0, 10.0, 11.0)


@pytest.mark.parametrize(
    "direction,high,low,expected",
    [
        (Direction.LONG, 104.0, 98.0, None),
        (Direction.LONG, 105.0, 98.0, Trigger.HIT_TP),  # touching the level counts
        (Direction.LONG, 104.0, 97.0, Trigger.HIT_SL),
        (Direction.LONG, 106.0, 96.0, Trigger.HIT_SL),  # both in one candle: stop-loss
        (Direction.SHORT, 102.0, 96.0, None),
        (Direction.SHORT, 102.0, 95.0, Trigger.HIT_TP),
        (Direction.SHORT, 103.0, 96.0, Trigger.HIT_SL),
        (Direction.SHORT, 104.0, 94.0, Trigger.HIT_SL),
    ],
)
def test_candle_hit(direction, high, low, expected):
    signal = make_signal(direction)
    assert candle_hit(direction, signal.stop_loss, signal.take_profit, high, low) is expected


def test_ids_are_deterministic():
    assert ActiveSignal.make_id("ETHUSDT", "1h", Direction.SHORT, 42) == "ETHUSDT:1h:SHORT:42"
    assert dataclasses.replace(make_signal()) == make_signal()
