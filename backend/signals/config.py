"""`SignalConfig`: every number the signal engine uses, in one frozen dataclass.

Nothing in the engine, the conditions or the lifecycle hard-codes a threshold; they all read it
from a `SignalConfig`. The defaults are the product's published rules (see README.md in this
package). A bad value fails loudly at construction (`ValueError`), not halfway through a scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

#: Candle length of each supported timeframe, in milliseconds (Binance kline intervals). The one
#: list of signal timeframes: the engine, the API's choices (and so the OpenAPI schema), the env
#: check and the client (GET /api/scanner/status/ `timeframes`) read it here.
TIMEFRAME_MS: Mapping[str, int] = MappingProxyType(
    {"5m": 300_000, "15m": 900_000, "1h": 3_600_000, "4h": 14_400_000}
)
SIGNAL_TIMEFRAMES: tuple[str, ...] = tuple(TIMEFRAME_MS)

#: The eight LONG conditions (SHORT uses the mirror image of each), in scoring order.
#: `conditions.py` documents each one.
CONDITION_NAMES: tuple[str, ...] = (
    "macd_cross",
    "rsi_band",
    "trend_ema50",
    "ema_fast_slow",
    "adx_trend",
    "trend_ema200",
    "heikin_ashi",
    "bollinger_volume",
)

#: Default weights, in confidence points (they sum to 100, so a weight reads as "points").
#: The MACD crossover is the trigger and ADX the trend-strength filter, so they weigh most;
#: the medium-term trend (EMA50) comes next; the remaining confirmations weigh 10 each.
#: With a 70-point threshold a signal needs the trigger or the trend filter, and at most
#: 30 points of confirmations may be missing.
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "macd_cross": 20.0,
        "rsi_band": 10.0,
        "trend_ema50": 15.0,
        "ema_fast_slow": 10.0,
        "adx_trend": 15.0,
        "trend_ema200": 10.0,
        "heikin_ashi": 10.0,
        "bollinger_volume": 10.0,
    }
)

#: EMA200 is the longest indicator `indicators.compute_all` computes: fewer candles than this
#: and the engine could never score a symbol.
MIN_HISTORY = 200

#: Closed candles every path computes indicators over, per (symbol, timeframe): the scan's klines
#: request (one `limit`), the live path's seed from the candle store, the engine's cache and the
#: store's `MARKET_CANDLES_KEEP`. With the same last WARMUP candles, the scan and the live path
#: compute bit-identical indicators. Why 1000: EMA200 is seeded with a mean at candle 200 and
#: then keeps (199/201) of its value per candle, so after 1000 candles the seed weighs
#: (199/201)^800 = 3.4e-4 (EMA200 no longer depends on where the series starts, to well under a
#: tick of the price's distance to it); limit 1000 is the largest a USD-M klines request can have
#: at weight 5 (1001-1500 weigh 10; LIMITS.md).
WARMUP = 1000

#: Binance USD-M taker fee at the base (VIP 0) tier, charged on the notional of each fill.
TAKER_FEE_RATE = 0.0005


@dataclass(frozen=True)
class SignalConfig:
    """Thresholds, weights, ATR multiples, timeframes, expiry and update deltas.

    Confidence is in points, 0-100. Times are milliseconds. Prices are never stored here.
    """

    #: A signal is created when its confidence is at least this.
    min_confidence: float = 70.0
    #: An active signal is invalidated when its confidence falls strictly below
    #: `min_confidence * invalidation_ratio` (49 points with the defaults).
    invalidation_ratio: float = 0.7
    #: An active signal is updated when its confidence moved this many points (either way)
    #: from the confidence last published ...
    update_confidence_delta: float = 5.0
    #: ... or when its stop-loss or take-profit moved by at least this many current ATRs.
    #: (Levels are re-anchored on the fixed entry with the latest ATR every candle; without a
    #: tolerance every tick of ATR would publish an update.)
    level_update_atr: float = 0.2
    #: A signal expires at the close of the Nth candle (of its own timeframe) after the one that
    #: created it. 12: an hour on 5m, two days on 4h (see README.md, "Expiry").
    expiry_candles: int = 12
    #: Costs deducted from every outcome: fee per fill (fraction of the notional; the default
    #: is the USD-M taker fee, paid on entry and on exit) and slippage per fill, in basis points.
    fee_rate: float = TAKER_FEE_RATE
    slippage_bps: float = 0.0
    #: Stop-loss distance from entry, in ATRs (LONG: entry - 1.5 ATR; SHORT: entry + 1.5 ATR).
    sl_atr: float = 1.5
    #: Take-profit distance from entry, in ATRs (LONG: entry + 2.5 ATR; SHORT: entry - 2.5 ATR).
    tp_atr: float = 2.5
    #: RSI band for LONG (inclusive) and its mirror for SHORT.
    rsi_long_min: float = 50.0
    rsi_long_max: float = 70.0
    rsi_short_min: float = 30.0
    rsi_short_max: float = 50.0
    #: Minimum ADX for the trend-strength condition.
    adx_min: float = 20.0
    #: The MACD crossover must have happened within this many most recent candles.
    macd_cross_lookback: int = 3
    #: Closed candles kept per (symbol, timeframe); indicators are computed over all of them.
    cache_length: int = WARMUP
    #: Weight of each condition (keys: `CONDITION_NAMES`); confidence is the weighted share met.
    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS)
    timeframes: tuple[str, ...] = SIGNAL_TIMEFRAMES
    default_timeframe: str = "5m"

    def __post_init__(self) -> None:
        weights = dict(self.weights)
        if set(weights) != set(CONDITION_NAMES):
            raise ValueError(
                f"weights must name exactly {CONDITION_NAMES}, got {tuple(sorted(weights))}"
            )
        vector = np.array([float(weights[name]) for name in CONDITION_NAMES])
        if not np.all(np.isfinite(vector)) or np.any(vector < 0) or vector.sum() <= 0:
            raise ValueError(f"weights must be finite, >= 0 and not all zero: {weights}")
        # Store an immutable copy so a caller's dict cannot change a frozen config later.
        object.__setattr__(self, "weights", MappingProxyType(weights))
        vector.setflags(write=False)
        object.__setattr__(self, "_weight_vector", vector)

        if not 0 < self.min_confidence <= 100:
            raise ValueError(f"min_confidence must be in (0, 100], got {self.min_confidence}")
        if not 0 <= self.invalidation_ratio <= 1:
            raise ValueError(f"invalidation_ratio must be in [0, 1], got {self.invalidation_ratio}")
        for name in ("update_confidence_delta", "level_update_atr", "sl_atr", "tp_atr"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value}")
        if not (isinstance(self.expiry_candles, int) and self.expiry_candles >= 1):
            raise ValueError(f"expiry_candles must be an integer >= 1, got {self.expiry_candles}")
        for name in ("fee_rate", "slippage_bps"):
            value = getattr(self, name)
            if not (np.isfinite(value) and 0 <= value < (1 if name == "fee_rate" else 10_000)):
                raise ValueError(f"{name} must be >= 0 and below 100%, got {value}")
        if not (0 <= self.rsi_long_min <= self.rsi_long_max <= 100):
            raise ValueError("LONG RSI band must satisfy 0 <= min <= max <= 100")
        if not (0 <= self.rsi_short_min <= self.rsi_short_max <= 100):
            raise ValueError("SHORT RSI band must satisfy 0 <= min <= max <= 100")
        if not 0 <= self.adx_min <= 100:
            raise ValueError(f"adx_min must be in [0, 100], got {self.adx_min}")
        if self.macd_cross_lookback < 1:
            raise ValueError(f"macd_cross_lookback must be >= 1, got {self.macd_cross_lookback}")
        if self.cache_length < MIN_HISTORY:
            raise ValueError(f"cache_length must be >= {MIN_HISTORY}, got {self.cache_length}")
        unknown = [tf for tf in self.timeframes if tf not in TIMEFRAME_MS]
        if unknown or not self.timeframes:
            raise ValueError(f"unsupported timeframes {unknown}; known: {tuple(TIMEFRAME_MS)}")
        if self.default_timeframe not in self.timeframes:
            raise ValueError(f"default_timeframe {self.default_timeframe!r} not in timeframes")

    def __hash__(self) -> int:
        # The generated hash would fail on the weights mapping; hash its items instead.
        fields = tuple(
            tuple(sorted(v.items())) if name == "weights" else v
            for name, v in vars(self).items()
            if not name.startswith("_")
        )
        return hash(fields)

    @property
    def invalidation_confidence(self) -> float:
        """Confidence strictly below which an active signal is invalidated (49.0 by default)."""
        return self.min_confidence * self.invalidation_ratio

    @property
    def weight_vector(self) -> np.ndarray:
        """Read-only weights in `CONDITION_NAMES` order."""
        return self._weight_vector  # type: ignore[attr-defined]

    def expiry_span_ms(self, timeframe: str) -> int:
        """Time from the close of a signal's candle to its expiry: expiry_candles candles."""
        return self.expiry_candles * self.timeframe_ms(timeframe)

    def timeframe_ms(self, timeframe: str) -> int:
        """Candle length of `timeframe`; `ValueError` if this config does not scan it."""
        if timeframe not in self.timeframes:
            raise ValueError(f"timeframe {timeframe!r} not configured: {self.timeframes}")
        return TIMEFRAME_MS[timeframe]
