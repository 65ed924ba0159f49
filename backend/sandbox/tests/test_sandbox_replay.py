"""Clock, forming-candle path, ping-pong loop, aggregation and 24h statistics of the replay."""
from __future__ import annotations

import orjson
import pytest

from sandbox.config import SandboxConfig
from sandbox.dataset import CANDLE_MS
from sandbox.market import INTERVALS, Market
from sandbox.replay import Clock

BTC = "BTCUSDT"


@pytest.fixture
def market() -> Market:
    config = SandboxConfig(speed=0)
    return Market(config)


def raw(market: Market, symbol: str, j: int) -> list[int]:
    """Recorded 5m candle ``j`` as scaled ints [o, h, l, c, v]."""
    spec = market.spec(symbol)
    return market.dataset.sources[spec.source].table(1, False)[:5, j].tolist()


def rows(market: Market, symbol: str, interval: str, **kw) -> list[list]:
    return orjson.loads(market.klines_body("usdm", symbol, interval, **kw))


def test_default_start_leaves_200_candles_of_history(market):
    first = market.dataset.first_open_time
    assert market.now_ms() == first + 200 * CANDLE_MS
    history = rows(market, BTC, "5m", limit=1000)
    assert len(history) == 201 and history[0][0] == first
    assert history[-1][6] > market.now_ms()  # the last row is the forming candle


def test_clock_is_paused_steps_and_never_goes_back():
    clock = Clock(1_000, speed=0)
    assert clock.now_ms() == 1_000
    assert clock.step(500) == 1_500
    with pytest.raises(ValueError):
        clock.set_time(1_000)
    with pytest.raises(ValueError):
        clock.step(-1)
    clock.set_speed(1000)
    assert clock.now_ms() >= 1_500


def test_forming_candle_walks_open_extremes_close(market):
    spec = market.spec(BTC)
    i = market.replay.index_at(spec, market.now_ms())
    o, h, lo, c, _ = raw(market, BTC, i)
    t0 = market.replay.open_time(spec, i)
    seen = [market.replay.price(spec, t0 + dt) for dt in range(0, CANDLE_MS, 1000)]
    assert seen[0] == o and min(seen) == lo and max(seen) == h
    assert all(lo <= p <= h for p in seen)
    assert abs(seen[-1] - c) <= (h - lo) // 100 + 1  # nearly at the close just before it
    forming = market.replay.forming(spec, 1, t0 + CANDLE_MS - 1)
    assert (forming.high, forming.low) == (h, lo) and not forming.closed
    market.clock.set_time(t0 + CANDLE_MS)
    closed = rows(market, BTC, "5m", limit=2)[0]
    assert [closed[1], closed[2], closed[3], closed[4]] == [
        market.styles["usdm"].price(spec, v) for v in (o, h, lo, c)]


@pytest.mark.parametrize("days", [3, 15])  # 15: inside the backward (mirrored) pass
@pytest.mark.parametrize("interval", ["15m", "1h", "4h", "1d"])
def test_aggregates_agree_with_5m(market, interval, days):
    k = INTERVALS[interval]
    market.clock.step(days * 86_400_000 + 7 * CANDLE_MS + 12_345)  # mid-candle
    five = rows(market, BTC, "5m", limit=1000)
    big = rows(market, BTC, interval, limit=1000)
    by_open = {r[0]: r for r in five}
    for row in big[-3:]:
        parts = [by_open[row[0] + j * CANDLE_MS] for j in range(k) if row[0] + j * CANDLE_MS in by_open]
        assert row[1] == parts[0][1] and row[4] == parts[-1][4]
        assert float(row[2]) == max(float(p[2]) for p in parts)
        assert float(row[3]) == min(float(p[3]) for p in parts)
        assert row[8] == sum(p[8] for p in parts)
        assert abs(float(row[5]) - sum(float(p[5]) for p in parts)) < 1e-6
        assert row[6] == row[0] + k * CANDLE_MS - 1
    assert big[-1][4] == five[-1][4]  # the forming aggregate closes at the forming 5m price


