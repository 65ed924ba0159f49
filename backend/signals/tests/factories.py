"""Engine records and events for service/API tests, built with the real lifecycle functions."""
from __future__ import annotations

from signals.lifecycle import ActiveSignal, Direction, SignalState, Trigger, signal_close, signal_create, signal_update

T0 = 1_766_000_000_000  # an epoch-ms candle open time inside the recorded data's window


def candidate(symbol="BTCUSDT", timeframe="5m", direction=Direction.LONG, open_time=T0, confidence=80.0,
              entry=100.0, atr=2.0) -> ActiveSignal:
    sign = direction.sign
    created = open_time + 300_000
    return ActiveSignal(
        id=ActiveSignal.make_id(symbol, timeframe, direction, open_time), symbol=symbol, timeframe=timeframe,
        direction=direction, confidence=confidence, entry=entry, stop_loss=entry - sign * 1.5 * atr,
        take_profit=entry + sign * 2.5 * atr, reward_risk=2.5 / 1.5, conditions=("rsi_band", "trend_ema50"),
        snapshot={"close": entry, "atr": atr}, created_at=created, updated_at=created, candle_open_time=open_time,
        state=SignalState.NEW, initial_confidence=confidence, expires_at=created + 3_600_000,
    )


def created(**kwargs):
    return signal_create(candidate(**kwargs), at_ms=T0 + 300_000)


def updated(signal: ActiveSignal, *, confidence: float, minutes: int = 5):
    return signal_update(signal, at_ms=signal.updated_at + minutes * 60_000, confidence=confidence)


def closed(signal: ActiveSignal, trigger: Trigger, *, exit_price: float | None = None, minutes: int = 10):
    return signal_close(signal, trigger, at_ms=signal.updated_at + minutes * 60_000,
                        exit_price=exit_price if exit_price is not None else signal.entry)
