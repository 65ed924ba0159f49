"""Report metrics on a tiny hand-made trade list and equity curve (arithmetic in each test)."""

from __future__ import annotations

import math
from decimal import Decimal as D

import pandas as pd
import pytest

from backtest.portfolio import EquityPoint, Trade
from backtest.reports import YEAR_MS, breakdown, equity_frame, export_csv, metrics, trades_frame
from signals.lifecycle import Direction

JAN31 = 1_706_659_200_000  # 2024-01-31T00:00:00Z
FEB01 = JAN31 + 86_400_000
HOUR = 3_600_000


def trade(symbol, direction, exit_ms, pnl, *, entry=100, qty=1, fees="0.5"):
    pnl, fees = D(pnl), D(fees)
    return Trade(symbol, Direction(direction), exit_ms - HOUR, exit_ms, D(entry), D(entry) + pnl, D(qty), fees,
                 D(0), pnl + fees, pnl, "target" if pnl > 0 else "stop")  # fmt: skip


TRADES = [
    trade("BTCUSDT", "LONG", JAN31, "30"),
    trade("BTCUSDT", "SHORT", JAN31 + HOUR, "-10"),
    trade("ETHUSDT", "LONG", FEB01, "20", entry=200),
    trade("ETHUSDT", "LONG", FEB01 + HOUR, "-20", entry=200, qty=2),
]
CURVE = [
    EquityPoint(JAN31 + i * HOUR, D(e), D(e), n, D(0))
    for i, (e, n) in enumerate([(1000, 0), (1100, 1), (990, 1), (1089, 0)])
]


def test_trade_statistics():
    frame = trades_frame(TRADES)
    stats = metrics(frame, equity_frame(CURVE, 1000), 1000, timeframe_ms=YEAR_MS)
    # pnl +30, -10, +20, -20: 2 wins of 4 = 50 %; expectancy (30 - 10 + 20 - 20) / 4 = 5
    assert stats["trades"] == 4 and stats["win_rate_pct"] == 50.0 and stats["expectancy"] == 5.0
    # profit factor (30 + 20) / (10 + 20) = 5/3; average win 25, average loss -15
    assert stats["profit_factor"] == pytest.approx(5 / 3)
    assert (stats["avg_win"], stats["avg_loss"], stats["total_pnl"], stats["fees"]) == (25.0, -15.0, 20.0, 2.0)
    # returns on entry notional: 30/100, -10/100, 20/200, -20/400 -> 30, -10, 10, -5 %: mean 6.25 %
    assert list(frame["return_pct"]) == [30.0, -10.0, 10.0, -5.0] and stats["expectancy_pct"] == 6.25
    assert frame["pnl"].tolist() == [D(30), D(-10), D(20), D(-20)]  # the ledger's Decimals


def test_equity_metrics():
    equity = equity_frame(CURVE, 1000)
    stats = metrics(trades_frame(TRADES), equity, 1000, timeframe_ms=YEAR_MS)  # one candle a year: factor 1
    # returns from 1000: 0, +0.1, -0.1, +0.1; mean 0.025
    # std (ddof 1): deviations -0.025, 0.075, -0.125, 0.075 -> squares sum 0.0275 / 3 -> sqrt 0.0957427
    assert stats["sharpe"] == pytest.approx(0.025 / math.sqrt(0.0275 / 3))
    # downside: sqrt((0 + 0 + 0.01 + 0) / 4) = 0.05 -> Sortino 0.025 / 0.05 = 0.5
    assert stats["sortino"] == pytest.approx(0.5)
    # peak 1100 then 990: drawdown 990 / 1100 - 1 = -10 %, -110 in quote
    assert stats["max_drawdown_pct"] == pytest.approx(-10.0) and stats["max_drawdown"] == -110.0
    assert list(equity["drawdown_pct"].round(9)) == [0.0, 0.0, -10.0, -1.0]  # 1089 / 1100 - 1 = -1 %
    # 2 of 4 candles with an open position; return 1089 / 1000 - 1 = 8.9 %
    assert stats["exposure_pct"] == 50.0 and stats["return_pct"] == pytest.approx(8.9)
    # 365 days of hourly candles: the same ratios scaled by sqrt(8760)
    hourly = metrics(trades_frame(TRADES), equity, 1000, timeframe_ms=HOUR)
    assert hourly["sharpe"] == pytest.approx(stats["sharpe"] * math.sqrt(8760))


def test_breakdowns():
    frame = trades_frame(TRADES)
    by_symbol = breakdown(frame, "symbol")
    # BTC: +30, -10 -> 20, PF 3; ETH: +20, -20 -> 0, PF 1
    assert by_symbol.loc["BTCUSDT", "total_pnl"] == 20.0 and by_symbol.loc["BTCUSDT", "profit_factor"] == 3.0
    assert by_symbol.loc["ETHUSDT", "total_pnl"] == 0.0 and by_symbol.loc["ETHUSDT", "profit_factor"] == 1.0
    by_direction = breakdown(frame, "direction")
    # LONG: +30, +20, -20 -> 3 trades, win 2/3; SHORT: one loss, PF 0
    assert by_direction.loc["LONG", "trades"] == 3
    assert by_direction.loc["LONG", "win_rate_pct"] == pytest.approx(200 / 3)
    assert by_direction.loc["SHORT", "profit_factor"] == 0.0
    by_month = breakdown(frame, "month")
    assert list(by_month.index) == ["2024-01", "2024-02"] and list(by_month["total_pnl"]) == [20.0, 0.0]
    with pytest.raises(ValueError, match="breakdown by"):
        breakdown(frame, "weekday")


def test_profit_factor_without_losses_or_trades():
    wins = metrics(trades_frame(TRADES[:1]), equity_frame(CURVE, 1000), 1000, YEAR_MS)
    assert wins["profit_factor"] == math.inf
    empty = metrics(trades_frame([]), equity_frame([], 1000), 1000, YEAR_MS)
    assert empty["trades"] == 0 and math.isnan(empty["profit_factor"]) and empty["exposure_pct"] == 0.0


def test_csv_export_keeps_the_exact_decimals(tmp_path):
    path = export_csv(trades_frame([trade("X", "LONG", JAN31, "0.123456789012345678901234")]), tmp_path / "t.csv")
    back = pd.read_csv(path, dtype=str)
    assert back.loc[0, "pnl"] == "0.123456789012345678901234"
    assert back.loc[0, "exit_time"] == "2024-01-31T00:00:00.000000Z"
    curve = export_csv(equity_frame(CURVE, 1000), tmp_path / "e.csv")
    assert pd.read_csv(curve).columns[0] == "time"
