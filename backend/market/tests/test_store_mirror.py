"""A process's mirror of the candle store, kept current by the change feed (market/store_mirror.py).

The expected windows are built from the candles the test wrote, not read back through the store."""
from __future__ import annotations

import threading
from contextlib import contextmanager

import numpy as np
import pytest
from django.db import connection, transaction

from market import services, store_mirror
from market.binance.schemas import Candle
from market.models import Candle as StoredCandle

pytestmark = pytest.mark.django_db(transaction=True)
T0 = 1_765_929_600_000
STEP = 300_000
SYMBOLS = ("BTCUSDT", "ETHUSDT", "SOLUSDT")


def _candle(symbol: str, i: int, close: float | None = None, *, volume: str = "12.5") -> Candle:
    price = 100 + i + SYMBOLS.index(symbol) * 1000
    close = price + 0.125 if close is None else close
    return Candle(symbol, "5m", T0 + i * STEP, T0 + (i + 1) * STEP - 1, f"{price}.5", f"{price + 2}",
                  f"{price - 2}", repr(close), volume, "1250.5", 40 + i, "6.25", "625.25")


def _rows(candles: list[Candle]) -> np.ndarray:
    return np.array([[c.open_time, float(c.open), float(c.high), float(c.low), float(c.close), float(c.volume)]
                     for c in candles])


@contextmanager
def _writer_left_open(candle: Candle):
    """Writer A: upserts `candle` in a transaction on a connection of its own and keeps it open
    until the yielded event is set (or the block ends), then commits."""
    wrote, commit = threading.Event(), threading.Event()

    def writer() -> None:
        try:
            with transaction.atomic():
                services.candles_upsert([candle])
                wrote.set()
                commit.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert wrote.wait(30)
        yield commit
    finally:
        commit.set()
        thread.join(30)


def _revisions() -> dict[tuple[str, int], int]:
    return {(s, t): r for s, t, r in StoredCandle.objects.values_list("symbol", "open_time", "revision")}


def test_the_mirror_reads_only_what_changed_and_matches_what_was_written():
    written = {s: [_candle(s, i) for i in range(30)] for s in SYMBOLS}
    services.candles_upsert(c for candles in written.values() for c in candles)
    mirror = store_mirror.StoreMirror("usdm", "5m", keep=24)
    got = mirror.windows(list(SYMBOLS), 20, until_open_time=T0 + 29 * STEP)
    for s in SYMBOLS:
        np.testing.assert_array_equal(got[s], _rows(written[s][10:30]))
    assert mirror.rows_applied == 0  # the first read is a full read

    # Two new candles per symbol, one corrected old candle, and a rewrite that changes nothing.
    before = _revisions()
    for s in SYMBOLS:
        written[s] += [_candle(s, 30), _candle(s, 31)]
    written["ETHUSDT"][25] = _candle("ETHUSDT", 25, close=4242.5)
    services.candles_upsert([c for s in SYMBOLS for c in written[s][30:]] + [written["ETHUSDT"][25]])
    services.candles_upsert(written["SOLUSDT"][:30])
    after = _revisions()
    assert after[("SOLUSDT", T0)] == before[("SOLUSDT", T0)]  # an identical rewrite keeps its revision
    assert after[("ETHUSDT", T0 + 25 * STEP)] > before[("ETHUSDT", T0 + 25 * STEP)]

    got = mirror.windows(list(SYMBOLS), 20, until_open_time=T0 + 31 * STEP)
    assert mirror.rows_applied == 3 * 2 + 1
    for s in SYMBOLS:
        np.testing.assert_array_equal(got[s], _rows(written[s][12:32]))
    assert got["ETHUSDT"][13, 4] == 4242.5
    # A window ending earlier than the newest candle, and one longer than what is held.
    earlier = mirror.windows(["BTCUSDT"], 5, until_open_time=T0 + 29 * STEP)["BTCUSDT"]
    np.testing.assert_array_equal(earlier, _rows(written["BTCUSDT"][25:30]))
    assert len(mirror.windows(["BTCUSDT"], 100, until_open_time=T0 + 31 * STEP)["BTCUSDT"]) == 24
    with pytest.raises(ValueError):
        got["BTCUSDT"][0, 4] = 1.0  # handed out read-only: a caller cannot corrupt the copy


