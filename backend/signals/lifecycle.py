"""Signal lifecycle: the `(state, trigger) -> state` table, the records it moves, the events.

A signal is born ACTIVE (trigger CREATE from the pseudo-state NEW), may be UPDATEd any number of
times, and ends in exactly one terminal state:

    ============  ===========  ============  ==========================================
    state         trigger      next state    when (decided by the engine)
    ============  ===========  ============  ==========================================
    NEW           CREATE       ACTIVE        confidence >= min_confidence (70)
    ACTIVE        UPDATE       ACTIVE        confidence moved >= 5 points, or SL/TP moved
    ACTIVE        INVALIDATE   INVALIDATED   confidence < 70% of min_confidence (< 49)
    ACTIVE        EXPIRE       EXPIRED       now >= created_at + expiry (60 min)
    ACTIVE        HIT_TP       TP_HIT        a later candle reached take-profit (not SL)
    ACTIVE        HIT_SL       SL_HIT        a later candle reached stop-loss (also if
                                             it reached both: the order inside a candle
                                             is unknown, so we assume the worse)
    ============  ===========  ============  ==========================================

Every other pair raises `IllegalTransition`. Records are immutable: each transition returns a
new `ActiveSignal` and the `SignalEvent` to publish ('created' / 'updated' / 'deleted').

Outcome of a closed signal, in R (multiples of the risk |entry - stop_loss| in force at close):
tp_hit = +reward_risk, sl_hit = -1, expired / invalidated = mark-to-market at the exit price,
direction-signed: (exit - entry) / risk for LONG, (entry - exit) / risk for SHORT. Exits are at
the level itself (no slippage, no fees); the engine uses the close of the last candle it saw as
the exit price of an expired or invalidated signal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Direction(StrEnum):
    LONG = "LONG"
    SHORT = "SHORT"

    @property
    def sign(self) -> int:
        """+1 for LONG, -1 for SHORT: the sign of a profitable price move."""
        return 1 if self is Direction.LONG else -1


class SignalState(StrEnum):
    NEW = "new"  # a candidate not yet published; only CREATE leaves it
    ACTIVE = "active"
    INVALIDATED = "invalidated"
    EXPIRED = "expired"
    TP_HIT = "tp_hit"
    SL_HIT = "sl_hit"


class Trigger(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    INVALIDATE = "invalidate"
    EXPIRE = "expire"
    HIT_TP = "hit_tp"
    HIT_SL = "hit_sl"


class EventKind(StrEnum):
    """What the dashboard is told; maps to signal_created / signal_updated / signal_deleted."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


S, T = SignalState, Trigger
TRANSITIONS: Mapping[tuple[SignalState, Trigger], SignalState] = MappingProxyType(
    {
        (S.NEW, T.CREATE): S.ACTIVE,
        (S.ACTIVE, T.UPDATE): S.ACTIVE,
        (S.ACTIVE, T.INVALIDATE): S.INVALIDATED,
        (S.ACTIVE, T.EXPIRE): S.EXPIRED,
        (S.ACTIVE, T.HIT_TP): S.TP_HIT,
        (S.ACTIVE, T.HIT_SL): S.SL_HIT,
    }
)
TERMINAL_STATES: frozenset[SignalState] = frozenset(
    {S.INVALIDATED, S.EXPIRED, S.TP_HIT, S.SL_HIT}
)
CLOSING_TRIGGERS: frozenset[Trigger] = frozenset({T.INVALIDATE, T.EXPIRE, T.HIT_TP, T.HIT_SL})
del S, T


class LifecycleError(Exception):
    """Base of lifecycle errors. Permanent: they reveal a bug in the caller, never retry."""


class IllegalTransition(LifecycleError):
    """`trigger` is not allowed in `state` (e.g. updating a signal that already hit TP)."""

    def __init__(self, state: SignalState, trigger: Trigger) -> None:
        super().__init__(f"illegal signal transition: {trigger.value!r} from {state.value!r}")
        self.state = state
        self.trigger = trigger


def next_state(state: SignalState, trigger: Trigger) -> SignalState:
    """Look the transition up in `TRANSITIONS`; `IllegalTransition` if it is not there."""
    try:
        return TRANSITIONS[(state, trigger)]
    except KeyError:
        raise IllegalTransition(state, trigger) from None


@dataclass(frozen=True)
class ActiveSignal:
    """One signal as last published. Immutable; transitions return a new record.

    `id` is deterministic: f"{symbol}:{timeframe}:{direction}:{candle_open_time}", so replaying
    the same candles yields the same ids and a signal cannot be created twice from one candle.
    Prices are floats in quote currency; times are epoch milliseconds.
    """

    id: str
    symbol: str
    timeframe: str
    direction: Direction
    confidence: float  # last published confidence, 0-100
    entry: float  # close of the candle that created the signal; never moves
    stop_loss: float
    take_profit: float
    reward_risk: float  # |take_profit - entry| / |entry - stop_loss|
    conditions: tuple[str, ...]  # names of the conditions that held, in CONDITION_NAMES order
    snapshot: Mapping[str, float]  # indicator values (plain floats) behind `confidence`
    created_at: int
    updated_at: int
    candle_open_time: int  # open time of the candle that created the signal
    state: SignalState
    initial_confidence: float  # confidence at creation; outcomes are bucketed by it
    expires_at: int  # created_at + expiry

    @staticmethod
    def make_id(symbol: str, timeframe: str, direction: Direction, candle_open_time: int) -> str:
        return f"{symbol}:{timeframe}:{direction.value}:{candle_open_time}"


