"""Regenerate the sandbox replay set from the shared Binance material.

    cd backend && ../.venv/bin/python -m sandbox.data.build --shared /work/shared/binance

Writes next to this file:

* ``klines_usdm_5m.npz``: the 50 USD-M pairs x 14 days of 5m candles as int64 arrays scaled by
  10**decimals per symbol, so every price comes back as the exact decimal string of the source CSV.
* ``exchange_info_usdm.json`` / ``exchange_info_spot.json``: the real exchangeInfo payloads cut
  down to these symbols (fields and filters untouched), plus derived entries for symbols missing
  from the snapshots; tick sizes are made consistent with the recorded prices.
* ``provenance.json``: for every symbol, where its exchangeInfo entry came from and what changed.
* ``klines_usdm_5m.sha256``: SHA-256 of every source CSV (``sha256sum`` format), so the tests can
  prove that the npz still reproduces the CSVs byte for byte without the source files (recorded.py).

The CSV values are parsed with ``Decimal``; no float ever touches a price.
"""
from __future__ import annotations

import argparse
import copy
import csv
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
USDM_MAINNET = "rest/fapi_v1_exchangeInfo_MAINNET_2024-10-20.json"
USDM_TESTNET = "rest/fapi_v1_exchangeInfo_TESTNET_2025-03-06.json"
SPOT_SNAPSHOT = "rest/spot_api_v3_exchangeInfo_TESTNET-likely_2024-09-08.json"
KLINES_DIR = "klines/usdm_5m"
INTERVAL_MS = 300_000
# Templates for symbols that neither snapshot knows: ordinary USDT-quoted perpetual / spot pairs.
USDM_TEMPLATE = "WIFUSDT"
SPOT_TEMPLATE = "ADAUSDT"


def _decimals(text: str) -> int:
    """Decimals needed to write ``text`` exactly ("87700.0" -> 0, "0.0040805" -> 7)."""
    exponent = Decimal(text).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def _scaled(text: str, decimals: int) -> int:
    value = Decimal(text).scaleb(decimals)
    if value != value.to_integral_value():
        raise ValueError(f"{text} has more than {decimals} decimals")
    return int(value)


