"""`REGISTRY`: the one list of the indicators in this package, with their parameters and outputs.

The strategy block catalogue, the strategy runtime and the charts read it; nothing else lists
indicators by hand.  Each `Indicator` says

    name, label       the key ("ema") and what a person reads ("EMA")
    inputs            the candle series it takes: ``("source",)`` means one series chosen by the user
                      (``SOURCES``, close by default), else named OHLCV columns in the function's order
    params            `Param`s (int or float, default, inclusive min and max) in the function's order
    outputs           the names of its outputs, in the order the batch function returns them
    batch             the function of this package (arrays in, arrays out; see its docstring)
    min_candles       candles needed for one value with given parameters (fewer: all NaN)
    streaming         for the parameters `StreamingIndicators` computes, output -> its key there

`Indicator.compute` validates the parameters, picks the inputs from a mapping of OHLCV arrays and
returns ``{output: array}``.  Bad parameters raise `IndicatorInputError` (a ValueError).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from ._validate import IndicatorInputError
from .candles import heikin_ashi
from .compute import (
    ADX_PERIOD, ATR_PERIOD, BB_K, BB_PERIOD, EMA_PERIODS, MACD_FAST, MACD_SIGNAL, MACD_SLOW, RSI_PERIOD,
    VOLUME_SMA_PERIOD,
)  # fmt: skip
from .momentum import rsi
from .trend import adx, ema, macd, sma
from .volatility import atr, bollinger

#: Candle columns an indicator with a ``source`` input may read.
SOURCES: tuple[str, ...] = ("open", "high", "low", "close", "volume")


@dataclass(frozen=True)
class Param:
    """One numeric parameter: ``type`` is "int" or "float"; ``minimum``/``maximum`` inclusive."""

    name: str
    label: str
    type: str
    default: float
    minimum: float
    maximum: float

    def check(self, value) -> float | int:
        """The value as int/float within bounds, or `IndicatorInputError` naming the parameter."""
        if isinstance(value, bool):
            raise IndicatorInputError(f"{self.name} must be a number, got {value!r}")
        try:
            number = operator.index(value) if self.type == "int" else float(value)
        except (TypeError, ValueError):
            if self.type == "int" and isinstance(value, float) and value.is_integer():
                number = int(value)
            else:
                raise IndicatorInputError(f"{self.name} must be {'an integer' if self.type == 'int' else 'a number'}, "
                                          f"got {value!r}") from None
        if not (math.isfinite(number) and self.minimum <= number <= self.maximum):
            raise IndicatorInputError(f"{self.name} must be between {self.minimum} and {self.maximum}, got {value!r}")
        return number

    def as_dict(self) -> dict:
        return {"name": self.name, "label": self.label, "type": self.type, "default": self.default,
                "min": self.minimum, "max": self.maximum}


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    inputs: tuple[str, ...]
    params: tuple[Param, ...]
    outputs: tuple[str, ...]
    batch: Callable
    min_candles: Callable[[Mapping[str, float]], int]
    #: Extra rule across parameters (MACD's fast < slow): raises IndicatorInputError.
    cross_check: Callable[[Mapping[str, float]], None] | None = None
    streaming: Callable[[Mapping[str, float]], Mapping[str, str] | None] | None = None
    description: str = ""
    output_labels: Mapping[str, str] = field(default_factory=dict)

    def check_params(self, params: Mapping[str, object]) -> dict[str, float | int]:
        """Defaults filled in, every value checked; unknown names are refused."""
        unknown = set(params) - {p.name for p in self.params}
        if unknown:
            raise IndicatorInputError(f"{self.name} has no parameter {sorted(unknown)[0]!r}")
        checked = {p.name: p.check(params.get(p.name, p.default)) for p in self.params}
        if self.cross_check is not None:
            self.cross_check(checked)
        return checked

    def compute(self, candles: Mapping[str, np.ndarray], params: Mapping[str, object] | None = None,
                source: str = "close") -> dict[str, np.ndarray]:
        """``{output: array}`` over OHLCV ``candles`` (1-D or 2-D arrays keyed by column name)."""
        checked = self.check_params(params or {})
        if self.inputs == ("source",):
            if source not in SOURCES:
                raise IndicatorInputError(f"source must be one of {SOURCES}, got {source!r}")
            arrays = [candles[source]]
        else:
            arrays = [candles[column] for column in self.inputs]
        result = self.batch(*arrays, *checked.values())
        if len(self.outputs) == 1:
            result = (result,)
        return dict(zip(self.outputs, result))

    def streaming_keys(self, params: Mapping[str, object] | None = None,
                       source: str = "close") -> Mapping[str, str] | None:
        """Output -> `StreamingIndicators` key when it computes these parameters, else None."""
        if self.streaming is None:
            return None
        return self.streaming({**self.check_params(params or {}), "source": source})

    def as_dict(self) -> dict:
        """The JSON-safe description served to clients (no functions)."""
        return {"name": self.name, "label": self.label, "description": self.description,
                "inputs": list(self.inputs), "params": [p.as_dict() for p in self.params],
                "outputs": [{"name": o, "label": self.output_labels.get(o, o)} for o in self.outputs]}


def _period(default: int, minimum: int = 2, maximum: int = 500, name: str = "period") -> Param:
    return Param(name, name.capitalize(), "int", default, minimum, maximum)


def _macd_check(p: Mapping[str, float]) -> None:
    if p["fast"] >= p["slow"]:
        raise IndicatorInputError(f"fast ({p['fast']}) must be shorter than slow ({p['slow']})")


def _only(condition: bool, keys: Mapping[str, str]) -> Mapping[str, str] | None:
    return keys if condition else None


_INDICATORS = (
    Indicator(
        "sma", "SMA", ("source",), (_period(20),), ("value",), sma, lambda p: p["period"],
        streaming=lambda p: _only(p["source"] == "volume" and p["period"] == VOLUME_SMA_PERIOD,
                                  {"value": "volume_sma20"}),
        description="Simple moving average of the chosen series.",
    ),
    Indicator(
        "ema", "EMA", ("source",), (_period(21),), ("value",), ema, lambda p: p["period"],
        streaming=lambda p: _only(p["source"] == "close" and p["period"] in EMA_PERIODS,
                                  {"value": f"ema{p['period']}"}),
        description="Exponential moving average (alpha 2 / (period + 1)), seeded with the SMA.",
    ),
    Indicator(
        "rsi", "RSI", ("source",), (_period(RSI_PERIOD),), ("value",), rsi, lambda p: p["period"] + 1,
        streaming=lambda p: _only(p["source"] == "close" and p["period"] == RSI_PERIOD, {"value": "rsi"}),
        description="Wilder's Relative Strength Index, 0-100.",
    ),
    Indicator(
        "macd", "MACD", ("source",),
        (_period(MACD_FAST, name="fast", maximum=200), _period(MACD_SLOW, name="slow", maximum=400),
         _period(MACD_SIGNAL, minimum=1, name="signal", maximum=200)),
        ("macd", "signal", "hist"), macd, lambda p: p["slow"] + p["signal"] - 1, cross_check=_macd_check,
        streaming=lambda p: _only(
            p["source"] == "close" and (p["fast"], p["slow"], p["signal"]) == (MACD_FAST, MACD_SLOW, MACD_SIGNAL),
            {"macd": "macd", "signal": "macd_signal", "hist": "macd_hist"}),
        description="MACD line (fast EMA - slow EMA), its signal line and the histogram.",
        output_labels={"macd": "MACD", "signal": "signal", "hist": "histogram"},
    ),
    Indicator(
        "bollinger", "Bollinger Bands", ("source",),
        (_period(BB_PERIOD), Param("k", "Width (std devs)", "float", BB_K, 0.1, 10.0)),
        ("upper", "middle", "lower"), bollinger, lambda p: p["period"],
        streaming=lambda p: _only(p["source"] == "close" and p["period"] == BB_PERIOD and p["k"] == BB_K,
                                  {"upper": "bb_upper", "middle": "bb_middle", "lower": "bb_lower"}),
        description="SMA with bands k population standard deviations above and below.",
    ),
    Indicator(
        "atr", "ATR", ("high", "low", "close"), (_period(ATR_PERIOD, minimum=1),), ("value",), atr,
        lambda p: p["period"] + 1,
        streaming=lambda p: _only(p["period"] == ATR_PERIOD, {"value": "atr"}),
        description="Wilder's Average True Range, in price units.",
    ),
    Indicator(
        "adx", "ADX / DI", ("high", "low", "close"), (_period(ADX_PERIOD, maximum=250),),
        ("adx", "plus_di", "minus_di"), adx, lambda p: 2 * p["period"],
        streaming=lambda p: _only(p["period"] == ADX_PERIOD,
                                  {"adx": "adx", "plus_di": "plus_di", "minus_di": "minus_di"}),
        description="Wilder's ADX (trend strength) with +DI and -DI (direction).",
        output_labels={"adx": "ADX", "plus_di": "+DI", "minus_di": "-DI"},
    ),
    Indicator(
        "heikin_ashi", "Heikin Ashi", ("open", "high", "low", "close"), (),
        ("open", "high", "low", "close"), heikin_ashi, lambda p: 1,
        streaming=lambda p: {"open": "ha_open", "high": "ha_high", "low": "ha_low", "close": "ha_close"},
        description="Heikin Ashi candle (averaged open, high, low, close).",
    ),
)

#: Indicator name -> `Indicator`, in catalogue order.
REGISTRY: Mapping[str, Indicator] = MappingProxyType({i.name: i for i in _INDICATORS})


def indicator_get(name: str) -> Indicator:
    """The registered indicator, or `IndicatorInputError` for an unknown name."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise IndicatorInputError(f"unknown indicator {name!r}; known: {', '.join(REGISTRY)}") from None


def catalogue() -> list[dict]:
    """Every indicator as JSON-safe data (for the API and the client's charts)."""
    return [indicator.as_dict() for indicator in REGISTRY.values()]
