"""Golden cases from the recorded candles: where each rule fires, and signals being created.

The windows were found by `find_golden.py` (rerun it to regenerate the tables if a rule or a
default changes on purpose). Each case is checked three ways: the engine's vectorised path on the
window alone, the same windows stacked into one 2-D batch, and a plain scalar reading of the
eight rules on TA-Lib's indicators (the reference implementation traders trust).
"""

from __future__ import annotations

import numpy as np
import pytest
import talib

from signals.config import CONDITION_NAMES, SignalConfig
from signals.engine import SignalDetectionEngine, score_candles
from signals.lifecycle import Direction, EventKind

from .find_golden import ENGINE_CANDLES, WINDOW
from .klines import load_klines, window

CONFIG = SignalConfig()

# label: (symbol, last candle open time, LONG conditions, LONG confidence,
#         SHORT conditions, SHORT confidence)
WINDOW_CASES = {  # fmt: skip
    'LONG:macd_cross': ('1000PEPEUSDT', 1766022300000, ('macd_cross', 'heikin_ashi'), 30.0, ('rsi_band', 'trend_ema50', 'ema_fast_slow', 'adx_trend', 'trend_ema200'), 60.0),
    'SHORT:macd_cross': ('AVAXUSDT', 1766027400000, ('ema_fast_slow',), 10.0, ('macd_cross', 'rsi_band', 'trend_ema50', 'adx_trend', 'trend_ema200', 'heikin_ashi', 'bollinger_volume'), 90.0),
    'LONG:rsi_band': ('DOGEUSDT', 1766019300000, ('rsi_band', 'trend_ema50', 'ema_fast_slow'), 35.0, ('trend_ema200', 'heikin_ashi'), 20.0),
    'SHORT:rsi_band': ('HUSDT', 1766019600000, ('ema_fast_slow', 'trend_ema200'), 20.0, ('rsi_band', 'trend_ema50', 'heikin_ashi'), 35.0),
    'LONG:trend_ema50': ('OPUSDT', 1766023800000, ('macd_cross', 'rsi_band', 'trend_ema50', 'heikin_ashi', 'bollinger_volume'), 65.0, ('ema_fast_slow', 'adx_trend', 'trend_ema200'), 35.0),
    'SHORT:trend_ema50': ('SUIUSDT', 1766019300000, ('rsi_band', 'ema_fast_slow', 'heikin_ashi'), 30.0, ('trend_ema50', 'trend_ema200'), 25.0),
    'LONG:ema_fast_slow': ('UNIUSDT', 1766019300000, ('macd_cross', 'rsi_band', 'trend_ema50', 'ema_fast_slow', 'heikin_ashi'), 65.0, ('trend_ema200',), 10.0),
    'SHORT:ema_fast_slow': ('XVGUSDT', 1766019300000, ('macd_cross', 'heikin_ashi'), 30.0, ('rsi_band', 'trend_ema50', 'ema_fast_slow', 'adx_trend', 'trend_ema200'), 60.0),
    'LONG:adx_trend': ('AUCTIONUSDT', 1766023800000, ('macd_cross', 'rsi_band', 'trend_ema50', 'adx_trend', 'heikin_ashi', 'bollinger_volume'), 80.0, ('ema_fast_slow', 'trend_ema200'), 20.0),
    'SHORT:adx_trend': ('CYBERUSDT', 1766021700000, (), 0.0, ('rsi_band', 'trend_ema50', 'ema_fast_slow', 'adx_trend', 'trend_ema200', 'heikin_ashi', 'bollinger_volume'), 80.0),
    'LONG:trend_ema200': ('HBARUSDT', 1766061300000, ('macd_cross', 'rsi_band', 'trend_ema50', 'ema_fast_slow', 'trend_ema200', 'heikin_ashi'), 75.0, (), 0.0),
    'SHORT:trend_ema200': ('ONTUSDT', 1766019300000, ('rsi_band', 'trend_ema50', 'ema_fast_slow', 'adx_trend', 'heikin_ashi'), 60.0, ('trend_ema200',), 10.0),
    'LONG:heikin_ashi': ('SQDUSDT', 1766019300000, ('rsi_band', 'trend_ema50', 'ema_fast_slow', 'adx_trend', 'heikin_ashi'), 60.0, ('trend_ema200',), 10.0),
    'SHORT:heikin_ashi': ('TSTUSDT', 1766019600000, (), 0.0, ('rsi_band', 'trend_ema50', 'ema_fast_slow', 'adx_trend', 'trend_ema200', 'heikin_ashi', 'bollinger_volume'), 80.0),
    'LONG:bollinger_volume': ('XRPUSDT', 1766019300000, ('rsi_band', 'trend_ema50', 'ema_fast_slow', 'heikin_ashi', 'bollinger_volume'), 55.0, ('trend_ema200',), 10.0),
    'SHORT:bollinger_volume': ('ARBUSDT', 1766022600000, (), 0.0, ('rsi_band', 'trend_ema50', 'ema_fast_slow', 'adx_trend', 'trend_ema200', 'heikin_ashi', 'bollinger_volume'), 80.0),
    'LONG:100': ('CRVUSDT', 1766076300000, ('macd_cross', 'rsi_band', 'trend_ema50', 'ema_fast_slow', 'adx_trend', 'trend_ema200', 'heikin_ashi', 'bollinger_volume'), 100.0, (), 0.0),
    'LONG:70': ('FILUSDT', 1766041200000, ('rsi_band', 'trend_ema50', 'ema_fast_slow', 'adx_trend', 'heikin_ashi', 'bollinger_volume'), 70.0, ('trend_ema200',), 10.0),
    'SHORT:100': ('NEARUSDT', 1766109900000, (), 0.0, ('macd_cross', 'rsi_band', 'trend_ema50', 'ema_fast_slow', 'adx_trend', 'trend_ema200', 'heikin_ashi', 'bollinger_volume'), 100.0),
    'SHORT:70': ('SOLUSDT', 1766036100000, (), 0.0, ('trend_ema50', 'ema_fast_slow', 'adx_trend', 'trend_ema200', 'heikin_ashi', 'bollinger_volume'), 70.0),
}

