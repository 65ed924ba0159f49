"""kline_checks: each rule on hand-made klines, the array form agreeing with the scalar one,
and the decoders leaving bad rows and frames out."""
from __future__ import annotations

import asyncio

import numpy as np
import orjson
import pytest

from market.binance import kline_checks
from market.binance.kline_checks import kline_problem, klines_mask
from market.binance.outbox import CandleOutbox
from market.binance.schemas import Candle, candles_decode, kline_frame_decode, klines_decode

T = 1_766_000_100_000  # on the 5m grid
NOW = T + 400_000

CASES = [
    ((T, "10", "12", "9", "11", "5"), None),
    ((T, None, "12", "9", "11", "5"), "price missing or not a finite number"),
    ((T, "NaN", "12", "9", "11", "5"), "price missing or not a finite number"),
    ((T, "10", "12", "0", "11", "5"), "price not positive"),
    ((T, "10", "10.5", "9", "11", "5"), "high below open, close or low"),
    ((T, "10", "12", "10.5", "11", "5"), "low above open or close"),
    ((T, "10", "12", "9", "11", "-1"), "volume missing or negative"),
    ((T + 1_000, "10", "12", "9", "11", "5"), "open time off the interval grid"),
    ((T + 300_000 * 2, "10", "12", "9", "11", "5"), "open time ahead of the exchange clock"),
]


@pytest.mark.parametrize(("kline", "problem"), CASES)
def test_each_rule(kline, problem):
    assert kline_problem(*kline, interval="5m", now_ms=NOW) == problem
    row = np.array([[float(v) if v is not None else np.nan for v in kline]])
    assert bool(klines_mask(row[:, 0], *(row[:, i] for i in range(1, 6)), interval="5m", now_ms=NOW)[0]) is (problem is None)


def test_grids_of_weeks_and_months():
    monday = 1_765_756_800_000  # 2025-12-15 00:00 UTC, a Monday
    assert kline_problem(monday, "1", "1", "1", "1", "0", interval="1w", now_ms=None) is None
    assert kline_problem(monday + 86_400_000, "1", "1", "1", "1", "0", interval="1w", now_ms=None) is not None
    first_of_december = 1_764_547_200_000  # 2025-12-01 00:00 UTC
    assert kline_problem(first_of_december, "1", "1", "1", "1", "0", interval="1M", now_ms=None) is None
    assert kline_problem(monday, "1", "1", "1", "1", "0", interval="1M", now_ms=None) is not None


def _row(t, o="10", h="12", l="9", c="11"):  # noqa: E741
    return [t, o, h, l, c, "5", t + 299_999, "50", 3, "2", "20", "0"]


def test_rest_decoders_leave_bad_rows_out_and_count_them():
    body = orjson.dumps([_row(T - 300_000), _row(T, o=None), _row(T + 300_000, h="8"), _row(T + 301_000)])
    before = kline_checks.quarantined_total()
    assert [c.open_time for c in candles_decode(body, symbol="X", interval="5m", now_ms=NOW)] == [T - 300_000]
    assert kline_checks.quarantined_total() == before + 3
    assert klines_decode(body, symbol="X", interval="5m", now_ms=NOW).open_time.tolist() == [T - 300_000]


def test_a_bad_stream_frame_decodes_to_nothing():
    k = {"t": T, "T": T + 299_999, "s": "X", "i": "5m", "o": None, "h": "12", "l": "9", "c": "11", "v": "5",
         "q": "50", "n": 3, "V": "2", "Q": "20", "x": True}
    assert kline_frame_decode({"e": "kline", "E": NOW, "k": k}) is None
    assert kline_frame_decode({"e": "kline", "E": NOW, "k": {**k, "o": "10"}}).candle.open == "10"
    assert kline_frame_decode({"e": "kline", "E": T - 1, "k": {**k, "o": "10"}}) is None  # ahead of E


def _candle(t: int) -> Candle:
    return Candle("X", "5m", t, t + 299_999, "10", "12", "9", "11", "5", "50", 3, "2", "20")


def test_the_outbox_quarantines_a_candle_the_store_refuses_instead_of_retrying_it_forever():
    stored = []

    async def deliver(batch):
        if any(c.open_time == T for c, _ in batch):
            raise ValueError("refused")  # a data error, not an outage
        stored.extend(c.open_time for c, _ in batch)

    async def run():
        outbox = CandleOutbox(deliver)
        for t in (T - 300_000, T, T + 300_000):
            outbox.put(_candle(t), "stream")
        await asyncio.wait_for(outbox.flush(), 5)
        return outbox.delivered

    assert asyncio.run(run()) == 2
    assert stored == [T - 300_000, T + 300_000]
