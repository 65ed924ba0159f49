"""The replay set in memory: symbols, their exchangeInfo entries and their 5m candle tables.

Prices and volumes are int64 scaled by ``10**decimals`` of the symbol (exact decimals of the CSVs).
Columns the CSVs lack are synthesised deterministically from OHLCV:

* quote volume = volume x (o+h+l+c)/4, kept exact at scale ``price_decimals + volume_decimals``;
* trades = 1 + quote volume in USDT // 1500 (about what BTCUSDT 5m candles show);
* taker buy base = volume x (0.5 + 0.15 x (c-o)/(h-l)): more taker buying in rising candles.

Each table exists twice: ``forward`` (the data as recorded) and ``mirrored`` (played backwards:
open and close swapped, taker side mirrored), used by the replay's ping-pong loop (see replay.py).
"""
from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np

CANDLE_MS = 300_000
CANDLES_PER_DAY = 288
TRADE_NOTIONAL_USDT = 1500
# Column order of a table; aggregated tables use the same layout.
OPEN, HIGH, LOW, CLOSE, VOLUME, QUOTE, TRADES, TAKER_BASE, TAKER_QUOTE = range(9)


@dataclass(frozen=True)
class SymbolSpec:
    name: str
    source: int  # row of the dataset arrays this symbol replays
    shift: int  # 5m candles added to the data position (synthetic symbols replay other days)
    price_decimals: int
    volume_decimals: int
    usdm_price_width: int  # decimals of USD-M price strings (pricePrecision)
    usdm_qty_width: int  # decimals of USD-M volume strings
    trade_id_base: int
    usdm_info: dict
    spot_info: dict

    def filters(self) -> dict:
        by_type = {f["filterType"]: f for f in self.usdm_info["filters"]}
        return {
            "tickSize": Decimal(by_type["PRICE_FILTER"]["tickSize"]),
            "stepSize": Decimal(by_type["LOT_SIZE"]["stepSize"]),
            "minQty": Decimal(by_type["LOT_SIZE"]["minQty"]),
            "maxQty": Decimal(by_type["LOT_SIZE"]["maxQty"]),
            "marketMaxQty": Decimal(by_type["MARKET_LOT_SIZE"]["maxQty"]),
            "minNotional": Decimal(by_type["MIN_NOTIONAL"]["notional"]),
            "pricePrecision": int(self.usdm_info["pricePrecision"]),
            "quantityPrecision": int(self.usdm_info["quantityPrecision"]),
        }