def test_a_delete_sends_the_mirror_back_to_a_full_read():
    services.candles_upsert(_candle(s, i) for s in SYMBOLS for i in range(10))
    mirror = store_mirror.StoreMirror("usdm", "5m", keep=10)
    assert len(mirror.windows(["BTCUSDT"], 10, until_open_time=T0 + 9 * STEP)["BTCUSDT"]) == 10
    StoredCandle.objects.filter(symbol="BTCUSDT", open_time=T0 + 4 * STEP).delete()
    window = mirror.windows(["BTCUSDT"], 10, until_open_time=T0 + 9 * STEP)["BTCUSDT"]
    assert (T0 + 4 * STEP) not in window[:, 0] and len(window) == 9


def test_the_hourly_prune_keeps_the_mirror_and_its_windows():
    written = {s: [_candle(s, i) for i in range(12)] for s in SYMBOLS}
    services.candles_upsert(c for candles in written.values() for c in candles)
    mirror = store_mirror.StoreMirror("usdm", "5m", keep=10)
    mirror.windows(list(SYMBOLS), 8, until_open_time=T0 + 11 * STEP)
    assert services.candles_prune(keep=8) == 3 * 4
    services.candles_upsert([_candle("BTCUSDT", 12)])
    got = mirror.windows(list(SYMBOLS), 8, until_open_time=T0 + 12 * STEP)
    assert mirror.rows_applied == 1  # the feed followed: a full read after a reset counts no row
    np.testing.assert_array_equal(got["BTCUSDT"], _rows((written["BTCUSDT"] + [_candle("BTCUSDT", 12)])[5:13]))
    np.testing.assert_array_equal(got["SOLUSDT"], _rows(written["SOLUSDT"][4:12]))


def test_a_writer_still_open_holds_the_watermark_back_so_its_rows_are_not_skipped():
    """Writer A draws its revision first and commits last; writer B commits in between. A reader
    that moved its mark past B's revision while A was open would never read A's candle: its next
    pass starts above A's revision. The mirror waits for A, or gives up on the feed for the pass."""
    services.candles_upsert(_candle(s, i) for s in ("BTCUSDT", "SOLUSDT") for i in range(5))
    mirror = store_mirror.StoreMirror("usdm", "5m", keep=10)
    mirror.windows(["BTCUSDT", "SOLUSDT"], 10, until_open_time=T0 + 9 * STEP)
    with _writer_left_open(_candle("BTCUSDT", 5)) as a_commit:
        services.candles_upsert([_candle("SOLUSDT", 5)])  # B: drawn after A's, committed first
        revisions = _revisions()
        assert ("SOLUSDT", T0 + 5 * STEP) in revisions and ("BTCUSDT", T0 + 5 * STEP) not in revisions
        threading.Timer(0.5, a_commit.set).start()  # A commits while the reader waits for the lock
        got = mirror.windows(["BTCUSDT", "SOLUSDT"], 10, until_open_time=T0 + 9 * STEP)
    assert mirror.rows_applied == 2  # both read from the feed, in one pass
    assert got["BTCUSDT"][:, 0].tolist() == got["SOLUSDT"][:, 0].tolist() == [T0 + i * STEP for i in range(6)]


def test_a_writer_that_stays_open_makes_the_mirror_give_up_the_feed_for_the_pass(monkeypatch):
    services.candles_upsert(_candle("BTCUSDT", i) for i in range(5))
    mirror = store_mirror.StoreMirror("usdm", "5m", keep=10)
    mirror.windows(["BTCUSDT"], 10, until_open_time=T0 + 9 * STEP)
    monkeypatch.setattr(store_mirror, "LOCK_WAIT_S", 0.3)
    with _writer_left_open(_candle("BTCUSDT", 5)):
        assert mirror.windows(["BTCUSDT"], 10, until_open_time=T0 + 9 * STEP) is None
        assert mirror.series == {}  # dropped: the next pass reads in full
    got = mirror.windows(["BTCUSDT"], 10, until_open_time=T0 + 9 * STEP)
    assert got["BTCUSDT"][:, 0].tolist() == [T0 + i * STEP for i in range(6)]
    # From here the feed is followed again: one more candle is one row read.
    services.candles_upsert([_candle("BTCUSDT", 6)])
    applied = mirror.rows_applied
    assert mirror.windows(["BTCUSDT"], 10, until_open_time=T0 + 9 * STEP)["BTCUSDT"][-1, 0] == T0 + 6 * STEP
    assert mirror.rows_applied == applied + 1
