"""`manage.py import_klines`: hand-written Binance kline files (CSV and zip, with and without the
header, microsecond times, bad rows, a gap) and the recorded set the project ships."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from market.history import Gap, HistoryError, gaps_in, grid_window, parse_moment, read_kline_file
from market.models import Candle as StoredCandle
from sandbox.data.recorded import csv_sha256, csv_text, recorded_checksums

pytestmark = pytest.mark.django_db
NOV1 = 1_793_491_200_000  # 2026-11-01 00:00 UTC
JAN5 = 1_767_571_200_000  # 2026-01-05 00:00 UTC
M5, H1, M1 = 300_000, 3_600_000, 60_000
HEADER = ("open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,"
          "taker_buy_quote_volume,ignore")
SHIPPED = Path(__file__).resolve().parents[2] / "sandbox" / "data" / "klines_usdm_5m.npz"

# BTCUSDT 5m, 2026-11-01 00:00 .. 00:25: the 00:15 and 00:20 candles do not exist (a gap of 2),
# the 00:10 row has its high below its low (bad).
BTC_ROWS = [
    f"{NOV1},100.10,101.00,99.50,100.80,12.5,{NOV1 + M5 - 1},1255.3,40,6.1,612.7,0",
    f"{NOV1 + M5},100.80,102.25,100.70,102.00,8.25,{NOV1 + 2 * M5 - 1},835.1,31,4.0,405.2,0",
    f"{NOV1 + 2 * M5},102.00,101.00,103.00,102.50,3.0,{NOV1 + 3 * M5 - 1},307.0,12,1.0,102.3,0",
    f"{NOV1 + 5 * M5},102.40,102.90,101.10,101.20,7.75,{NOV1 + 6 * M5 - 1},788.4,25,3.5,356.0,0",
]


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_klines", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _stored(symbol: str, interval: str, market: str = "usdm"):
    return list(StoredCandle.objects.filter(market=market, symbol=symbol, interval=interval)
                .order_by("open_time").values_list("open_time", "close_time", "open", "high", "low", "close",
                                                   "volume", "quote_volume", "trades", "history"))


def test_csv_with_header_bad_row_left_out_gap_reported(tmp_path):
    path = tmp_path / "BTCUSDT-5m-2026-11.csv"
    path.write_text(HEADER + "\n" + "\n".join(BTC_ROWS) + "\n")
    out, _ = _run(path, "--market", "usdm")
    stored = _stored("BTCUSDT", "5m")
    assert [row[0] for row in stored] == [NOV1, NOV1 + M5, NOV1 + 5 * M5]
    assert stored[0] == (NOV1, NOV1 + M5 - 1, 100.10, 101.00, 99.50, 100.80, 12.5, 1255.3, 40, True)
    assert "1 high below open, close or low" in out
    assert "usdm BTCUSDT 5m: 3 candles, 1 gap(s)" in out
    # 00:10 was bad (left out), 00:15 and 00:20 were never there: one missing range of three.
    assert "gap: 2026-11-01 00:10 .. 2026-11-01 00:20 UTC (3 candles)" in out
    _run(path)  # idempotent: the same rows again change nothing
    assert _stored("BTCUSDT", "5m") == stored


def test_zip_without_header_daily_name(tmp_path):
    rows = [f"{NOV1 + i * H1},{2000 + i}.5,{2010 + i}.0,{1990 + i}.0,{2005 + i}.25,{10 + i},{NOV1 + (i + 1) * H1 - 1},"
            f"{20000 + i},{100 + i},{5 + i},{10000 + i},0" for i in range(3)]
    path = tmp_path / "ETHUSDT-1h-2026-11-01.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ETHUSDT-1h-2026-11-01.csv", "\n".join(rows) + "\n")
    out, _ = _run(path)
    stored = _stored("ETHUSDT", "1h")
    assert [(r[0], r[1], r[5], r[8]) for r in stored] == [
        (NOV1, NOV1 + H1 - 1, 2005.25, 100), (NOV1 + H1, NOV1 + 2 * H1 - 1, 2006.25, 101),
        (NOV1 + 2 * H1, NOV1 + 3 * H1 - 1, 2007.25, 102)]
    assert "usdm ETHUSDT 1h: 3 candles, 0 gap(s)" in out


def test_spot_microsecond_times_converted(tmp_path):
    us = lambda ms: ms * 1000  # noqa: E731
    rows = [f"{us(JAN5 + i * M1)},93000.{i}0,93010.00,92990.00,93005.00,1.5,{us(JAN5 + (i + 1) * M1) - 1},"
            f"139500.0,50,0.7,65100.0,0" for i in range(2)]
    path = tmp_path / "BTCUSDT-1m-2026-01-05.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("BTCUSDT-1m-2026-01-05.csv", HEADER + "\n" + "\n".join(rows) + "\n")
    out, _ = _run(path, "--market", "spot")
    assert [r[:3] for r in _stored("BTCUSDT", "1m", "spot")] == [
        (JAN5, JAN5 + M1 - 1, 93000.0), (JAN5 + M1, JAN5 + 2 * M1 - 1, 93000.1)]
    assert _stored("BTCUSDT", "1m", "usdm") == []
    assert "2 microsecond time(s) converted" in out


def test_malformed_misaligned_and_future_rows_counted_not_stored(tmp_path):
    rows = [
        f"{NOV1},1,2,0.5,1.5,1,{NOV1 + M5 - 1},1,1,1,1,0",
        f"{NOV1 + M5},1,2,0.5",  # cut short
        f"{NOV1 + 2 * M5 + 1000},1,2,0.5,1.5,1,{NOV1 + 3 * M5 - 1},1,1,1,1,0",  # 1 s off the grid
        f"{NOV1 + 3 * M5},1,2,0.5,1.5,-1,{NOV1 + 4 * M5 - 1},1,1,1,1,0",  # negative volume
        "4102444800000,1,2,0.5,1.5,1,4102445099999,1,1,1,1,0",  # 2100-01-01: ahead of the clock
    ]
    path = tmp_path / "XRPUSDT-5m-2026-11.csv"
    path.write_text("\n".join(rows) + "\n")
    out, _ = _run(path)
    assert [r[0] for r in _stored("XRPUSDT", "5m")] == [NOV1]
    for line in ("1 malformed row", "1 open time off the interval grid", "1 volume missing or negative",
                 "1 open time ahead of the exchange clock"):
        assert f"bad rows: {line}" in out


def test_recorded_csv_and_shipped_npz_match_the_source_file(tmp_path):
    head = tmp_path / "BTCUSDT.csv"
    head.write_text("timestamp,open,high,low,close,volume\n"
                    "1765929600000,87826.3,87826.3,87570.5,87570.5,517.585\n"
                    "1765929900000,87570.5,87700.0,87570.4,87661.4,279.632\n")
    out, _ = _run(head)  # the interval from the times' spacing: the name has none
    assert "usdm BTCUSDT 5m: 2 candles, 0 gap(s)" in out
    assert _stored("BTCUSDT", "5m")[1] == (1765929900000, 1765930199999, 87570.5, 87700.0, 87570.4, 87661.4,
                                           279.632, 0.0, 0, True)
    out, _ = _run(SHIPPED, "--symbol", "BTCUSDT")
    assert "usdm BTCUSDT 5m: 4032 candles, 0 gap(s)" in out
    # The stored candles, written back in the source file's format, hash to the checksum of the
    # team's original BTCUSDT.csv recorded next to the set: every time and value arrived intact.
    stored = np.array([r[:7] for r in _stored("BTCUSDT", "5m")], dtype=np.float64)
    assert (stored[:, 1] == stored[:, 0] + M5 - 1).all()
    table = stored[:, [0, 2, 3, 4, 5, 6]]
    assert csv_sha256(csv_text(table)) == recorded_checksums()["BTCUSDT"]


def test_unusable_files_are_clear_errors(tmp_path):
    unknown = tmp_path / "BTCUSDT-5m-2026-11.csv"
    unknown.write_text("time,price\n1,2\n")
    two = tmp_path / "BTCUSDT-5m-2026-10.zip"
    with zipfile.ZipFile(two, "w") as archive:
        archive.writestr("a.csv", BTC_ROWS[0])
        archive.writestr("b.csv", BTC_ROWS[1])
    nameless = tmp_path / "candles.csv"
    nameless.write_text(BTC_ROWS[0] + "\n")
    with pytest.raises(CommandError, match="3 file"):
        err = io.StringIO()
        call_command("import_klines", str(unknown), str(two), str(nameless), stdout=io.StringIO(), stderr=err)
    assert "unknown header" in err.getvalue() and "expected one .csv in the zip, found 2" in err.getvalue()
    assert "give --symbol" in err.getvalue()
    with pytest.raises(CommandError, match="interval must be one of"):
        _run(unknown, "--interval", "7m")
    with pytest.raises(CommandError, match="no such file"):
        _run(tmp_path / "missing.zip")
    nameless_ok, _ = _run(nameless, "--symbol", "solusdt", "--interval", "5m")
    assert "usdm SOLUSDT 5m: 1 candles" in nameless_ok


def test_gaps_windows_and_dates_by_hand(tmp_path):
    assert gaps_in([10, 20, 50, 60], 10, 0, 90) == [Gap(0, 0, 1), Gap(30, 40, 2), Gap(70, 90, 3)]
    assert gaps_in([], 10, 0, 20) == [Gap(0, 20, 3)]
    assert gaps_in([0, 10, 20], 10, 0, 20) == []
    assert grid_window("5m", NOV1 + 1, NOV1 + 3 * M5) == (NOV1 + M5, NOV1 + 2 * M5)
    assert grid_window("1w", NOV1, NOV1 + 7 * 86_400_000) == (NOV1 + 86_400_000, NOV1 + 86_400_000)  # a Monday
    assert parse_moment("2026-11-01") == NOV1 and parse_moment("2026-11-01T00:05") == NOV1 + M5
    with pytest.raises(HistoryError):
        parse_moment("01/11/2026")
    with pytest.raises(HistoryError, match="not a zip"):
        bad = tmp_path / "BTCUSDT-5m-2026-11.zip"
        bad.write_bytes(b"not a zip")
        read_kline_file(bad)
