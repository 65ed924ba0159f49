"""Signal lifecycle: the `(state, trigger) -> state` table, the records it moves, the events.

A signal is born ACTIVE (trigger CREATE from the pseudo-state NEW), may be UPDATEd any number of
times, and ends in exactly one terminal state:

    ============  ===========  ============  ==========================================
    state         trigger      next state    when (decided by the engine)
    ============  ===========  ============  ==========================================
    NEW           CREATE       ACTIVE        confidence >= min_confidence (70)
    ACTIVE        UPDATE       ACTIVE        confidence moved >= 5 points, or SL/TP moved
    ACTIVE        INVALIDATE   INVALIDATED   confidence < 70% of min_confidence (< 49)
    ACTIVE        EXPIRE       EXPIRED       now >= expires_at: the close of the Nth candle
                                             after the creating one (N = expiry_candles)
    ACTIVE        HIT_TP       TP_HIT        a later candle reached take-profit (not SL)
    ACTIVE        HIT_SL       SL_HIT        a later candle reached stop-loss (also if
                                             it reached both: the order inside a candle
                                             is unknown, so we assume the worse)
    ACTIVE        MARK_STALE   STALE         no engine saw it by its expiry on the wall
                                             clock (all paths down): no outcome, left
                                             out of the statistics
    ============  ===========  ============  ==========================================

Every other pair raises `IllegalTransition`. Records are immutable: each transition returns a
new `ActiveSignal` and the `SignalEvent` to publish ('created' / 'updated' / 'deleted').

Outcome of a closed signal: `brackets.py` measures it on the bracket shown at creation (the
headline R, net of fees and slippage) and on the trailed bracket. The lifecycle's own exit is the
level itself for tp_hit / sl_hit, and the close of the last candle it saw for an expired or
invalidated signal. Times are the exchange's clock (epoch ms), never the wall clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from .brackets import Costs, Excursion, trade_result


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
    STALE = "stale"  # closed by the wall-clock sweep; no outcome


class Trigger(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    INVALIDATE = "invalidate"
    EXPIRE = "expire"
    HIT_TP = "hit_tp"
    HIT_SL = "hit_sl"
    MARK_STALE = "mark_stale"


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
        (S.ACTIVE, T.MARK_STALE): S.STALE,
    }
)
TERMINAL_STATES: frozenset[SignalState] = frozenset(
    {S.INVALIDATED, S.EXPIRED, S.TP_HIT, S.SL_HIT, S.STALE}
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
    expires_at: int  # close of the expiry_candles-th candle after the creating one
    # The bracket shown at creation (never trailed); defaults to stop_loss / take_profit.
    initial_stop_loss: float | None = None
    initial_take_profit: float | None = None

    def __post_init__(self) -> None:
        if self.initial_stop_loss is None:
            object.__setattr__(self, "initial_stop_loss", self.stop_loss)
        if self.initial_take_profit is None:
            object.__setattr__(self, "initial_take_profit", self.take_profit)

    @staticmethod
    def make_id(symbol: str, timeframe: str, direction: Direction, candle_open_time: int) -> str:
        return f"{symbol}:{timeframe}:{direction.value}:{candle_open_time}"


@dataclass(frozen=True)
class SignalOutcome:
    """How a closed signal ended; the input of `outcomes.py`. See `brackets.py` for the measures.

    Fields after `closed_at` default to the plain reading of the ones before (no costs, creation
    bracket = levels at close), so a record built by hand needs only the first fourteen.
    """

    signal_id: str
    symbol: str
    timeframe: str
    direction: Direction
    confidence: float  # the score the signal was created with
    reason: SignalState  # terminal state: invalidated / expired / tp_hit / sl_hit
    entry: float
    exit_price: float  # where the signal closed (trailed level, or close of the last candle)
    stop_loss: float  # levels in force at close (trailed)
    take_profit: float
    r_multiple: float  # headline: net R on the creation bracket
    return_pct: float  # net, creation bracket, direction-signed % of entry
    opened_at: int  # exchange clock, ms
    closed_at: int  # exchange clock, ms
    close_rule: str = ""  # "tp_hit", "sl_hit", "expired after 12 candles", "invalidated at score 42.5"
    r_gross: float | None = None
    fees_r: float = 0.0
    r_trailed: float | None = None  # net, trailed bracket, in the risk in force at close
    r_trailed_gross: float | None = None
    mfe_r: float | None = None
    mae_r: float | None = None
    mfe_pct: float | None = None
    mae_pct: float | None = None
    tp_first: bool | None = None  # the creation take-profit was reached before its stop-loss
    sl_first: bool | None = None
    initial_stop_loss: float | None = None
    initial_take_profit: float | None = None
    creation_exit_price: float | None = None

    def __post_init__(self) -> None:
        defaults = {
            "close_rule": self.reason.value, "r_gross": self.r_multiple, "r_trailed": self.r_multiple,
            "r_trailed_gross": self.r_multiple, "tp_first": self.reason is SignalState.TP_HIT,
            "sl_first": self.reason is SignalState.SL_HIT, "initial_stop_loss": self.stop_loss,
            "initial_take_profit": self.take_profit, "creation_exit_price": self.exit_price,
        }  # fmt: skip
        for name, value in defaults.items():
            if getattr(self, name) in (None, ""):
                object.__setattr__(self, name, value)


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


def _evolve(signal: ActiveSignal, **changes) -> ActiveSignal:
    """`dataclasses.replace` for a record already built (its `__post_init__` defaults are set, so
    running it again changes nothing): a copy with `changes`. About 5x cheaper; a backtest makes
    ~10^5 transitions. Callers pass only field names (signal_update checks its own)."""
    new = object.__new__(ActiveSignal)
    new.__dict__.update(signal.__dict__, **changes)  # a frozen dataclass keeps its fields in __dict__
    return new


def signal_create(candidate: ActiveSignal, *, at_ms: int) -> tuple[ActiveSignal, SignalEvent]:
    """NEW -> ACTIVE. `candidate` must be in state NEW."""
    signal = _evolve(candidate, state=next_state(candidate.state, Trigger.CREATE), updated_at=at_ms)
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
    updated = _evolve(signal, state=state, updated_at=at_ms, **changes)
    return updated, SignalEvent(EventKind.UPDATED, updated, at_ms)


def signal_close(
    signal: ActiveSignal, trigger: Trigger, *, at_ms: int, exit_price: float,
    excursion: Excursion | None = None, costs: Costs = Costs(), rule: str = "",
) -> tuple[ActiveSignal, SignalEvent]:  # fmt: skip
    """ACTIVE -> a terminal state, with the outcome.

    For HIT_TP / HIT_SL the exit is the level itself (`exit_price` is ignored) and the trailed R
    is exactly +reward_risk / -1; for INVALIDATE / EXPIRE it is marked to market at
    `exit_price`. `excursion`: the candles the signal lived through (if omitted, only the exit
    price is known to have been reached);
    `costs`: fees and slippage; `rule`: what closed it, in words (default: the state's name).
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
    closed = _evolve(signal, state=state, updated_at=at_ms)
    if excursion is None:  # no candles given: the exit price is the only price known reached
        excursion = Excursion.start(signal.entry)
        excursion.add(signal.direction.sign, max(signal.entry, exit_price), min(signal.entry, exit_price),
                      signal.initial_stop_loss, signal.initial_take_profit)
    result = trade_result(
        sign=signal.direction.sign, entry=signal.entry, stop0=signal.initial_stop_loss,
        take0=signal.initial_take_profit, stop=signal.stop_loss, exit_price=float(exit_price),
        trailed_r_gross=float(r), excursion=excursion, costs=costs,
    )  # fmt: skip
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
        r_multiple=result.r,
        return_pct=result.return_pct,
        opened_at=signal.created_at,
        closed_at=at_ms,
        close_rule=rule or state.value, r_gross=result.r_gross, fees_r=result.fees_r,
        r_trailed=result.r_trailed, r_trailed_gross=result.r_trailed_gross,
        mfe_r=result.mfe_r, mae_r=result.mae_r, mfe_pct=result.mfe_pct, mae_pct=result.mae_pct,
        tp_first=result.tp_first, sl_first=result.sl_first,
        initial_stop_loss=signal.initial_stop_loss, initial_take_profit=signal.initial_take_profit,
        creation_exit_price=result.creation_exit,
    )
    return closed, SignalEvent(EventKind.DELETED, closed, at_ms, reason=state, outcome=outcome)