# symbol: {direction: (id, confidence, conditions, entry, stop_loss, take_profit,
#                     how it ended, R)}
ENGINE_CASES = {  # fmt: skip
    'BTCUSDT': {'LONG': ('BTCUSDT:5m:LONG:1766016000000', 75.0, ('macd_cross', 'rsi_band', 'trend_ema50', 'ema_fast_slow', 'heikin_ashi', 'bollinger_volume'), 86159.8, 85964.97139530473, 86484.51434115878, 'invalidated', -0.4684045960767499), 'SHORT': ('BTCUSDT:5m:SHORT:1765989300000', 70.0, ('rsi_band', 'trend_ema50', 'ema_fast_slow', 'adx_trend', 'trend_ema200', 'heikin_ashi'), 86403.2, 87168.46869638427, 85127.75217269288, 'sl_hit', -1.0)},
    'ETHUSDT': {'LONG': ('ETHUSDT:5m:LONG:1766015700000', 75.0, ('macd_cross', 'rsi_band', 'trend_ema50', 'ema_fast_slow', 'heikin_ashi', 'bollinger_volume'), 2832.0, 2823.317074309944, 2846.47154281676, 'invalidated', -0.5792978288137083), 'SHORT': ('ETHUSDT:5m:SHORT:1765991100000', 70.0, ('rsi_band', 'trend_ema50', 'ema_fast_slow', 'adx_trend', 'trend_ema200', 'heikin_ashi'), 2846.66, 2877.6998604849327, 2794.926899191779, 'sl_hit', -1.0)},
    'SOLUSDT': {'LONG': ('SOLUSDT:5m:LONG:1766023800000', 75.0, ('macd_cross', 'rsi_band', 'trend_ema50', 'ema_fast_slow', 'heikin_ashi', 'bollinger_volume'), 123.71, 123.19988967368715, 124.56018387718807, 'invalidated', -0.45660549441925335), 'SHORT': ('SOLUSDT:5m:SHORT:1765989600000', 70.0, ('trend_ema50', 'ema_fast_slow', 'adx_trend', 'trend_ema200', 'heikin_ashi', 'bollinger_volume'), 124.28, 125.89994795816071, 121.58008673639881, 'expired', 0.8551271022868121)},
}