@dataclass(frozen=True)
class SignalOutcome:
    """How a closed signal ended; the input of `outcomes.py`."""

    signal_id: str
    symbol: str
    timeframe: str
    direction: Direction
    confidence: float  # the confidence the signal was created with
    reason: SignalState  # terminal state: invalidated / expired / tp_hit / sl_hit
    entry: float
    exit_price: float
    stop_loss: float
    take_profit: float
    r_multiple: float
    return_pct: float  # direction-signed (exit - entry) / entry * 100, before fees
    opened_at: int
    closed_at: int


@dataclass(frozen=True)
class SignalEvent:
    """A transition to publish. `reason` and `outcome` are set only for kind 'deleted'."""

    kind: EventKind
    signal: ActiveSignal
    at_ms: int
    reason: SignalState | None = None
    outcome: SignalOutcome | None = None


def r_multiple(direction: Direction, entry: float, stop_loss: float, exit_price: float) -> float:
    """Direction-signed profit of exiting at `exit_price`, in units of |entry - stop_loss|."""
    risk = abs(entry - stop_loss)
    if not risk > 0:
        raise ValueError(f"risk must be positive, got entry={entry} stop_loss={stop_loss}")
    return direction.sign * (exit_price - entry) / risk


def candle_hit(
    direction: Direction, stop_loss: float, take_profit: float, high: float, low: float
) -> Trigger | None:
    """HIT_SL / HIT_TP if a candle spanning [low, high] reached a level, else None.

    Touching a level counts. If the candle reached both, it is HIT_SL: a candle does not say
    which came first, so the conservative reading is taken.
    """
    if direction is Direction.LONG:
        sl, tp = low <= stop_loss, high >= take_profit
    else:
        sl, tp = high >= stop_loss, low <= take_profit
    if sl:
        return Trigger.HIT_SL
    if tp:
        return Trigger.HIT_TP
    return None


def signal_create(candidate: ActiveSignal, *, at_ms: int) -> tuple[ActiveSignal, SignalEvent]:
    """NEW -> ACTIVE. `candidate` must be in state NEW."""
    signal = dataclasses.replace(
        candidate, state=next_state(candidate.state, Trigger.CREATE), updated_at=at_ms
    )
    return signal, SignalEvent(EventKind.CREATED, signal, at_ms)


_UPDATABLE = frozenset(
    {"confidence", "conditions", "snapshot", "stop_loss", "take_profit", "reward_risk"}
)


def signal_update(
    signal: ActiveSignal, *, at_ms: int, **changes
) -> tuple[ActiveSignal, SignalEvent]:
    """ACTIVE -> ACTIVE with new confidence / conditions / snapshot / levels.

    The identity, entry and times of creation cannot change; passing them is a `TypeError`.
    """
    bad = set(changes) - _UPDATABLE
    if bad:
        raise TypeError(f"signal_update cannot change {sorted(bad)}")
    state = next_state(signal.state, Trigger.UPDATE)
    updated = dataclasses.replace(signal, state=state, updated_at=at_ms, **changes)
    return updated, SignalEvent(EventKind.UPDATED, updated, at_ms)


def signal_close(
    signal: ActiveSignal, trigger: Trigger, *, at_ms: int, exit_price: float
) -> tuple[ActiveSignal, SignalEvent]:
    """ACTIVE -> a terminal state, with the outcome.

    For HIT_TP / HIT_SL the exit is the level itself (`exit_price` is ignored) and R is exactly
    +reward_risk / -1; for INVALIDATE / EXPIRE, R is marked to market at `exit_price`.
    """
    if trigger not in CLOSING_TRIGGERS:
        raise ValueError(f"{trigger.value!r} does not close a signal")
    state = next_state(signal.state, trigger)
    if trigger is Trigger.HIT_TP:
        exit_price, r = signal.take_profit, signal.reward_risk
    elif trigger is Trigger.HIT_SL:
        exit_price, r = signal.stop_loss, -1.0
    else:
        r = r_multiple(signal.direction, signal.entry, signal.stop_loss, exit_price)
    closed = dataclasses.replace(signal, state=state, updated_at=at_ms)
    outcome = SignalOutcome(
        signal_id=signal.id,
        symbol=signal.symbol,
        timeframe=signal.timeframe,
        direction=signal.direction,
        confidence=signal.initial_confidence,
        reason=state,
        entry=signal.entry,
        exit_price=float(exit_price),
        stop_loss=signal.stop_loss,
        take_profit=signal.take_profit,
        r_multiple=float(r),
        return_pct=float(signal.direction.sign * (exit_price - signal.entry) / signal.entry * 100),
        opened_at=signal.created_at,
        closed_at=at_ms,
    )
    return closed, SignalEvent(EventKind.DELETED, closed, at_ms, reason=state, outcome=outcome)
