"""The replay set: exact prices, reproducible build, exchangeInfo entries consistent with the data."""
from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from sandbox.config import DEFAULT_DATA
from sandbox.data import build
from sandbox.dataset import Dataset
from sandbox.formatting import fixed

SHARED = Path("/work/shared/binance")
needs_shared = pytest.mark.skipif(not (SHARED / build.KLINES_DIR).is_dir(), reason="shared data absent")
DATA_DIR = DEFAULT_DATA.parent


def test_data_files_are_small():
    total = sum(p.stat().st_size for p in DATA_DIR.iterdir() if p.suffix in (".npz", ".json"))
    assert total <= 10 * 1024 * 1024


@needs_shared
def test_every_csv_value_comes_back_exactly():
    with np.load(DEFAULT_DATA) as npz:
        symbols = [str(s) for s in npz["symbols"]]
        prices, volumes = npz["prices"], npz["volumes"]
        pdec, vdec = npz["price_decimals"], npz["volume_decimals"]
        first = int(npz["first_open_time"])
    assert len(symbols) == 50
    for i, symbol in enumerate(symbols):
        with (SHARED / build.KLINES_DIR / f"{symbol}.csv").open() as fh:
            rows = list(csv.reader(fh))[1:]
        assert int(rows[0][0]) == first
        for j, row in enumerate(rows):
            for col in range(4):
                assert Decimal(fixed(int(prices[i, j, col]), int(pdec[i]), int(pdec[i]))) == Decimal(row[col + 1])
            assert Decimal(fixed(int(volumes[i, j]), int(vdec[i]), int(vdec[i]))) == Decimal(row[5])


@needs_shared
def test_btc_prices_keep_one_decimal():
    with np.load(DEFAULT_DATA) as npz:
        symbols = [str(s) for s in npz["symbols"]]
        assert int(npz["price_decimals"][symbols.index("BTCUSDT")]) == 1
        assert int(npz["price_decimals"][symbols.index("1000PEPEUSDT")]) == 7


@needs_shared
def test_build_is_reproducible(tmp_path):
    build.main(["--shared", str(SHARED), "--out", str(tmp_path)])
    with np.load(DEFAULT_DATA) as ours, np.load(tmp_path / "klines_usdm_5m.npz") as fresh:
        assert sorted(ours.files) == sorted(fresh.files)
        for name in ours.files:
            assert np.array_equal(ours[name], fresh[name]), name
    for name in ("exchange_info_usdm.json", "exchange_info_spot.json", "provenance.json"):
        assert json.loads((DATA_DIR / name).read_text()) == json.loads((tmp_path / name).read_text())


def _filters(entry: dict) -> dict:
    return {f["filterType"]: f for f in entry["filters"]}


@pytest.mark.parametrize("market", ["usdm", "spot"])
def test_tick_sizes_fit_every_recorded_price(market):
    ds = Dataset(DEFAULT_DATA)
    for spec in ds.specs.values():
        entry = spec.usdm_info if market == "usdm" else spec.spot_info
        tick = Decimal(_filters(entry)["PRICE_FILTER"]["tickSize"])
        scale = 10 ** spec.price_decimals
        table = ds.sources[spec.source].table(1, False)
        for value in (int(table[0].min()), int(table[1].max()), int(table[3][17])):
            assert (Decimal(value) / scale) % tick == 0, (spec.name, tick)
        if market == "usdm":
            assert int(entry["pricePrecision"]) >= spec.price_decimals


def test_usdm_entries_have_the_real_filters():
    ds = Dataset(DEFAULT_DATA)
    real = json.loads((DATA_DIR / "exchange_info_usdm.json").read_text())["symbols"]
    btc = next(e for e in real if e["symbol"] == "BTCUSDT")
    for spec in ds.specs.values():
        assert set(spec.usdm_info) == set(btc), spec.name
        kinds = set(_filters(spec.usdm_info))
        assert {"PRICE_FILTER", "LOT_SIZE", "MARKET_LOT_SIZE", "MIN_NOTIONAL"} <= kinds
    filters = ds.specs["BTCUSDT"].filters()
    assert filters["tickSize"] == Decimal("0.1") and filters["stepSize"] == Decimal("0.001")
    assert filters["minNotional"] == Decimal("100") and filters["pricePrecision"] == 2


def test_derived_symbol_uses_the_data_decimals():
    spec = Dataset(DEFAULT_DATA).specs["HYPEUSDT"]  # in neither exchangeInfo snapshot
    filters = spec.filters()
    assert filters["tickSize"] == Decimal("0.001") and filters["stepSize"] == Decimal("0.01")
    assert spec.usdm_info["baseAsset"] == "HYPE" and filters["minNotional"] == Decimal("5")


def test_extra_symbols_reuse_real_series_shifted():
    ds = Dataset(DEFAULT_DATA, extra_symbols=350)
    assert len(ds.names) == 400
    x = ds.specs["X001USDT"]
    assert x.source == ds.specs[ds.names[0]].source and x.shift > 0 and x.shift % 288 == 0
    assert x.usdm_info["symbol"] == "X001USDT" and x.spot_info["baseAsset"] == "X001"
    pairs = {(s.source, s.shift) for s in ds.specs.values()}
    assert len(pairs) == 400  # no two symbols replay the same series at the same time