class SourceSeries:
    """Candle tables of one recorded symbol, per interval (in 5m candles) and orientation."""

    def __init__(self, prices: np.ndarray, volumes: np.ndarray, price_decimals: int, volume_decimals: int):
        o, h, lo, c = (prices[:, j].astype(np.int64) for j in range(4))
        v = volumes.astype(np.int64)
        psum = o + h + lo + c
        quote = v * psum // 4
        usdt = quote / 10.0 ** (price_decimals + volume_decimals)
        trades = (1 + usdt // TRADE_NOTIONAL_USDT).astype(np.int64)
        span = h - lo
        direction = np.divide(c - o, span, out=np.zeros(len(o)), where=span > 0)
        self.length = len(o)
        self.total_trades = int(trades.sum())
        # Trades before each 5m candle of a forward pass (trade ids are counted from this).
        self.trades_before = np.concatenate(([0], np.cumsum(trades))).astype(np.int64)
        self._tables: dict[tuple[int, bool], np.ndarray] = {}
        for mirrored in (False, True):
            sign = -1.0 if mirrored else 1.0
            taker = np.clip(np.rint(v * (0.5 + 0.15 * sign * direction)), 0, v).astype(np.int64)
            first, last = (c, o) if mirrored else (o, c)
            self._tables[(1, mirrored)] = np.stack(
                [first, h, lo, last, v, quote, trades, taker, taker * psum // 4])

    def table(self, k: int, mirrored: bool) -> np.ndarray:
        """(9, length // k) table of ``k``-candle aggregates, in data order."""
        key = (k, mirrored)
        table = self._tables.get(key)
        if table is None:
            base = self._tables[(1, mirrored)].reshape(9, self.length // k, k)
            sums = base[VOLUME:].sum(axis=2)
            # Played backwards, a group starts with its last data candle and ends with its first.
            first = base[OPEN, :, -1] if mirrored else base[OPEN, :, 0]
            last = base[CLOSE, :, 0] if mirrored else base[CLOSE, :, -1]
            table = np.vstack([first, base[HIGH].max(axis=1), base[LOW].min(axis=1), last, sums])
            self._tables[key] = table
        return table


class Dataset:
    """Symbols (real + synthetic), exchangeInfo bases and the candle tables."""

    def __init__(self, data_path: Path, extra_symbols: int = 0):
        data_dir = data_path.parent
        with np.load(data_path) as npz:
            names = [str(s) for s in npz["symbols"]]
            prices, volumes = npz["prices"], npz["volumes"]
            price_dec = [int(d) for d in npz["price_decimals"]]
            volume_dec = [int(d) for d in npz["volume_decimals"]]
            self.first_open_time = int(npz["first_open_time"])
            if int(npz["interval_ms"]) != CANDLE_MS:
                raise ValueError(f"{data_path}: expected 5m candles")
        self.candle_count = prices.shape[1]
        if self.candle_count % CANDLES_PER_DAY:
            raise ValueError(f"{data_path}: the replay needs whole days of candles")
        self.sources = [SourceSeries(prices[i], volumes[i], price_dec[i], volume_dec[i])
                        for i in range(len(names))]
        self.usdm_info = json.loads((data_dir / "exchange_info_usdm.json").read_text())
        self.spot_info = json.loads((data_dir / "exchange_info_spot.json").read_text())
        usdm_entries = {e["symbol"]: e for e in self.usdm_info.pop("symbols")}
        spot_entries = {e["symbol"]: e for e in self.spot_info.pop("symbols")}
        self.specs: dict[str, SymbolSpec] = {}
        for i, name in enumerate(names):
            self._add(name, i, 0, price_dec[i], volume_dec[i], usdm_entries[name], spot_entries[name])
        days = self.candle_count // CANDLES_PER_DAY
        for k in range(extra_symbols):
            source = k % len(names)
            shift = ((k // len(names)) % (days - 1) + 1) * CANDLES_PER_DAY
            name = f"X{k + 1:03d}USDT"
            usdm, spot = self._renamed(usdm_entries[names[source]], spot_entries[names[source]], name)
            self._add(name, source, shift, price_dec[source], volume_dec[source], usdm, spot)
        self.names = list(self.specs)

    def _add(self, name, source, shift, pd, vd, usdm, spot) -> None:
        self.specs[name] = SymbolSpec(
            name=name, source=source, shift=shift, price_decimals=pd, volume_decimals=vd,
            usdm_price_width=max(pd, int(usdm["pricePrecision"])),
            usdm_qty_width=max(vd, int(usdm["quantityPrecision"])),
            trade_id_base=1_000_000_000 + 37_000_000 * len(self.specs), usdm_info=usdm, spot_info=spot)

    @staticmethod
    def _renamed(usdm: dict, spot: dict, name: str) -> tuple[dict, dict]:
        base = name.removesuffix("USDT")
        usdm, spot = copy.deepcopy(usdm), copy.deepcopy(spot)
        usdm.update(symbol=name, pair=name, baseAsset=base)
        spot.update(symbol=name, baseAsset=base)
        return usdm, spot

    @property
    def data_end_time(self) -> int:
        """Open time of the first candle after the recorded data (where the replay turns round)."""
        return self.first_open_time + self.candle_count * CANDLE_MS


@functools.lru_cache(maxsize=4)
def load_dataset(data_path: Path, extra_symbols: int = 0) -> Dataset:
    """Shared, read-only after loading (tables are computed once, deterministically)."""
    return Dataset(data_path, extra_symbols)