def reference_score(rows: np.ndarray, config: SignalConfig = CONFIG):
    """The eight rules read literally, one window, TA-Lib indicators, plain Python."""
    o, h, lo, c, v = (np.ascontiguousarray(rows[:, k]) for k in range(1, 6))
    n = len(c)
    close = c[-1]
    ema9, ema21, ema50, ema200 = (talib.EMA(c, p)[-1] for p in (9, 21, 50, 200))
    rsi = talib.RSI(c, 14)[-1]
    macd, signal, _ = talib.MACD(c, 12, 26, 9)
    adx = talib.ADX(h, lo, c, 14)[-1]
    plus_di, minus_di = talib.PLUS_DI(h, lo, c, 14)[-1], talib.MINUS_DI(h, lo, c, 14)[-1]
    upper, middle, lower = (x[-1] for x in talib.BBANDS(c, 20, 2.0, 2.0, 0))
    volume_mean = talib.SMA(v, 20)[-1]
    ha_close = (o + h + lo + c) / 4
    ha_open = (o[0] + c[0]) / 2
    for t in range(1, n):
        ha_open = (ha_open + ha_close[t - 1]) / 2

    recent = range(n - config.macd_cross_lookback, n)
    crossed_up = any(macd[k - 1] <= signal[k - 1] and macd[k] > signal[k] for k in recent)
    crossed_down = any(macd[k - 1] >= signal[k - 1] and macd[k] < signal[k] for k in recent)
    long = {
        "macd_cross": crossed_up and macd[-1] > signal[-1],
        "rsi_band": config.rsi_long_min <= rsi <= config.rsi_long_max,
        "trend_ema50": close > ema50,
        "ema_fast_slow": ema9 > ema21,
        "adx_trend": adx >= config.adx_min and plus_di > minus_di,
        "trend_ema200": close > ema200,
        "heikin_ashi": ha_close[-1] > ha_open,
        "bollinger_volume": middle < close < upper and v[-1] > volume_mean,
    }
    short = {
        "macd_cross": crossed_down and macd[-1] < signal[-1],
        "rsi_band": config.rsi_short_min <= rsi <= config.rsi_short_max,
        "trend_ema50": close < ema50,
        "ema_fast_slow": ema9 < ema21,
        "adx_trend": adx >= config.adx_min and minus_di > plus_di,
        "trend_ema200": close < ema200,
        "heikin_ashi": ha_close[-1] < ha_open,
        "bollinger_volume": lower < close < middle and v[-1] > volume_mean,
    }
    total = sum(config.weights.values())

    def score(met):
        names = tuple(name for name in CONDITION_NAMES if met[name])
        return names, 100 * sum(config.weights[name] for name in names) / total

    return (*score(long), *score(short))


@pytest.mark.parametrize("label", list(WINDOW_CASES))
def test_window_case(label):
    symbol, open_time, long_names, long_conf, short_names, short_conf = WINDOW_CASES[label]
    rows = window(symbol, open_time, WINDOW)
    batch = score_candles(*(rows[:, k] for k in range(1, 6)), CONFIG)
    assert batch.ready[0]
    assert batch.conditions_met(0, True) == long_names
    assert batch.conditions_met(0, False) == short_names
    assert (batch.long_confidence[0], batch.short_confidence[0]) == (long_conf, short_conf)
    direction, what = label.split(":")
    names = long_names if direction == "LONG" else short_names
    assert what in names or (long_conf if direction == "LONG" else short_conf) == float(what)


