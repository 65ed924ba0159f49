"""The same EMA cross here and in backtesting.py, on the same candles: trades compared, time per symbol.

    .venv/bin/python bench/backtest_peer.py [--symbols 50] [--fast 9] [--slow 21] [--notional 1000]

Strategy (both sides): EMA `--fast` and `--slow` of the close (`indicators.ema` on both sides, so
the signals are the same numbers); at a candle's close, a cross up (fast <= slow on the previous
candle, fast > slow now) buys `--notional` worth when flat, a cross down (>= then <) closes the
position; long only. Orders fill at the next open; 0.05 % commission (our taker fee) per fill; no
spread or slippage, no funding (backtesting.py has none); a position still open at the end is
closed at the last close.

Ours: the EMAs and crosses of every symbol in one vectorised call (its time shared out equally
between the symbols), then, symbol by symbol, the fills through
`backtest.portfolio.Portfolio` (Decimal ledger) at the candles with an order only (with no bracket
and no funding, nothing happens at the others). Theirs: `backtesting.lib.FractionalBacktest` (the
quantity is a whole number of units of 2^-20, exact in binary, so scaled prices and EMAs are the
same bits and the quantity is the same on both sides), `Backtest.run` timed, which includes its
statistics; ours is timed without and with the trade statistics of `backtest.reports`.

What is compared: entry and exit candles and prices must be equal; quantities equal; fees and
PnL equal to float rounding (theirs are float64, ours Decimal). The one documented difference of
the fill models: a position still open when the data ends is closed by backtesting.py
(`finalize_trades`) at the last candle's *open* (it runs its broker once more on the last bar),
here at the last candle's close; such a trade is checked to differ by exactly that (same entry,
their exit = the last open, ours = the last close) and counted apart. backtesting.py needs
`backtesting` (backend/requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from replay import REPO, load_klines  # noqa: E402

sys.path.insert(0, str(REPO / "backend"))
from backtest.fills import Candle, FillModel  # noqa: E402
from backtest.portfolio import EntryOrder, Portfolio  # noqa: E402
from backtest.reports import trade_stats, trades_frame  # noqa: E402
from indicators import ema  # noqa: E402
from signals.lifecycle import Direction  # noqa: E402

UNIT = 2.0**-20  # backtesting.py trades whole units: 2^-20 of a coin, exact in binary
FEE = 0.0005
TF_MS = 300_000


def crosses(close: np.ndarray, fast: int, slow: int) -> tuple[np.ndarray, np.ndarray]:
    """Boolean arrays shaped like `close` ((time,) or (symbols, time)): a cross up / down at the
    close of candle t. One `ema` call per period for every symbol at once (a 2-D call equals the
    row-by-row 1-D calls bit for bit)."""
    f, s = ema(close, fast), ema(close, slow)
    up, down = np.zeros(close.shape, bool), np.zeros(close.shape, bool)
    with np.errstate(invalid="ignore"):
        up[..., 1:] = (f[..., :-1] <= s[..., :-1]) & (f[..., 1:] > s[..., 1:])
        down[..., 1:] = (f[..., :-1] >= s[..., :-1]) & (f[..., 1:] < s[..., 1:])
    return up, down


def ours(symbol: str, rows: np.ndarray, units: int, fast: int, slow: int, signals=None) -> Portfolio:
    """The fills of one symbol; `signals`: its (up, down) rows of a `crosses` call over all symbols."""
    up, down = signals if signals is not None else crosses(rows[:, 4], fast, slow)
    qty = Decimal(units * UNIT)  # exact: a float's Decimal is its binary value
    book = Portfolio(FillModel(maker_fee=0, taker_fee=Decimal(str(FEE)), funding_rate_8h=0), Decimal(10**9))
    holding = False
    for t in np.flatnonzero(up | down).tolist():
        if t + 1 == len(rows):
            break  # decided on the last close: no next open
        if up[t] and not holding:
            book.submit_entry(EntryOrder(symbol, Direction.LONG, qty))
        elif down[t] and holding:
            book.submit_exit(symbol, Direction.LONG, "cross down")
        else:
            continue
        book.on_candle(symbol, Candle.of(*rows[t + 1, :5].tolist()))
        holding = bool(book.positions)
    if book.positions:
        book.close_all({symbol: Candle.of(*rows[-1, :5].tolist())}, int(rows[-1, 0]) + TF_MS)
    return book


def theirs(rows: np.ndarray, units: int, fast: int, slow: int) -> pd.DataFrame:
    from backtesting import Strategy
    from backtesting.lib import FractionalBacktest

    class EmaCross(Strategy):
        def init(self):
            close = np.asarray(self.data.Close, dtype=float)
            self.fast, self.slow = self.I(ema, close, fast), self.I(ema, close, slow)

        def next(self):
            f, s = self.fast, self.slow
            if len(f) < 2 or np.isnan(s[-2]):
                return
            if f[-2] <= s[-2] and f[-1] > s[-1] and not self.position:
                self.buy(size=units)
            elif f[-2] >= s[-2] and f[-1] < s[-1] and self.position:
                self.position.close()

    data = pd.DataFrame(rows[:, 1:6], columns=["Open", "High", "Low", "Close", "Volume"],
                        index=pd.to_datetime(rows[:, 0].astype(np.int64), unit="ms"))  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        test = FractionalBacktest(data, EmaCross, cash=10**9, commission=FEE, finalize_trades=True,
                                  fractional_unit=UNIT)  # fmt: skip
        return test.run()["_trades"]


def compare(book: Portfolio, peer: pd.DataFrame, rows: np.ndarray) -> tuple[list[str], int]:
    """(the differences between the two trade lists, how many end-of-data trades differ only
    as documented)."""
    mine = book.trades
    if len(mine) != len(peer):
        return [f"{len(mine)} trades here, {len(peer)} there"], 0
    problems, documented = [], 0
    times = rows[:, 0].astype(np.int64)
    for i, (a, (_, b)) in enumerate(zip(mine, peer.iterrows())):
        entry_ms, exit_ms = int(times[int(b["EntryBar"])]), int(times[int(b["ExitBar"])])
        entry_same = a.entry_time == entry_ms and float(a.entry_price) == b["EntryPrice"] and float(a.qty) == b["Size"]
        if a.reason == "end":  # ours at the last close (time: its close), theirs at the last open
            documented += 1
            last_open, last_close = rows[-1, 1], rows[-1, 4]
            if not (entry_same and exit_ms == times[-1] == a.exit_time - TF_MS and float(a.exit_price) == last_close
                    and b["ExitPrice"] == last_open):  # fmt: skip
                problems.append(f"end trade {i}: ours {a} / theirs {b.to_dict()}")
            continue
        same = entry_same and a.exit_time == exit_ms and float(a.exit_price) == b["ExitPrice"]
        close = np.isclose(float(a.fees), b["Commission"], rtol=1e-9) and np.isclose(
            float(a.pnl), b["PnL"], rtol=1e-9, atol=1e-9 * float(a.entry_price * a.qty))
        if not (same and close):
            problems.append(f"trade {i}: ours {a} / theirs {b.to_dict()}")
    return problems, documented


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--symbols", type=int, default=50)
    parser.add_argument("--fast", type=int, default=9)
    parser.add_argument("--slow", type=int, default=21)
    parser.add_argument("--notional", type=float, default=1000.0)
    args = parser.parse_args()
    series = load_klines(limit=args.symbols)
    warm_symbol, warm_rows = next(iter(series.items()))  # imports and first-call costs, both sides, untimed
    trade_stats(trades_frame(ours(warm_symbol, warm_rows, 1, args.fast, args.slow).trades))
    theirs(warm_rows, 1, args.fast, args.slow)
    ours_s, ours_stats_s, theirs_s, trades, disagreements, documented = [], [], [], 0, [], 0
    started = time.perf_counter()
    ups, downs = crosses(np.stack([rows[:, 4] for rows in series.values()]), args.fast, args.slow)
    signals_s = (time.perf_counter() - started) / len(series)  # one vectorised call, shared by the symbols
    for i, (symbol, rows) in enumerate(series.items()):
        units = int(args.notional / rows[0, 4] / UNIT)
        started = time.perf_counter() - signals_s
        book = ours(symbol, rows, units, args.fast, args.slow, signals=(ups[i], downs[i]))
        ours_s.append(time.perf_counter() - started)
        trade_stats(trades_frame(book.trades))
        ours_stats_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        peer = theirs(rows, units, args.fast, args.slow)
        theirs_s.append(time.perf_counter() - started)
        trades += len(book.trades)
        problems, ended = compare(book, peer, rows)
        disagreements += [f"{symbol}: {p}" for p in problems]
        documented += ended
    n, candles = len(series), sum(len(r) for r in series.values())
    med = statistics.median
    print(f"EMA {args.fast}/{args.slow} cross, long only, {n} symbols x {candles // n} candles of 5m, {trades} trades")
    for label, times in (("ours", ours_s), ("ours + trade stats", ours_stats_s), ("backtesting.py run()", theirs_s)):
        print(f"{label + ':':<22}{med(times) * 1e3:7.2f} ms per symbol (median), "
              f"{candles / sum(times):>12,.0f} candles/s")  # fmt: skip
    print(f"(ours: EMAs and crosses of all symbols in one call, {signals_s * 1e3:.2f} ms per symbol of it)")
    print(f"ours is {sum(theirs_s) / sum(ours_s):.1f}x faster ({sum(theirs_s) / sum(ours_stats_s):.1f}x with the "
          "trade statistics); aim >= 10x")  # fmt: skip
    print(f"trades: {'the same on every symbol' if not disagreements else f'{len(disagreements)} differences'}"
          f" ({documented} still open at the end: closed at the last close here, the last open there)")
    for line in disagreements[:10]:
        print("  " + line)


if __name__ == "__main__":
    main()
