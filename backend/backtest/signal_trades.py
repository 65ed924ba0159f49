"""Trades from the scanner's signals: each signal traded on the bracket it was published with. Pure.

A trader following the scanner, as `signals/brackets.py` measures a signal's "creation bracket":

- a signal created on a candle's close is entered by a market order at the next open, for
  `notional / entry` (entry = the signal's close) rounded down to a 10^-8 lot, with the
  stop-loss and take-profit shown at creation placed with it and never moved;
- the bracket closes the trade (the stop counts when a candle reaches both);
- if the signal closes first (expired, invalidated, or on its trailed levels), the trade is
  closed by a market order at the next open; still open when the data ends, at the last close
  (a signal created on the last candle has no next open and is not traded).

Fills, fees, slippage, funding and margin are `fills.py`'s; the ledger is `portfolio.py`'s. The
equity curve has one point per candle time from the first candle on.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

import numpy as np

from signals.lifecycle import EventKind

from .fills import Candle, FillModel, to_decimal
from .portfolio import EntryOrder, Portfolio
from .scanner import ScanResult, stack_series

LOT = Decimal("1e-8")


def signal_trades(series: dict[str, np.ndarray], scan: ScanResult, *, model: FillModel,
                  initial_equity=Decimal(10_000), notional=Decimal(1_000), timeframe_ms: int = 300_000,
                  ) -> Portfolio:  # fmt: skip
    """Replay `scan`'s signals through a `Portfolio` over the candles of `series` (the ones
    scanned); return it with its trades, refusals and equity curve."""
    symbols, table = stack_series({s: series[s] for s in scan.symbols}, timeframe_ms)
    index = {s: i for i, s in enumerate(symbols)}
    notional = to_decimal(notional)
    orders: dict[int, list] = defaultdict(list)  # candle open time -> decisions to place before it
    for event, published in zip(scan.events, scan.published_ms):
        if event.kind is not EventKind.UPDATED:
            orders[published].append(event)
    book = Portfolio(model, to_decimal(initial_equity))
    busy: set[str] = set()  # symbols with an open position or a waiting order
    open_times = table[0, :, 0].astype(np.int64).tolist()
    for t, open_time in enumerate(open_times):
        for event in orders.pop(open_time, ()):
            signal = event.signal
            if event.kind is EventKind.CREATED:
                qty = (notional / to_decimal(signal.entry)).quantize(LOT, ROUND_DOWN)
                book.submit_entry(EntryOrder(
                    signal.symbol, signal.direction, qty,
                    stop=to_decimal(signal.initial_stop_loss), target=to_decimal(signal.initial_take_profit),
                    tag=signal.id,
                ))  # fmt: skip
            else:
                book.submit_exit(signal.symbol, signal.direction, f"signal {event.reason.value}", tag=signal.id)
            busy.add(signal.symbol)
        for symbol in sorted(busy, key=index.__getitem__):
            book.on_candle(symbol, Candle.of(*table[index[symbol], t, :5].tolist()))
        busy = {p.symbol for p in book.positions.values()}
        book.record_equity(open_time + timeframe_ms)
    last = len(open_times) - 1
    book.close_all({s: Candle.of(*table[index[s], last, :5].tolist()) for s in busy},
                   open_times[last] + timeframe_ms)  # fmt: skip
    book.equity_curve.pop()  # the last point again, after the closing fills
    book.record_equity(open_times[last] + timeframe_ms)
    return book
