"""Signals traded on their creation bracket: a hand-made signal, then the ledger's invariants on a real scan."""

from __future__ import annotations

from decimal import Decimal as D
from decimal import localcontext

import numpy as np

from backtest.fills import LEDGER_CONTEXT, FillModel, Side, to_decimal
from backtest.scanner import ScanResult, scan_signals
from backtest.signal_trades import signal_trades
from sandbox.data.recorded import recorded_candles
from signals.lifecycle import ActiveSignal, Direction, SignalState, Trigger, signal_close, signal_create

TF = 300_000
T0 = 1_700_000_000_000 - 1_700_000_000_000 % (8 * 3_600_000) + TF  # 00:05 or 08:05 or 16:05


def one_signal_scan(rows: np.ndarray, close_at: int | None) -> ScanResult:
    """A LONG created on candle 0's close (entry 100, stop 95, take-profit 110), closed by expiry
    at the close of candle `close_at` if given."""
    candle0 = int(rows[0, 0])
    signal = ActiveSignal(
        id=f"X:5m:LONG:{candle0}", symbol="X", timeframe="5m", direction=Direction.LONG, confidence=80.0,
        entry=100.0, stop_loss=95.0, take_profit=110.0, reward_risk=2.0, conditions=(), snapshot={},
        created_at=candle0 + TF, updated_at=candle0 + TF, candle_open_time=candle0, state=SignalState.NEW,
        initial_confidence=80.0, expires_at=candle0 + 13 * TF,
    )  # fmt: skip
    signal, created = signal_create(signal, at_ms=candle0 + TF)
    events, published = [created], [candle0 + TF]
    if close_at is not None:
        end = int(rows[close_at, 0]) + TF
        _, closed = signal_close(signal, Trigger.EXPIRE, at_ms=end, exit_price=float(rows[close_at, 4]))
        events.append(closed)
        published.append(end)
    return ScanResult(events, published, ("X",), rows[:, 0].astype(np.int64), len(rows), 0, 0)


def rows_of(prices) -> np.ndarray:
    return np.array([[T0 + i * TF, o, h, l, c, 1.0] for i, (o, h, l, c) in enumerate(prices)])


def test_a_signal_is_entered_at_the_next_open_and_left_on_its_bracket():
    rows = rows_of([(99, 101, 98, 100), (100, 104, 99, 103), (103, 111, 102, 109), (109, 110, 108, 109)])
    model = FillModel(taker_fee=D("0.0005"), maker_fee=D("0.0002"), slippage_bps=0, funding_rate_8h=0)
    book = signal_trades({"X": rows}, one_signal_scan(rows, None), model=model, notional=D(1_000))
    (trade,) = book.trades
    # qty = 1000 / 100 = 10; entry at candle 1's open 100 (taker 1000 x 0.0005 = 0.5);
    # candle 2 reaches 111 >= 110: take-profit, a limit (maker 1100 x 0.0002 = 0.22)
    # pnl = (110 - 100) x 10 - 0.5 - 0.22 = 99.28
    assert (trade.qty, trade.entry_price, trade.exit_price, trade.reason) == (D(10), D(100), D(110), "target")
    assert (trade.entry_time, trade.exit_time, trade.pnl) == (T0 + TF, T0 + 2 * TF, D("99.28"))
    assert [p.time_ms for p in book.equity_curve] == [T0 + (i + 1) * TF for i in range(4)]
    assert book.equity_curve[-1].equity == D(10_000) + D("99.28")


def test_a_signal_closed_before_its_bracket_is_left_at_the_next_open():
    rows = rows_of([(99, 101, 98, 100), (100, 104, 99, 103), (103, 104, 102, 102), (101, 102, 100, 101)])
    model = FillModel(taker_fee=0, maker_fee=0, slippage_bps=10, funding_rate_8h=0)
    book = signal_trades({"X": rows}, one_signal_scan(rows, close_at=1), model=model, notional=D(1_000))
    (trade,) = book.trades
    # entry 100 x 1.001 = 100.1 (qty still 1000 / 100 = 10); the signal expired at candle 1's close:
    # exit at candle 2's open 103 x 0.999 = 102.897; pnl (102.897 - 100.1) x 10 = 27.97
    assert (trade.entry_price, trade.exit_price, trade.reason, trade.pnl) == (
        D("100.1"), D("102.897"), "signal expired", D("27.97"))


def test_ledger_invariants_on_a_real_scan():
    tables = recorded_candles()
    series = {s: tables[s][:1000] for s in sorted(tables)[:5]}
    scan = scan_signals(series)
    model = FillModel(leverage=20, slippage_bps=3)
    book = signal_trades(series, scan, model=model, initial_equity=D(100_000), notional=D(500))
    end = int(series["AAVEUSDT"][-1, 0]) + 300_000  # a signal created on the last candle has no next open
    created = [e for e, p in zip(scan.events, scan.published_ms) if e.kind.value == "created" and p < end]
    assert len(book.trades) + len(book.refusals) == len(created) > 20
    assert not book.positions
    with localcontext(LEDGER_CONTEXT):  # the ledger's exact sums
        assert book.cash == D(100_000) + sum(t.pnl for t in book.trades) == book.equity_curve[-1].equity
    by_id = {e.signal.id: (e, p) for e, p in zip(scan.events, scan.published_ms) if e.kind.value == "created"}
    for trade in book.trades:
        event, published = by_id[trade.tag]
        assert trade.entry_time == published  # the open of the candle after the signal's
        row = series[trade.symbol][series[trade.symbol][:, 0] == published][0]
        side = Side.BUY if trade.direction is Direction.LONG else Side.SELL
        assert trade.entry_price == model.slipped(to_decimal(row[1]), side)
        if trade.reason == "target":
            assert trade.exit_price == to_decimal(event.signal.initial_take_profit)
        with localcontext(LEDGER_CONTEXT):
            assert trade.fees > 0 and trade.pnl == trade.gross_pnl - trade.fees - trade.funding
