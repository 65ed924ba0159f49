"""The replay set: exact prices, reproducible build, exchangeInfo entries consistent with the data."""
from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from sandbox.config import DEFAULT_DATA
from sandbox.data import build
from sandbox.data.recorded import csv_sha256, csv_text, recorded_candles, recorded_checksums
from sandbox.dataset import Dataset
from sandbox.formatting import fixed

# Cut-down copies of the build's exchangeInfo inputs (see fixtures/README.md).
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "binance"
DATA_DIR = DEFAULT_DATA.parent


def test_data_files_are_small():
    total = sum(p.stat().st_size for p in DATA_DIR.iterdir() if p.suffix in (".npz", ".json"))
    assert total <= 10 * 1024 * 1024
    fixtures = sum(p.stat().st_size for p in FIXTURES.rglob("*") if p.is_file())
    assert fixtures <= 512 * 1024


def test_every_source_csv_comes_back_byte_for_byte():
    """The floats re-rendered as CSV text hash to the SHA-256 the build recorded of each source file.

    Equal text means every decoded float equals float() of the source string (repr round-trips).
    """
    candles, sums = recorded_candles(), recorded_checksums()
    assert len(candles) == 50 and list(candles) == list(sums)
    for symbol, table in candles.items():
        assert table.shape == (4032, 6) and not table.flags.writeable
        assert csv_sha256(csv_text(table)) == sums[symbol], symbol


def test_scaled_integers_are_the_csv_decimals():
    """What the sandbox serves (`fixed` of the scaled integers) is the source's decimal, every value."""
    candles = recorded_candles()
    with np.load(DEFAULT_DATA) as npz:
        symbols = [str(s) for s in npz["symbols"]]
        prices, volumes = npz["prices"], npz["volumes"]
        pdec, vdec = npz["price_decimals"], npz["volume_decimals"]
        first = int(npz["first_open_time"])
    assert symbols == list(candles)
    for i, symbol in enumerate(symbols):
        table = candles[symbol].tolist()  # its repr() text is the source CSV's (test above)
        pd, vd = int(pdec[i]), int(vdec[i])
        assert int(table[0][0]) == first
        for j, row in enumerate(table):
            for col in range(4):
                assert Decimal(fixed(int(prices[i, j, col]), pd, pd)) == Decimal(repr(row[col + 1]))
            assert Decimal(fixed(int(volumes[i, j]), vd, vd)) == Decimal(repr(row[5]))


def test_btc_prices_keep_one_decimal():
    with np.load(DEFAULT_DATA) as npz:
        symbols = [str(s) for s in npz["symbols"]]
        assert int(npz["price_decimals"][symbols.index("BTCUSDT")]) == 1
        assert int(npz["price_decimals"][symbols.index("1000PEPEUSDT")]) == 7


def test_build_is_reproducible(tmp_path):
    """The build, run on the source CSVs (re-rendered, checked by hash) and the exchangeInfo fixtures."""
    source = tmp_path / "binance"
    shutil.copytree(FIXTURES / "rest", source / "rest")
    klines_dir = source / build.KLINES_DIR
    klines_dir.mkdir(parents=True)
    sums = recorded_checksums()
    for symbol, table in recorded_candles().items():
        text = csv_text(table)
        assert csv_sha256(text) == sums[symbol], symbol
        (klines_dir / f"{symbol}.csv").write_text(text)
    out = tmp_path / "out"
    out.mkdir()
    build.main(["--shared", str(source), "--out", str(out)])
    with np.load(DEFAULT_DATA) as ours, np.load(out / "klines_usdm_5m.npz") as fresh:
        assert sorted(ours.files) == sorted(fresh.files)
        for name in ours.files:
            assert np.array_equal(ours[name], fresh[name]), name
    for name in ("exchange_info_usdm.json", "exchange_info_spot.json", "provenance.json"):
        assert json.loads((DATA_DIR / name).read_text()) == json.loads((out / name).read_text())
    assert (out / "klines_usdm_5m.sha256").read_text() == (DATA_DIR / "klines_usdm_5m.sha256").read_text()


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