@pytest.mark.parametrize("label", list(WINDOW_CASES))
def test_window_case_matches_scalar_reference_on_talib(label):
    symbol, open_time, long_names, long_conf, short_names, short_conf = WINDOW_CASES[label]
    names_l, conf_l, names_s, conf_s = reference_score(window(symbol, open_time, WINDOW))
    assert (names_l, names_s) == (long_names, short_names)
    assert (conf_l, conf_s) == pytest.approx((long_conf, short_conf))


def test_all_cases_in_one_batch_match_one_by_one():
    cases = list(WINDOW_CASES.values())
    stacked = np.stack([window(symbol, t, WINDOW) for symbol, t, *_ in cases])
    batch = score_candles(*(np.ascontiguousarray(stacked[:, :, k]) for k in range(1, 6)), CONFIG)
    for i, (_, _, long_names, long_conf, short_names, short_conf) in enumerate(cases):
        assert batch.conditions_met(i, True) == long_names
        assert batch.conditions_met(i, False) == short_names
        assert (batch.long_confidence[i], batch.short_confidence[i]) == (long_conf, short_conf)


@pytest.mark.parametrize("label", ["LONG:100", "SHORT:100", "LONG:70", "SHORT:70"])
def test_engine_creates_the_signal_of_a_golden_window(label):
    symbol, open_time, *_ = WINDOW_CASES[label]
    direction = Direction(label.split(":")[0])
    rows = window(symbol, open_time, WINDOW)
    engine = SignalDetectionEngine(CONFIG)
    engine.update_candles(symbol, "5m", rows)
    [event] = engine.process_symbol(symbol, "5m")
    s = event.signal
    assert event.kind is EventKind.CREATED and s.direction is direction
    assert s.id == f"{symbol}:5m:{direction.value}:{open_time}"
    assert s.confidence == float(label.split(":")[1]) and s.created_at == open_time + 300_000
    atr = talib.ATR(*(np.ascontiguousarray(rows[:, k]) for k in (2, 3, 4)), 14)[-1]
    entry = rows[-1, 4]
    assert s.entry == entry and s.snapshot["close"] == entry
    assert s.stop_loss == pytest.approx(entry - direction.sign * 1.5 * atr, rel=1e-12)
    assert s.take_profit == pytest.approx(entry + direction.sign * 2.5 * atr, rel=1e-12)
    assert s.reward_risk == pytest.approx(2.5 / 1.5)
    assert all(type(x) is float for x in s.snapshot.values())


@pytest.mark.parametrize("symbol", list(ENGINE_CASES))
def test_first_signals_when_fed_candle_by_candle(symbol):
    engine = SignalDetectionEngine(CONFIG)
    created, outcomes = {}, {}
    for row in load_klines(symbol)[:ENGINE_CANDLES]:
        engine.update_candles(symbol, "5m", row)
        for e in engine.process_symbol(symbol, "5m"):
            d = e.signal.direction.value
            if e.kind is EventKind.CREATED:
                created.setdefault(d, e.signal)
            elif e.kind is EventKind.DELETED and e.signal.id == created[d].id:
                outcomes[d] = e.outcome
    for d, (sid, conf, names, entry, sl, tp, reason, r) in ENGINE_CASES[symbol].items():
        s = created[d]
        assert (s.id, s.confidence, s.conditions, s.entry) == (sid, conf, names, entry)
        assert (s.stop_loss, s.take_profit) == pytest.approx((sl, tp), rel=1e-12)
        assert outcomes[d].reason.value == reason
        # The reference R is the lifecycle's: levels in force at close, before costs.
        assert outcomes[d].r_trailed_gross == pytest.approx(r, rel=1e-9)
