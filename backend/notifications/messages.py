"""What a notification says: the signal payload and the human text, built from Signal fields."""
from __future__ import annotations

from signals.models import Signal
from signals.services.calibration import signal_probability


def signal_payload(signal: Signal) -> dict:
    """The `signal` object of every notification (WebSocket event, webhook body)."""
    probability, _ = _probability(signal)
    return {
        "id": signal.id,
        "key": signal.key,
        "symbol": signal.symbol,
        "timeframe": signal.timeframe,
        "direction": signal.direction,
        "score": round(signal.confidence, 2),
        "probability": None if probability is None else probability.as_dict(),
        "entry": signal.entry,
        "stop_loss": signal.stop_loss,
        "take_profit": signal.take_profit,
    }


def signal_subject(signal: Signal) -> str:
    return f"{signal.direction} {signal.symbol} {signal.timeframe} - score {signal.confidence:.0f}"


def signal_message(signal: Signal) -> str:
    """One line a trader reads at a glance, e.g.
    `LONG BTCUSDT 5m, score 87, P(take-profit) 31% (27-35%, n=812): entry 65,000.00, stop-loss 64,500.00,
    take-profit 65,833.33 (R/R 1.67)`, or `..., score 87, P(take-profit) not enough history: ...`.
    The score is the weighted share of the conditions that hold, not a chance; the probability is
    the calibrated take-profit-first rate of past signals like it.
    """
    probability, _ = _probability(signal)
    if probability is None:
        chance = "P(take-profit) not enough history"
    else:
        chance = (f"P(take-profit) {probability.value:.0%} ({probability.low * 100:.0f}-"
                  f"{probability.high * 100:.0f}%, n={probability.n})")  # fmt: skip
    return (
        f"{signal.direction} {signal.symbol} {signal.timeframe}, score {signal.confidence:.0f}, {chance}: "
        f"entry {format_price(signal.entry)}, stop-loss {format_price(signal.stop_loss)}, "
        f"take-profit {format_price(signal.take_profit)} (R/R {signal.reward_risk:.2f})"
    )


def _probability(signal: Signal):
    return signal_probability(score=signal.initial_confidence, timeframe=signal.timeframe, direction=signal.direction)


def format_price(value: float) -> str:
    # Enough decimals for cheap coins (0.00001234) without printing 65000.00000000 for BTC.
    magnitude = abs(value)
    if magnitude >= 1000:
        decimals = 2
    elif magnitude >= 1:
        decimals = 4
    elif magnitude >= 0.01:
        decimals = 6
    else:
        decimals = 8
    return f"{value:,.{decimals}f}"
