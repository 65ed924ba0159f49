"""Two `manage.py run_live_signals --shards 4` processes split the symbols, and one takes the other's
shards over when it is killed with SIGKILL; the signals come out as one process makes them.

Eight recorded USD-M pairs: 1,100 candles each in the store, then 30 more published on
`market:candles` one close at a time (each close stored first, as the stream process does). The
processes start, each takes two shards; after 12 closes one is killed, right after a close is
published (it may or may not have handled it), and the closes go on once the survivor holds the
four shards. The reference: the same closes handed one at a time to one in-process evaluator, on
an empty signal table. Every signal row (key, status, confidence, prices, candle and close times)
must be the same: a candle missed or evaluated on a gapped cache would change them."""
from __future__ import annotations

import sys

import pytest
import redis
from django.conf import settings

from market.binance.schemas import Candle
from market.candle_events import STREAM_KEY, candle_event_fields, candle_events_read
from market.services import candles_upsert
from sandbox.data.recorded import recorded_candles
from signals.models import Signal
from signals.services import live
from trading.tests.harness import PlatformProcess, wait_until
from trading.tests.harness.processes import platform_env

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.timeout(300)]
SYMBOLS = ["ADAUSDT", "AVAXUSDT", "BNBUSDT", "BTCUSDT", "DOGEUSDT", "ETHUSDT", "LINKUSDT", "XRPUSDT"]
HISTORY, CLOSES, KILL_AFTER, SHARDS = 1100, 30, 12, 4
FIELDS = ("key", "status", "confidence", "initial_confidence", "entry", "stop_loss", "take_profit",
          "candle_open_time", "closed_ms", "close_rule", "exit_price")


def candles_of(symbol: str, rows) -> list[Candle]:
    return [Candle(symbol, "5m", int(t), int(t) + 299_999, repr(o), repr(h), repr(lo), repr(c), repr(v),
                   repr(v * c), 100, repr(v / 2), repr(v * c / 2)) for t, o, h, lo, c, v in rows.tolist()]


def signal_rows() -> list[tuple]:
    return list(Signal.objects.order_by("key").values_list(*FIELDS))


def live_process(workdir, name: str) -> PlatformProcess:
    argv = [sys.executable, "manage.py", "run_live_signals", "--shards", str(SHARDS), "--lease-ms", "2000"]
    return PlatformProcess(name, argv, platform_env("http://127.0.0.1:9"), workdir, lambda proc: True)


def test_two_live_processes_share_the_symbols_and_survive_one_killed(tmp_path):
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(STREAM_KEY, *client.keys("signals:live:*"))
    tables = recorded_candles()
    closes = []  # per close, the candle of every symbol
    for symbol in SYMBOLS:
        candles_upsert(candles_of(symbol, tables[symbol][:HISTORY]))
    for i in range(CLOSES):
        closes.append([candles_of(s, tables[s][HISTORY + i: HISTORY + i + 1])[0] for s in SYMBOLS])
    market = settings.BINANCE.market
    points = lambda: [client.get(live.resume_key(n, SHARDS)) for n in range(SHARDS)]  # noqa: E731

    def holders() -> list[str | None]:  # the owner of each shard's lease
        raw = [client.get(f"signals:live:shards:{SHARDS}:{n}") for n in range(SHARDS)]
        return [r.decode().split("|")[0] if r else None for r in raw]

    def publish(close: list[Candle], *, settle: bool = True) -> None:
        candles_upsert(close)
        last = [client.xadd(STREAM_KEY, candle_event_fields(c, source="stream", market=market)) for c in close][-1]
        if settle:
            wait_until(lambda: all(p == last for p in points()), timeout=60, what="every shard past the close")

    first, second = live_process(tmp_path, "live-a"), live_process(tmp_path, "live-b")
    try:
        first.start()
        second.start()
        wait_until(lambda: None not in holders() and sorted(holders().count(h) for h in set(holders())) == [2, 2],
                   timeout=60, what="two processes holding two shards each")
        for close in closes[:KILL_AFTER]:
            publish(close)
        publish(closes[KILL_AFTER], settle=False)
        first.kill9()
        wait_until(lambda: None not in holders() and len(set(holders())) == 1, timeout=30,
                   what="the survivor holding every shard")
        for close in closes[KILL_AFTER + 1:]:
            publish(close)
    finally:
        first.stop()
        second.stop()
    sharded = signal_rows()
    assert sharded, "no signal in 30 closes of 8 pairs: the check would be idle"

    Signal.objects.all().delete()
    reference = live.LiveEvaluator()
    events = candle_events_read(client, count=10_000)
    for i in range(CLOSES):
        live._handle(reference, events[i * len(SYMBOLS):(i + 1) * len(SYMBOLS)])
    client.delete(STREAM_KEY)
    assert sharded == signal_rows()
