"""The indicator registry: every entry runs, agrees with TA-Lib where TA-Lib has it, checks its
parameters, and its streaming keys name the values `StreamingIndicators` really computes."""

from __future__ import annotations


import numpy as np
import pytest
import talib

from common.testing import impure_imports
from indicators import IndicatorInputError, StreamingIndicators, compute_all
from indicators.registry import REGISTRY, SOURCES, catalogue, indicator_get

from .test_talib_agreement import check


def small_candles(n: int = 80, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    close = 100 + np.cumsum(rng.normal(0, 1, n))
    open_ = np.concatenate([[close[0]], close[:-1]])
    high = np.maximum(open_, close) + rng.uniform(0, 1, n)
    low = np.minimum(open_, close) - rng.uniform(0, 1, n)
    volume = rng.uniform(10, 100, n)
    return {"open": open_, "high": high, "low": low, "close": close, "volume": volume}


def talib_of(name: str, c: dict, p: dict, source: str = "close"):
    """TA-Lib's outputs for a registry entry, in the registry's output order (None: no TA-Lib twin)."""
    s = c[source]
    return {
        "sma": lambda: (talib.SMA(s, p["period"]),),
        "ema": lambda: (talib.EMA(s, p["period"]),),
        "rsi": lambda: (talib.RSI(s, p["period"]),),
        "macd": lambda: talib.MACD(s, p["fast"], p["slow"], p["signal"]),
        "bollinger": lambda: talib.BBANDS(s, p["period"], p["k"], p["k"], matype=0),
        "atr": lambda: (talib.ATR(c["high"], c["low"], c["close"], p["period"]),),
        "adx": lambda: tuple(f(c["high"], c["low"], c["close"], p["period"])
                             for f in (talib.ADX, talib.PLUS_DI, talib.MINUS_DI)),
    }.get(name, lambda: None)()


def heikin_ashi_loop(c: dict) -> tuple:
    """Plain-loop Heikin Ashi (TA-Lib has none): the formula in the textbook's words."""
    n = len(c["close"])
    ha_close = (c["open"] + c["high"] + c["low"] + c["close"]) / 4
    ha_open = np.empty(n)
    ha_open[0] = (c["open"][0] + c["close"][0]) / 2
    for t in range(1, n):
        ha_open[t] = (ha_open[t - 1] + ha_close[t - 1]) / 2
    return ha_open, np.maximum.reduce([c["high"], ha_open, ha_close]), \
        np.minimum.reduce([c["low"], ha_open, ha_close]), ha_close


@pytest.mark.parametrize("name", list(REGISTRY))
def test_defaults_and_other_params_agree_with_talib(name):
    indicator = REGISTRY[name]
    c = small_candles()
    other = {p.name: (p.default + 1 if p.type == "int" else p.default * 1.5) for p in indicator.params}
    if name == "macd":
        other = {"fast": 5, "slow": 13, "signal": 4}
    for params in ({}, other):
        ours = indicator.compute(c, params)
        assert list(ours) == list(indicator.outputs)
        filled = indicator.check_params(params)
        reference = talib_of(name, c, filled)
        if reference is None:
            reference = heikin_ashi_loop(c)
            for out, ref in zip(ours.values(), reference):
                np.testing.assert_allclose(out, ref, rtol=1e-12)
            continue
        for output, ref in zip(indicator.outputs, reference):
            check(f"{name}.{output} {filled}", ours[output], ref)
        # min_candles is the longest TA-Lib lookback + 1: every output has its first value there.
        first = max(int(np.argmax(~np.isnan(ref))) for ref in reference)
        assert indicator.min_candles(filled) == first + 1


@pytest.mark.parametrize("source", SOURCES)
def test_a_source_input_reads_that_column(source):
    c = small_candles()
    check(f"sma of {source}", REGISTRY["sma"].compute(c, {"period": 5}, source)["value"], talib.SMA(c[source], 5))


def test_too_few_candles_is_an_input_error_not_a_wrong_value():
    c = {k: v[:10] for k, v in small_candles().items()}
    with pytest.raises(IndicatorInputError):
        REGISTRY["ema"].compute(c, {"period": 11})
    assert np.isfinite(REGISTRY["ema"].compute(c, {"period": 10})["value"][-1])


@pytest.mark.parametrize("params, message", [
    ({"period": 1}, "between 2"), ({"period": 501}, "between 2"), ({"period": 2.5}, "integer"),
    ({"period": True}, "number"), ({"period": float("nan")}, "integer"), ({"length": 3}, "no parameter"),
])  # fmt: skip
def test_bad_parameters_are_refused_with_the_parameter_named(params, message):
    with pytest.raises(IndicatorInputError, match=message):
        REGISTRY["ema"].check_params(params)


def test_macd_fast_must_be_shorter_than_slow_and_k_must_be_finite():
    with pytest.raises(IndicatorInputError, match="shorter"):
        REGISTRY["macd"].check_params({"fast": 26, "slow": 12})
    with pytest.raises(IndicatorInputError, match="between"):
        REGISTRY["bollinger"].check_params({"k": float("inf")})
    assert REGISTRY["ema"].check_params({"period": 9.0}) == {"period": 9}
    with pytest.raises(IndicatorInputError, match="unknown indicator"):
        indicator_get("vwap")


def test_streaming_keys_name_the_streaming_values_for_those_params():
    """Where an entry names StreamingIndicators keys, the streamed value equals the batch output."""
    c = small_candles(260, seed=11)
    history = {k: v[:-1] for k, v in c.items()}
    stream = StreamingIndicators(*(history[k] for k in ("open", "high", "low", "close", "volume")))
    streamed = stream.update(*(c[k][-1] for k in ("open", "high", "low", "close", "volume")))
    assert set(streamed) == set(compute_all(*(c[k] for k in ("open", "high", "low", "close", "volume"))))
    seen = set()
    for indicator in REGISTRY.values():
        for source in (SOURCES if indicator.inputs == ("source",) else ("close",)):
            params_list = [{}] + ([{"period": p} for p in (9, 21, 50, 200)] if indicator.name == "ema" else [])
            for params in params_list:
                keys = indicator.streaming_keys(params, source)
                if keys is None:
                    continue
                batch = indicator.compute(c, params, source)
                for output, key in keys.items():
                    np.testing.assert_allclose(streamed[key], batch[output][-1], rtol=1e-12)
                    seen.add(key)
    assert seen == set(streamed)  # every streamed value is reachable from the registry
    assert REGISTRY["ema"].streaming_keys({"period": 10}) is None


def test_catalogue_is_json_safe_and_complete():
    import json

    data = json.loads(json.dumps(catalogue()))
    assert [d["name"] for d in data] == ["sma", "ema", "rsi", "macd", "bollinger", "atr", "adx", "heikin_ashi"]
    macd = next(d for d in data if d["name"] == "macd")
    assert [p["name"] for p in macd["params"]] == ["fast", "slow", "signal"]
    assert macd["params"][0] == {"name": "fast", "label": "Fast", "type": "int", "default": 12, "min": 2, "max": 200}


def test_registry_imports_neither_django_nor_the_network():
    assert impure_imports("indicators.registry") == []
