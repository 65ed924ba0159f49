"""Find the golden windows pinned in test_golden.py (run it to regenerate the table).

    cd backend && ../.venv/bin/python -m signals.tests.find_golden

Scores every 300-candle window of every recorded pair and prints, for each of the sixteen
(condition, direction) rules, the first window where the rule holds while the other direction
is not a signal (each search starting at a different pair), plus the first windows that create
a LONG and a SHORT signal at 100 and at exactly 70 points, and the first engine-created LONG
and SHORT of the pairs in ENGINE_PAIRS.
Only windows where no compared pair of values is within rounding distance are eligible, so
the pinned conditions cannot flip on a last-bit change in an indicator.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from indicators import compute_all
from signals.conditions import score_indicators
from signals.config import CONDITION_NAMES, SignalConfig
from signals.engine import SignalDetectionEngine
from signals.lifecycle import EventKind

from .klines import all_symbols, load_klines

WINDOW = 300
ENGINE_PAIRS = ("BTCUSDT", "ETHUSDT", "SOLUSDT")
ENGINE_CANDLES = 700  # enough for both directions in these pairs, short enough for a test


def robust(ind: dict, close, volume, config: SignalConfig) -> np.ndarray:
    """Windows whose every comparison has a margin far above floating-point noise."""
    atr = ind["atr"][:, -1]
    tol = 1e-6 * atr
    lb = config.macd_cross_lookback + 1
    ok = np.all(np.abs(ind["macd"][:, -lb:] - ind["macd_signal"][:, -lb:]) > tol[:, None], axis=1)
    c = close[:, -1]
    for other in ("ema50", "ema200", "bb_middle", "bb_upper", "bb_lower"):
        ok &= np.abs(c - ind[other][:, -1]) > tol
    ok &= np.abs(ind["ema9"][:, -1] - ind["ema21"][:, -1]) > tol
    ok &= np.abs(ind["ha_close"][:, -1] - ind["ha_open"][:, -1]) > tol
    for level in (config.rsi_short_min, config.rsi_long_min, config.rsi_long_max):
        ok &= np.abs(ind["rsi"][:, -1] - level) > 1e-6
    ok &= np.abs(ind["adx"][:, -1] - config.adx_min) > 1e-6
    ok &= np.abs(ind["plus_di"][:, -1] - ind["minus_di"][:, -1]) > 1e-6
    ok &= np.abs(volume[:, -1] / ind["volume_sma20"][:, -1] - 1) > 1e-6
    return ok


def windows_of(symbol: str, config: SignalConfig):
    rows = load_klines(symbol)
    views = [sliding_window_view(rows[:, k], WINDOW) for k in range(6)]
    times, o, h, lo, c, v = (np.ascontiguousarray(x) for x in views)
    ind = compute_all(o, h, lo, c, v)
    batch = score_indicators(ind, c, v, config)
    return times[:, -1].astype(np.int64), batch, batch.ready & robust(ind, c, v, config)


def case(symbol, open_time, batch, i) -> tuple:
    return (symbol, int(open_time), batch.conditions_met(i, True), float(batch.long_confidence[i]),
            batch.conditions_met(i, False), float(batch.short_confidence[i]))  # fmt: skip


def find_cases(config: SignalConfig) -> dict[str, tuple]:
    wanted = [f"{d}:{name}" for name in CONDITION_NAMES for d in ("LONG", "SHORT")]
    wanted += ["LONG:100", "LONG:70", "SHORT:100", "SHORT:70"]
    symbols = all_symbols()
    scored = {symbol: windows_of(symbol, config) for symbol in symbols}
    found: dict[str, tuple] = {}
    for j, label in enumerate(wanted):
        direction, what = label.split(":")
        long = direction == "LONG"
        # Start each search at a different pair so the cases spread over the market.
        for symbol in symbols[j * 7 % len(symbols):] + symbols[: j * 7 % len(symbols)]:
            times, batch, ok = scored[symbol]
            met = batch.long_met if long else batch.short_met
            conf = batch.long_confidence if long else batch.short_confidence
            other = batch.short_confidence if long else batch.long_confidence
            if what.isdigit():
                hits = ok & (conf == float(what))
            else:
                hits = ok & met[:, CONDITION_NAMES.index(what)] & (other < config.min_confidence)
            if hits.any():
                i = int(np.argmax(hits))
                found[label] = case(symbol, times[i], batch, i)
                break
    return found


def first_engine_signals(symbol: str, config: SignalConfig) -> dict[str, tuple]:
    """First created LONG and SHORT when the pair's candles are fed one by one, and how they
    ended: (id, confidence, conditions, entry, stop_loss, take_profit, reason, r_multiple)."""
    engine = SignalDetectionEngine(config)
    created, closed = {}, {}
    for row in load_klines(symbol)[:ENGINE_CANDLES]:
        engine.update_candles(symbol, "5m", row)
        for e in engine.process_symbol(symbol, "5m"):
            d = e.signal.direction.value
            if e.kind is EventKind.CREATED and d not in created:
                created[d] = e.signal
            elif e.kind is EventKind.DELETED and d in created and e.signal.id == created[d].id:
                closed[d] = e.outcome
    return {
        d: (s.id, s.confidence, s.conditions, s.entry, s.stop_loss, s.take_profit,
            closed[d].reason.value if d in closed else None,
            closed[d].r_multiple if d in closed else None)
        for d, s in sorted(created.items())
    }  # fmt: skip


def main() -> None:
    config = SignalConfig()
    print("WINDOW_CASES = {")
    for label, value in find_cases(config).items():
        print(f"    {label!r}: {value!r},")
    print("}\nENGINE_CASES = {")
    for symbol in ENGINE_PAIRS:
        print(f"    {symbol!r}: {first_engine_signals(symbol, config)!r},")
    print("}")


if __name__ == "__main__":
    main()