def test_ping_pong_loop_is_continuous_and_exact(market):
    ds, spec = market.dataset, market.spec(BTC)
    n = ds.candle_count
    market.clock.set_time(ds.data_end_time + 2 * CANDLE_MS)
    tail = rows(market, BTC, "5m", limit=5)
    last_forward, first_back = tail[1], tail[2]
    o, h, lo, c, v = raw(market, BTC, n - 1)
    price = market.styles["usdm"].price
    assert last_forward[1] == price(spec, o) and last_forward[4] == price(spec, c)
    # Played backwards the last candle swaps open and close, so the series continues without a jump.
    assert first_back[0] == ds.data_end_time
    assert (first_back[1], first_back[2], first_back[3], first_back[4]) == (
        price(spec, c), price(spec, h), price(spec, lo), price(spec, o))
    o2, _, _, c2, _ = raw(market, BTC, n - 2)
    assert tail[3][1] == price(spec, c2) and tail[3][4] == price(spec, o2)


def test_trade_ids_run_on_across_candles_and_loops(market):
    market.clock.set_time(market.dataset.data_end_time + 3 * CANDLE_MS)
    history = rows(market, BTC, "5m", limit=10)
    spec = market.spec(BTC)
    ids = [(market.replay.closed(spec, 1, market.replay.index_at(spec, r[0])).first_id,
            market.replay.closed(spec, 1, market.replay.index_at(spec, r[0])).last_id) for r in history[:-1]]
    for (f1, l1), (f2, _l2), r in zip(ids, ids[1:], history):
        assert f2 == l1 + 1 and l1 - f1 + 1 == r[8]


def test_klines_window_selection(market):
    first = market.dataset.first_open_time
    got = rows(market, BTC, "5m", start=first + 1, limit=3)
    assert [r[0] for r in got] == [first + CANDLE_MS * j for j in (1, 2, 3)]
    got = rows(market, BTC, "5m", end=first + 10 * CANDLE_MS, limit=2)
    assert [r[0] for r in got] == [first + 9 * CANDLE_MS, first + 10 * CANDLE_MS]
    got = rows(market, BTC, "5m", start=first, end=first + 2 * CANDLE_MS, limit=100)
    assert len(got) == 3
    assert rows(market, BTC, "5m", start=market.now_ms() + CANDLE_MS) == []
    assert rows(market, BTC, "5m", start=0, limit=2)[0][0] == first  # nothing before the listing


def test_synthetic_symbol_replays_its_source_days_later():
    config = SandboxConfig(speed=0, extra_symbols=60)
    market = Market(config)
    x = market.spec("X051USDT")
    source = market.dataset.names[x.source]
    now = market.now_ms()
    mine = market.replay.closed(x, 1, market.replay.index_at(x, now) - 1)
    theirs = market.replay.closed(market.spec(source), 1, market.replay.index_at(x, now) - 1)
    assert mine[2:11] == theirs[2:11] and mine.open_time != theirs.open_time


def test_tick_listener_sees_every_corner(market):
    seen: list[tuple[str, float, int]] = []
    market.add_tick_listener(lambda s, p, t: seen.append((s, p, t)) if s == BTC else None)
    start = market.now_ms()
    market.advance(start)
    market.clock.step(3 * CANDLE_MS)
    market.advance(market.now_ms())
    spec = market.spec(BTC)
    i0 = market.replay.index_at(spec, start)
    prices = [p for _, p, _ in seen]
    for j in range(i0, i0 + 3):
        _, h, lo, _, _ = raw(market, BTC, j)
        assert h / 10 in prices and lo / 10 in prices
    assert [t for *_, t in seen] == sorted(t for *_, t in seen)
    assert all(start < t <= market.now_ms() for *_, t in seen)


def test_listener_errors_do_not_stop_others(market, caplog):
    calls = []

    def broken(*_):
        raise RuntimeError("boom")

    market.add_tick_listener(broken)
    market.add_tick_listener(lambda *a: calls.append(a))
    market.advance(market.now_ms())
    market.clock.step(CANDLE_MS)
    market.advance(market.now_ms())
    assert calls and "tick listener" in caplog.text


@pytest.mark.parametrize("hours", [48, 24 * 14 + 2])  # the second window spans the turn of the loop
def test_rolling_24h_stats(market, hours):
    market.clock.step(hours * 3_600_000 - 200 * CANDLE_MS + 77_000)
    spec, now = market.spec(BTC), market.now_ms()
    stats = market.replay.stats_24h(spec, now)
    day = rows(market, BTC, "5m", start=now - 86_400_000 + 1, limit=1000)
    assert len(day) == 288
    assert stats.open == int(round(float(day[0][1]) * 10)) and stats.last == int(round(float(day[-1][4]) * 10))
    assert stats.high == int(round(max(float(r[2]) for r in day) * 10))
    assert stats.count == sum(r[8] for r in day)
    assert stats.close_time - stats.open_time == 86_400_000
