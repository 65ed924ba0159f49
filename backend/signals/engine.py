"""`SignalDetectionEngine`: candle cache + vectorised scoring + signal lifecycle. Pure.

The engine keeps the last `cache_length` closed candles of every (symbol, timeframe) in a
bounded `collections.deque` (`candles.CandleCache`), scores the most recent closed candle of
many symbols at once (`indicators.compute_all` on 2-D arrays, then
`conditions.score_indicators`), and moves the active signals through the lifecycle table of
`lifecycle.py`, returning the events to publish.

Time is never read from a clock: every call takes `now_ms` (default: the close time of the
symbol's latest cached candle), so the same candles and calls always give the same events.

One step for one (symbol, timeframe), in this order:

1. each active signal (at most one per direction) is checked against every cached candle newer
   than the last one checked and closed by its expiry time: each adds to the signal's
   excursions (MFE / MAE, creation bracket; `brackets.py`), and the first candle that reaches
   the (trailed) stop-loss or take-profit closes it (both in one candle: stop-loss);
2. if `now_ms >= expires_at` (the close of the `expiry_candles`-th candle after the creating
   one) it expires, marked to market at the close of the last candle closed by `expires_at`;
3. otherwise it is re-scored on the latest candle: invalidated below 70% of the threshold, else
   updated if confidence moved >= `update_confidence_delta` points or SL/TP moved by
   >= `level_update_atr` ATRs (levels are re-anchored on the fixed entry with the latest ATR);
4. a direction with no active signal gets a new one if confidence >= `min_confidence`, unless
   a signal of that direction was already created from this candle or a later one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from indicators import compute_all

from .brackets import Costs, Excursion
from .candles import CLOSE, HIGH, LOW, OPEN_TIME, CandleCache, CandleInputError
from .conditions import ScoreBatch, score_indicators
from .config import MIN_HISTORY, SignalConfig
from .lifecycle import (
    ActiveSignal,
    Direction,
    SignalEvent,
    SignalState,
    Trigger,
    candle_hit,
    signal_close,
    signal_create,
    signal_update,
)

_DIRECTIONS = tuple(Direction)  # iterating the Enum itself costs ~2 µs a pass, on every candle

__all__ = [
    "ActiveSignal", "CandleInputError", "Direction", "SignalConfig", "SignalDetectionEngine",
    "SignalEvent", "levels", "score_candles",
]  # fmt: skip


def score_candles(
    open_: np.ndarray, high: np.ndarray, low: np.ndarray, close: np.ndarray,
    volume: np.ndarray, config: SignalConfig,
) -> ScoreBatch:  # fmt: skip
    """The vectorised path: indicators + scores of the last candle of every row.

    Arrays are (symbols, time) or 1-D for one symbol, oldest candle first.
    """
    indicators = compute_all(open_, high, low, close, volume)
    return score_indicators(indicators, close, volume, config)


Scorer = Callable[..., ScoreBatch]


def levels(
    direction: Direction, entry: float, atr: float, config: SignalConfig
) -> tuple[float, float, float]:
    """(stop_loss, take_profit, reward_risk) at sl_atr / tp_atr ATRs from `entry`."""
    stop_loss = entry - direction.sign * config.sl_atr * atr
    take_profit = entry + direction.sign * config.tp_atr * atr
    return stop_loss, take_profit, abs(take_profit - entry) / abs(entry - stop_loss)


class SignalDetectionEngine:
    """In-memory candle cache and active signals; see the module docstring for one step."""

    def __init__(
        self, config: SignalConfig | None = None, *, scorer: Scorer | None = None
    ) -> None:
        """`scorer` replaces `score_candles` (same signature), e.g. to script confidences in
        tests or to score with other indicators; the lifecycle rules stay the engine's."""
        self.config = config or SignalConfig()
        self._score = scorer or score_candles
        self._cache = CandleCache(self.config.cache_length)
        self._active: dict[tuple[str, str, Direction], ActiveSignal] = {}
        self._checked: dict[str, int] = {}  # signal id -> open time of last candle checked
        self._excursions: dict[str, Excursion] = {}  # signal id -> over the candles checked
        self._costs = Costs(self.config.fee_rate, self.config.slippage_bps)
        self._last_created: dict[tuple[str, str, Direction], int] = {}  # -> candle open time

    # -- candle cache -------------------------------------------------------------------

    def update_candles(
        self, symbol: str, timeframe: str, candles, *, now_ms: int | None = None
    ) -> int:
        """Append closed candles to the cache; return how many were new.

        `candles`: one row or many rows of (open_time_ms, open, high, low, close, volume), as
        a numpy array or a sequence of rows, in any order. Rows whose open time is not newer
        than the newest cached one (duplicates, late arrivals) are ignored. With `now_ms`,
        rows not yet closed at `now_ms` are ignored too, so a REST batch ending in the
        forming candle can be passed as it is. A malformed batch raises `CandleInputError`
        and changes nothing; an unconfigured timeframe raises `ValueError`.
        """
        tf_ms = self.config.timeframe_ms(timeframe)
        max_open_time = None if now_ms is None else now_ms - tf_ms  # closed by now_ms
        return self._cache.update(symbol, timeframe, candles, max_open_time=max_open_time)

    def candles(self, symbol: str, timeframe: str) -> np.ndarray:
        """Cached candles as a read-only (n, 6) array, oldest first (empty if none)."""
        return self._cache.array(symbol, timeframe)

    def cached_symbols(self, timeframe: str) -> list[str]:
        return self._cache.symbols(timeframe)

    # -- signals ------------------------------------------------------------------------

    def active_signals(self) -> list[ActiveSignal]:
        """Every active signal, ordered by id."""
        return sorted(self._active.values(), key=lambda s: s.id)

    def restore_signals(
        self, signals: Iterable[ActiveSignal], *, timeframe: str, symbols: Iterable[str]
    ) -> None:
        """Make `signals` the active set of (`symbols`, `timeframe`), replacing what the engine
        held for them: used when another store (the database) is the source of truth, so that
        several engines in several processes agree on which signals are active.

        Every restored signal is checked again from the candle after the one that created it
        (so its excursions and the hits are measured on the candles cached now, whichever
        engine saw it before).
        """
        scope = {(symbol, timeframe) for symbol in symbols}
        for key in [k for k in self._active if (k[0], k[1]) in scope]:
            signal_id = self._active.pop(key).id
            self._checked.pop(signal_id, None)
            self._excursions.pop(signal_id, None)
        for signal in signals:
            if (signal.symbol, signal.timeframe) not in scope or signal.state is not SignalState.ACTIVE:
                raise ValueError(f"cannot restore {signal.id} ({signal.state.value}) outside the given scope")
            key = (signal.symbol, signal.timeframe, signal.direction)
            self._active[key] = signal
            self._checked.setdefault(signal.id, signal.candle_open_time)
            self._excursions.setdefault(signal.id, Excursion.start(signal.entry))
            self._last_created[key] = max(self._last_created.get(key, -1), signal.candle_open_time)

    def get_signal(
        self, symbol: str, timeframe: str, direction: Direction
    ) -> ActiveSignal | None:
        return self._active.get((symbol, timeframe, Direction(direction)))

    def process_symbol(
        self, symbol: str, timeframe: str | None = None, *, now_ms: int | None = None
    ) -> list[SignalEvent]:
        """Detect a new signal or move the active ones of one symbol; return the events."""
        return self.process_batch([symbol], timeframe, now_ms=now_ms)

    def process_batch(
        self,
        symbols: Iterable[str] | None = None,
        timeframe: str | None = None,
        *,
        now_ms: int | None = None,
    ) -> list[SignalEvent]:
        """`process_symbol` for many symbols with one vectorised indicator + scoring pass.

        `symbols` defaults to every cached symbol of `timeframe` (sorted). Symbols with fewer
        than `MIN_HISTORY` (200) candles cached cannot be scored yet and are skipped. Events
        come in the order of `symbols`; for one symbol, changes to active signals come before
        creations.
        """
        timeframe = timeframe or self.config.default_timeframe
        tf_ms = self.config.timeframe_ms(timeframe)
        names = list(dict.fromkeys(symbols)) if symbols is not None else self.cached_symbols(
            timeframe
        )
        by_length: dict[int, list[str]] = {}
        for symbol in names:
            n = len(self.candles(symbol, timeframe))
            if n >= MIN_HISTORY:
                by_length.setdefault(n, []).append(symbol)
        scored: dict[str, tuple[ScoreBatch, int]] = {}
        for group in by_length.values():
            stacked = np.stack([self._cache.array(s, timeframe) for s in group])
            o, h, l, c, v = np.ascontiguousarray(stacked.transpose(2, 0, 1)[1:])  # noqa: E741
            batch = self._score(o, h, l, c, v, self.config)
            scored.update((s, (batch, i)) for i, s in enumerate(group))

        events: list[SignalEvent] = []
        for symbol in names:
            if symbol in scored:
                batch, i = scored[symbol]
                events += self._step(symbol, timeframe, tf_ms, batch, i, now_ms)
        return events

    def cleanup_expired_signals(self, now_ms: int) -> list[SignalEvent]:
        """Expire every active signal with `now_ms >= expires_at` (after checking the candles
        it has not seen yet for SL/TP, exactly as a step would). Events ordered by id."""
        events: list[SignalEvent] = []
        for signal in self.active_signals():
            if now_ms >= signal.expires_at:
                tf_ms = self.config.timeframe_ms(signal.timeframe)
                array = self.candles(signal.symbol, signal.timeframe)
                event = self._check_hits(signal, array, tf_ms) or self._expire(
                    signal, array, tf_ms
                )
                events.append(event)
        return events

    # -- one step -----------------------------------------------------------------------

    def _step(self, symbol, timeframe, tf_ms, batch: ScoreBatch, i: int, now_ms):
        array = self._cache.array(symbol, timeframe)
        candle_open = int(array[-1, OPEN_TIME])
        now = int(now_ms) if now_ms is not None else candle_open + tf_ms
        events = []
        for direction in _DIRECTIONS:
            signal = self._active.get((symbol, timeframe, direction))
            if signal is not None:
                event = self._check_hits(signal, array, tf_ms)
                if event is None and now >= signal.expires_at:
                    event = self._expire(signal, array, tf_ms)
                if event is None and batch.ready[i]:
                    event = self._rescore(signal, array, batch, i, now)
                if event is not None:
                    events.append(event)
        if not batch.ready[i]:
            return events
        for direction in _DIRECTIONS:
            key = (symbol, timeframe, direction)
            confidence = self._confidence(batch, i, direction)
            if (
                key not in self._active
                and confidence >= self.config.min_confidence
                and candle_open > self._last_created.get(key, -1)
            ):
                events.append(self._create(key, batch, i, candle_open, now))
        return events

    @staticmethod
    def _confidence(batch: ScoreBatch, i: int, direction: Direction) -> float:
        long = direction is Direction.LONG
        return float((batch.long_confidence if long else batch.short_confidence)[i])

    def _create(self, key, batch: ScoreBatch, i: int, candle_open: int, now: int) -> SignalEvent:
        symbol, timeframe, direction = key
        entry = float(batch.values["close"][i])
        stop_loss, take_profit, reward_risk = levels(
            direction, entry, float(batch.values["atr"][i]), self.config
        )
        confidence = self._confidence(batch, i, direction)
        # Times of a signal come from its candle, not from when a path got to it, so the scan
        # and the live path write the same signal whenever they run.
        closed_at = candle_open + self.config.timeframe_ms(timeframe)
        candidate = ActiveSignal(
            id=ActiveSignal.make_id(symbol, timeframe, direction, candle_open),
            symbol=symbol, timeframe=timeframe, direction=direction, confidence=confidence,
            entry=entry, stop_loss=stop_loss, take_profit=take_profit, reward_risk=reward_risk,
            conditions=batch.conditions_met(i, direction is Direction.LONG),
            snapshot=batch.snapshot(i), created_at=closed_at, updated_at=closed_at,
            candle_open_time=candle_open, state=SignalState.NEW, initial_confidence=confidence,
            expires_at=closed_at + self.config.expiry_span_ms(timeframe),
        )  # fmt: skip
        signal, event = signal_create(candidate, at_ms=closed_at)
        self._active[key] = signal
        self._checked[signal.id] = candle_open
        self._excursions[signal.id] = Excursion.start(entry)
        self._last_created[key] = candle_open
        return event

    def _check_hits(self, signal: ActiveSignal, array: np.ndarray, tf_ms: int):
        """Close on the first unchecked candle, closed by expiry, that reached SL or TP."""
        checked = self._checked[signal.id]
        excursion = self._excursions[signal.id]
        sign = signal.direction.sign
        start = int(array[:, OPEN_TIME].searchsorted(checked, side="right"))
        for row in array[start:]:
            if row[OPEN_TIME] + tf_ms > signal.expires_at:
                break
            self._checked[signal.id] = int(row[OPEN_TIME])
            excursion.add(sign, float(row[HIGH]), float(row[LOW]),
                          signal.initial_stop_loss, signal.initial_take_profit)
            trigger = candle_hit(
                signal.direction, signal.stop_loss, signal.take_profit, row[HIGH], row[LOW]
            )
            if trigger is not None:
                return self._close(signal, trigger, int(row[OPEN_TIME]) + tf_ms, row[CLOSE])
        return None

    def _expire(self, signal: ActiveSignal, array: np.ndarray, tf_ms: int) -> SignalEvent:
        """Expire at `expires_at`, marked to market at the close of the last candle closed by
        then (the entry itself if no candle after the signal's own closed in time)."""
        last = int(array[:, OPEN_TIME].searchsorted(signal.expires_at - tf_ms, "right")) - 1
        if last >= 0 and array[last, OPEN_TIME] > signal.candle_open_time:
            exit_price = array[last, CLOSE]
        else:
            exit_price = signal.entry
        candles = (signal.expires_at - signal.candle_open_time) // tf_ms - 1
        return self._close(signal, Trigger.EXPIRE, signal.expires_at, exit_price,
                           rule=f"expired after {candles} candles")

    def _rescore(self, signal, array, batch: ScoreBatch, i: int, now: int):
        config = self.config
        confidence = self._confidence(batch, i, signal.direction)
        if confidence < config.invalidation_confidence:
            return self._close(signal, Trigger.INVALIDATE, now, array[-1, CLOSE],
                               rule=f"invalidated at score {confidence:.1f}")
        atr = float(batch.values["atr"][i])
        stop_loss, take_profit, reward_risk = levels(signal.direction, signal.entry, atr, config)
        tolerance = config.level_update_atr * atr
        if (
            abs(confidence - signal.confidence) >= config.update_confidence_delta
            or abs(stop_loss - signal.stop_loss) >= tolerance
            or abs(take_profit - signal.take_profit) >= tolerance
        ):
            updated, event = signal_update(
                signal, at_ms=now, confidence=confidence,
                conditions=batch.conditions_met(i, signal.direction is Direction.LONG),
                snapshot=batch.snapshot(i), stop_loss=stop_loss, take_profit=take_profit,
                reward_risk=reward_risk,
            )  # fmt: skip
            self._active[(signal.symbol, signal.timeframe, signal.direction)] = updated
            return event
        return None

    def _close(self, signal: ActiveSignal, trigger: Trigger, at_ms: int, exit_price, rule=""):
        _, event = signal_close(
            signal, trigger, at_ms=at_ms, exit_price=float(exit_price),
            excursion=self._excursions.pop(signal.id), costs=self._costs, rule=rule,
        )  # fmt: skip
        del self._active[(signal.symbol, signal.timeframe, signal.direction)]
        del self._checked[signal.id]
        return event