def read_series(csv_path: Path) -> tuple[list[int], list[list[str]]]:
    with csv_path.open(newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        if header != ["timestamp", "open", "high", "low", "close", "volume"]:
            raise ValueError(f"{csv_path}: unexpected header {header}")
        rows = list(reader)
    return [int(r[0]) for r in rows], [r[1:] for r in rows]


def build_klines(shared: Path) -> dict:
    files = sorted((shared / KLINES_DIR).glob("*.csv"))
    symbols, prices, volumes, price_dec, volume_dec = [], [], [], [], []
    times0: list[int] | None = None
    for path in files:
        times, rows = read_series(path)
        if any(b - a != INTERVAL_MS for a, b in zip(times, times[1:])):
            raise ValueError(f"{path}: gap or wrong interval")
        if times0 is None:
            times0 = times
        elif times != times0:
            raise ValueError(f"{path}: open times differ from the other symbols")
        pd = max(_decimals(v) for r in rows for v in r[:4])
        vd = max(_decimals(r[4]) for r in rows)
        symbols.append(path.stem)
        prices.append([[_scaled(v, pd) for v in r[:4]] for r in rows])
        volumes.append([_scaled(r[4], vd) for r in rows])
        price_dec.append(pd)
        volume_dec.append(vd)
    if times0 is None:
        raise ValueError(f"no CSV files under {shared / KLINES_DIR}")
    return {
        "symbols": np.array(symbols),
        "first_open_time": np.int64(times0[0]),
        "interval_ms": np.int64(INTERVAL_MS),
        "prices": np.array(prices, dtype=np.int64),  # (symbol, candle, [o, h, l, c])
        "volumes": np.array(volumes, dtype=np.int64),
        "price_decimals": np.array(price_dec, dtype=np.int8),
        "volume_decimals": np.array(volume_dec, dtype=np.int8),
    }


def klines_checksums(shared: Path) -> str:
    """``sha256sum``-format lines for the source CSVs, in file-name order."""
    files = sorted((shared / KLINES_DIR).glob("*.csv"))
    return "".join(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n" for path in files)


def _filter(entry: dict, kind: str) -> dict:
    return next(f for f in entry["filters"] if f["filterType"] == kind)


def _tick_fits(tick: str, price_ints: np.ndarray, pd: int) -> bool:
    """True when every recorded price is a multiple of ``tick``."""
    td = _decimals(tick)
    scale = max(pd, td)
    tick_int = _scaled(tick, scale)
    return bool(np.all((price_ints * 10 ** (scale - pd)) % tick_int == 0))


def _fmt(value: Decimal, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _fix_price_filter(entry: dict, prices: np.ndarray, pd: int, width: int, notes: list) -> str:
    """Make PRICE_FILTER agree with the data; ``width`` = decimals Binance prints in this market."""
    pf = _filter(entry, "PRICE_FILTER")
    tick = pf["tickSize"]
    if not _tick_fits(tick, prices, pd):
        tick = _fmt(Decimal(1).scaleb(-pd), max(pd, width))
        notes.append(f"tickSize {pf['tickSize']} -> {tick} (recorded prices use {pd} decimals)")
        pf["tickSize"] = tick
    low = Decimal(int(prices.min())).scaleb(-pd)
    high = Decimal(int(prices.max())).scaleb(-pd)
    tick_dec = Decimal(tick)
    if Decimal(pf["minPrice"]) > low or Decimal(pf["minPrice"]) % tick_dec:
        new = _fmt(tick_dec, max(_decimals(tick), width))
        notes.append(f"minPrice {pf['minPrice']} -> {new}")
        pf["minPrice"] = new
    if Decimal(pf["maxPrice"]) < high * 10:
        new = _fmt((high * 1000).quantize(Decimal(1)), width)
        notes.append(f"maxPrice {pf['maxPrice']} -> {new}")
        pf["maxPrice"] = new
    return tick


def _derive_usdm(template: dict, symbol: str, pd: int, vd: int, onboard: int) -> dict:
    entry = copy.deepcopy(template)
    base = symbol.removesuffix("USDT")
    step = _fmt(Decimal(1).scaleb(-vd), vd)
    entry.update(symbol=symbol, pair=symbol, baseAsset=base, onboardDate=onboard,
                 pricePrecision=pd, quantityPrecision=vd, underlyingSubType=[])
    _filter(entry, "PRICE_FILTER").update(tickSize=_fmt(Decimal(1).scaleb(-pd), pd),
                                          minPrice=_fmt(Decimal(1).scaleb(-pd), pd))
    _filter(entry, "LOT_SIZE").update(stepSize=step, minQty=step)
    _filter(entry, "MARKET_LOT_SIZE").update(stepSize=step, minQty=step)
    _filter(entry, "MIN_NOTIONAL").update(notional="5")
    return entry


def _derive_spot(template: dict, symbol: str, pd: int, vd: int) -> dict:
    entry = copy.deepcopy(template)
    entry.update(symbol=symbol, baseAsset=symbol.removesuffix("USDT"))
    tick = _fmt(Decimal(1).scaleb(-pd), 8)
    step = _fmt(Decimal(1).scaleb(-vd), 8)
    _filter(entry, "PRICE_FILTER").update(tickSize=tick, minPrice=tick)
    _filter(entry, "LOT_SIZE").update(stepSize=step, minQty=step)
    return entry


def build_exchange_info(shared: Path, klines: dict) -> tuple[dict, dict, dict]:
    mainnet = json.loads((shared / USDM_MAINNET).read_text())
    testnet = json.loads((shared / USDM_TESTNET).read_text())
    spot = json.loads((shared / SPOT_SNAPSHOT).read_text())
    by_main = {s["symbol"]: s for s in mainnet["symbols"]}
    by_test = {s["symbol"]: s for s in testnet["symbols"]}
    by_spot = {s["symbol"]: s for s in spot["symbols"]}
    onboard = int(klines["first_open_time"])
    usdm_symbols, spot_symbols, provenance = [], [], {}
    for i, symbol in enumerate(klines["symbols"].tolist()):
        pd, vd = int(klines["price_decimals"][i]), int(klines["volume_decimals"][i])
        prices = klines["prices"][i]
        notes: list[str] = []
        if symbol in by_main:
            entry, source = copy.deepcopy(by_main[symbol]), USDM_MAINNET
        elif symbol in by_test:
            entry, source = copy.deepcopy(by_test[symbol]), USDM_TESTNET
        else:
            entry, source = _derive_usdm(by_main[USDM_TEMPLATE], symbol, pd, vd, onboard), "derived"
        _fix_price_filter(entry, prices, pd, entry["pricePrecision"], notes)
        if entry["pricePrecision"] < pd:
            notes.append(f"pricePrecision {entry['pricePrecision']} -> {pd}")
            entry["pricePrecision"] = pd
        usdm_symbols.append(entry)
        spot_notes: list[str] = []
        if symbol in by_spot:
            sentry, ssource = copy.deepcopy(by_spot[symbol]), SPOT_SNAPSHOT
        else:
            sentry, ssource = _derive_spot(by_spot[SPOT_TEMPLATE], symbol, pd, vd), "derived"
        _fix_price_filter(sentry, prices, pd, 8, spot_notes)
        spot_symbols.append(sentry)
        provenance[symbol] = {"usdm": {"source": source, "changes": notes},
                              "spot": {"source": ssource, "changes": spot_notes}}
    usdm = {k: mainnet[k] for k in ("timezone", "serverTime", "futuresType", "rateLimits",
                                    "exchangeFilters", "assets")}
    usdm["symbols"] = usdm_symbols
    spot_info = {k: spot[k] for k in ("timezone", "serverTime", "rateLimits", "exchangeFilters")}
    spot_info["symbols"] = spot_symbols
    return usdm, spot_info, provenance


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("/work/shared/binance"))
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    klines = build_klines(args.shared)
    np.savez_compressed(args.out / "klines_usdm_5m.npz", **klines)
    (args.out / "klines_usdm_5m.sha256").write_text(klines_checksums(args.shared))
    usdm, spot, provenance = build_exchange_info(args.shared, klines)
    for name, payload in (("exchange_info_usdm.json", usdm), ("exchange_info_spot.json", spot),
                          ("provenance.json", provenance)):
        (args.out / name).write_text(json.dumps(payload, indent=1) + "\n")
    changed = {s: p for s, p in provenance.items() if p["usdm"]["changes"] or p["spot"]["changes"]
               or p["usdm"]["source"] == "derived"}
    print(f"{len(provenance)} symbols, {klines['prices'].shape[1]} candles each; "
          f"{len(changed)} exchangeInfo entries derived or adjusted (see provenance.json)")


if __name__ == "__main__":
    main()
