"""`SignalConfig` defaults are the published rules, and bad values fail at construction."""

from __future__ import annotations

import dataclasses

import pytest

from signals.config import CONDITION_NAMES, DEFAULT_WEIGHTS, SignalConfig


def test_defaults_are_the_published_rules():
    c = SignalConfig()
    assert (c.min_confidence, c.invalidation_confidence, c.update_confidence_delta) == (70, 49, 5)
    assert (c.sl_atr, c.tp_atr, c.expiry_candles) == (1.5, 2.5, 12)
    assert c.expiry_span_ms("5m") == 3_600_000 and c.expiry_span_ms("4h") == 48 * 3_600_000
    assert (c.fee_rate, c.slippage_bps) == (0.0005, 0.0)  # USD-M taker fee, each side
    assert (c.rsi_long_min, c.rsi_long_max, c.rsi_short_min, c.rsi_short_max) == (50, 70, 30, 50)
    assert (c.adx_min, c.macd_cross_lookback, c.cache_length) == (20, 3, 1000)
    assert c.timeframes == ("5m", "15m", "1h", "4h") and c.default_timeframe == "5m"
    assert tuple(c.weights) == CONDITION_NAMES and sum(c.weights.values()) == 100
    assert c.weight_vector.tolist() == [DEFAULT_WEIGHTS[n] for n in CONDITION_NAMES]
    assert c.timeframe_ms("1h") == 3_600_000


def test_frozen_and_hashable():
    c = SignalConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.min_confidence = 60  # type: ignore[misc]
    assert hash(c) == hash(SignalConfig()) and c == SignalConfig()
    weights = dict(DEFAULT_WEIGHTS)
    custom = SignalConfig(weights=weights)
    weights["macd_cross"] = 99.0  # the caller's dict cannot reach into a frozen config
    assert custom.weights["macd_cross"] == DEFAULT_WEIGHTS["macd_cross"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"weights": {"macd_cross": 1.0}},
        {"weights": {**DEFAULT_WEIGHTS, "rsi_band": -1.0}},
        {"weights": {name: 0.0 for name in CONDITION_NAMES}},
        {"min_confidence": 0},
        {"min_confidence": 101},
        {"invalidation_ratio": 1.5},
        {"sl_atr": 0},
        {"tp_atr": float("nan")},
        {"expiry_candles": 0},
        {"expiry_candles": 1.5},
        {"fee_rate": -0.001},
        {"slippage_bps": float("inf")},
        {"rsi_long_min": 80},
        {"adx_min": -1},
        {"macd_cross_lookback": 0},
        {"cache_length": 199},
        {"timeframes": ("3m",)},
        {"timeframes": ("1h",)},  # default_timeframe 5m no longer listed
    ],
)
def test_bad_values_fail_loudly(overrides):
    with pytest.raises(ValueError):
        SignalConfig(**overrides)


def test_unconfigured_timeframe_is_rejected():
    with pytest.raises(ValueError):
        SignalConfig(timeframes=("5m",)).timeframe_ms("1h")
