"""A scorer whose confidences the test writes into the candles, to drive the lifecycle exactly.

Each candle carries its own score: the `open` column is the LONG confidence and the `volume`
column the SHORT confidence (the engine itself only reads time, high, low and close). ATR is
`ScriptedScorer.atr`. Everything else about the engine (levels, hits, expiry, updates) is real.
"""

from __future__ import annotations

import numpy as np

from signals.conditions import SNAPSHOT_KEYS, ScoreBatch
from signals.config import CONDITION_NAMES, SignalConfig

T0 = 1_700_000_100_000 // 300_000 * 300_000  # a 5m-aligned open time
TF = 300_000
HOUR = 3_600_000


class ScriptedScorer:
    def __init__(self, atr: float = 1.0) -> None:
        self.atr = atr
        self.calls: list[int] = []  # number of symbols scored per call

    def __call__(self, open_, high, low, close, volume, config: SignalConfig) -> ScoreBatch:
        n = close.shape[0]
        self.calls.append(n)
        long_conf = open_[:, -1].astype(float)
        short_conf = volume[:, -1].astype(float)
        values = {k: np.zeros(n) for k in SNAPSHOT_KEYS}
        values["close"] = close[:, -1].astype(float)
        values["atr"] = np.full(n, self.atr)
        k = len(CONDITION_NAMES)
        # Mark the first conditions as met in proportion to the confidence (names only).
        long_met = np.arange(k)[None, :] < np.round(long_conf / 100 * k)[:, None]
        short_met = np.arange(k)[None, :] < np.round(short_conf / 100 * k)[:, None]
        return ScoreBatch(
            ready=np.ones(n, dtype=bool), long_met=long_met, short_met=short_met,
            long_confidence=long_conf, short_confidence=short_conf, values=values,
        )  # fmt: skip


def candle(i: int, close: float = 100.0, *, long: float = 0.0, short: float = 0.0,
           high: float | None = None, low: float | None = None) -> tuple:  # fmt: skip
    """Row for the i-th 5m candle after T0 with scripted confidences."""
    high = close + 0.5 if high is None else high
    low = close - 0.5 if low is None else low
    return (T0 + i * TF, long, high, low, close, short)


def history(n: int = 200) -> list[tuple]:
    """`n` quiet candles, confidence 0: enough for the engine to start scoring."""
    return [candle(i) for i in range(n)]


def close_time(i: int) -> int:
    return T0 + (i + 1) * TF
