"""Reports of a backtest, with pandas: trades table, equity curve, drawdown, the usual metrics. Pure.

The ledger is Decimal (`portfolio.py`); the tables keep the money columns as `Decimal` objects, so
a CSV export writes the ledger's exact figures. The statistics are summaries and are computed in
float64 from them.

Definitions (a trade's pnl is net of fees and funding; returns are per candle of the equity curve):

- win rate: share of trades with pnl > 0; expectancy: mean pnl per trade (and mean return in %
  of the entry notional); profit factor: sum of winning pnl / |sum of losing pnl| (inf with no
  loss, NaN with no trade);
- drawdown at t: equity / running peak - 1 (the initial equity is the first peak); max drawdown:
  its minimum, in % and in quote currency;
- Sharpe: mean / standard deviation (ddof 1) of the per-candle returns, x sqrt(periods per year);
  Sortino: mean / downside deviation sqrt(mean(min(r, 0)^2)) over all candles, x the same factor;
  crypto trades all year, so a year is 365 days of candles;
- exposure: share of the equity curve's candles with at least one open position.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .portfolio import EquityPoint, Trade

YEAR_MS = 365 * 24 * 3_600_000
MONEY = ("entry_price", "exit_price", "qty", "fees", "funding", "gross_pnl", "pnl")


def _utc(ms) -> pd.Series:
    return pd.to_datetime(pd.Series(ms, dtype="int64"), unit="ms", utc=True)


def trades_frame(trades: Iterable[Trade]) -> pd.DataFrame:
    """One row per trade: symbol, direction, entry/exit time (UTC), prices, qty, fees, funding,
    gross_pnl, pnl (Decimal), return_pct (float, pnl / entry notional), reason, tag."""
    trades = list(trades)
    money = {name: pd.Series([getattr(t, name) for t in trades], dtype=object) for name in MONEY}
    notional = np.array([float(t.entry_price * t.qty) for t in trades], dtype=float)
    pnl = np.array([float(t.pnl) for t in trades], dtype=float)
    return pd.DataFrame({
        "symbol": [t.symbol for t in trades], "direction": [t.direction.value for t in trades],
        "entry_time": _utc([t.entry_time for t in trades]), "exit_time": _utc([t.exit_time for t in trades]),
        **money, "return_pct": pnl / notional * 100 if trades else np.empty(0),
        "reason": [t.reason for t in trades], "tag": [t.tag for t in trades],
    })  # fmt: skip


def equity_frame(curve: Iterable[EquityPoint], initial_equity) -> pd.DataFrame:
    """Indexed by time (UTC): equity, cash (Decimal), open_positions, gross_notional, and the float
    columns equity_f, drawdown_pct and drawdown (quote currency), from the running peak."""
    points = list(curve)
    frame = pd.DataFrame(
        {"equity": [p.equity for p in points], "cash": [p.cash for p in points],
         "open_positions": [p.open_positions for p in points], "gross_notional": [p.gross_notional for p in points]},
        index=pd.DatetimeIndex(_utc([p.time_ms for p in points]), name="time"),
    )  # fmt: skip
    equity = frame["equity"].astype(float)
    peak = np.maximum.accumulate(np.r_[float(initial_equity), equity.to_numpy()])[1:]
    frame["equity_f"] = equity
    frame["drawdown_pct"] = (equity / peak - 1) * 100
    frame["drawdown"] = equity - peak
    return frame


def _profit_factor(pnl: np.ndarray) -> float:
    gains, losses = pnl[pnl > 0].sum(), -pnl[pnl < 0].sum()
    if losses > 0:
        return float(gains / losses)
    return math.inf if gains > 0 else math.nan


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else math.nan


def trade_stats(trades: pd.DataFrame) -> dict:
    """Counts, win rate (%), expectancy (quote and % of notional), averages, profit factor, total pnl."""
    pnl = trades["pnl"].to_numpy(dtype=float)
    return {
        "trades": len(pnl),
        "win_rate_pct": _mean(pnl > 0) * 100,
        "expectancy": _mean(pnl),
        "expectancy_pct": _mean(trades["return_pct"].to_numpy(dtype=float)),
        "avg_win": _mean(pnl[pnl > 0]),
        "avg_loss": _mean(pnl[pnl < 0]),
        "profit_factor": _profit_factor(pnl),
        "total_pnl": float(pnl.sum()),
        "fees": float(trades["fees"].to_numpy(dtype=float).sum()),
        "funding": float(trades["funding"].to_numpy(dtype=float).sum()),
    }


def metrics(trades: pd.DataFrame, equity: pd.DataFrame, initial_equity, timeframe_ms: int) -> dict:
    """`trade_stats` plus the equity curve's: return, max drawdown, Sharpe, Sortino, exposure."""
    out = trade_stats(trades)
    initial = float(initial_equity)
    values = np.r_[initial, equity["equity_f"].to_numpy()]
    returns = values[1:] / values[:-1] - 1
    yearly = math.sqrt(YEAR_MS / timeframe_ms)
    std = returns.std(ddof=1) if len(returns) > 1 else math.nan
    downside = math.sqrt(np.mean(np.minimum(returns, 0.0) ** 2)) if len(returns) else math.nan
    out.update(
        final_equity=float(values[-1]),
        return_pct=(values[-1] / initial - 1) * 100,
        max_drawdown_pct=float(equity["drawdown_pct"].min()) if len(equity) else 0.0,
        max_drawdown=float(equity["drawdown"].min()) if len(equity) else 0.0,
        sharpe=float(returns.mean() / std * yearly) if std and std > 0 else math.nan,
        sortino=float(returns.mean() / downside * yearly) if downside and downside > 0 else math.nan,
        exposure_pct=float((equity["open_positions"] > 0).mean() * 100) if len(equity) else 0.0,
    )
    return out


def breakdown(trades: pd.DataFrame, by: str) -> pd.DataFrame:
    """`trade_stats` per group: by "symbol", "direction" or "month" (of the exit, UTC, "YYYY-MM")."""
    if by == "month":
        keys = trades["exit_time"].dt.strftime("%Y-%m")
    elif by in ("symbol", "direction"):
        keys = trades[by]
    else:
        raise ValueError(f"breakdown by symbol, direction or month, not {by!r}")
    rows = {key: trade_stats(group) for key, group in trades.groupby(keys, sort=True)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(by)


def export_csv(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write `frame` as CSV (Decimal columns as their exact strings, times in ISO 8601 UTC)."""
    path = Path(path)
    frame.to_csv(path, index=not isinstance(frame.index, pd.RangeIndex), date_format="%Y-%m-%dT%H:%M:%S.%fZ")
    return path

