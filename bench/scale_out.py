"""Scale-out figures: a store-based scan of 1,000 symbols in one task and as a chord of batches on
one and on two Celery workers; the live signal path on one and on two processes; the cost of the
stream shards' fenced publish.

    DATABASE_URL=... REDIS_URL=... CELERY_BROKER_URL=... .venv/bin/python bench/scale_out.py [--symbols 1000] [--runs 3]
        [--closes 8] [--skip-scan]

Live signals: `run_live_signals --shards 2`, one process then two. A close is one new 5m candle
for every symbol, stored then published on `market:candles` (what the stream process does). Per
close: the time from its publication until every shard's resume point has passed it, i.e. until
its signals are written and their events published (a warm-up close first: the processes seed
their caches from the store). Throughput: `--closes` closes published at once, candles evaluated
per second until the last resume point has passed them.

A fresh database (<name>_bench) gets the sandbox's universe and, per symbol, the 1,000 closed 5m
candles the scan reads (a random walk written with the store's own upsert), ending at the
sandbox's paused clock, so every window is in the store and no candle is fetched over REST.
Scans: the first of a process reads every window in full; before each measured one the sandbox's
clock moves one candle and that close is stored for every symbol, so the scan evaluates a new
window, whose new rows its process's mirror of the store reads (market/store_mirror.py). The
machine is shared and has 2 cores: the figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import time
import uuid

from _stack import (
    PYTHON, cpu_seconds_by_program, django_setup, free_port, fresh_database, percentile, start, stop, wait_http,
)

STEP = 300_000


def fill_store(symbols: list[str], candles: int, last_open: int) -> float:
    import numpy as np

    from market.binance.schemas import Candle
    from market.services import candles_upsert

    rng = np.random.default_rng(7)
    started = time.perf_counter()
    for i in range(0, len(symbols), 25):
        rows = []
        for symbol in symbols[i:i + 25]:
            close = 100 * np.exp(np.cumsum(rng.normal(0, 0.004, candles)))
            opens = np.concatenate([[close[0]], close[:-1]])
            for k in range(candles):
                o, c = opens[k], close[k]
                t = last_open - (candles - 1 - k) * STEP
                rows.append(Candle(symbol, "5m", t, t + STEP - 1, f"{o:.4f}", f"{max(o, c) * 1.002:.4f}",
                                   f"{min(o, c) * 0.998:.4f}", f"{c:.4f}", "1000", f"{1000 * c:.2f}", 50, "500",
                                   f"{500 * c:.2f}"))
        candles_upsert(rows)
    return time.perf_counter() - started


def close_candles(symbols: list[str], open_time: int, last: dict[str, float], rng) -> list:
    """One new closed candle per symbol at `open_time`, a random step from `last` (updated)."""
    import numpy as np

    from market.binance.schemas import Candle

    rows = []
    for symbol in symbols:
        o = last[symbol]
        c = last[symbol] = o * float(np.exp(rng.normal(0, 0.004)))
        rows.append(Candle(symbol, "5m", open_time, open_time + STEP - 1, f"{o:.4f}", f"{max(o, c) * 1.002:.4f}",
                           f"{min(o, c) * 0.998:.4f}", f"{c:.4f}", "1000", f"{1000 * c:.2f}", 50, "500",
                           f"{500 * c:.2f}"))
    return rows


class Closes:
    """Closes for the scan figures: the sandbox's paused clock moved one candle, and that candle
    stored for every symbol (what the stream process does), so each scan has a new window."""

    def __init__(self, base: str, symbols: list[str]) -> None:
        import numpy as np

        from market.selectors import candles_last

        self.base, self.symbols = base, symbols
        self.last = {s: float(k.close[-1]) for s, k in candles_last(symbols, "5m", 1).items()}
        self.rng = np.random.default_rng(11)

    def next(self) -> int:
        """Store the next close; the sandbox's clock after it."""
        import json
        import urllib.request

        from market.services import candles_upsert

        request = urllib.request.Request(f"{self.base}/sandbox/clock/step", data=b'{"candles": 1}', method="POST",
                                         headers={"Content-Type": "application/json"})
        now = json.load(urllib.request.urlopen(request))["now"]
        candles_upsert(close_candles(self.symbols, now // STEP * STEP - STEP, self.last, self.rng))
        return now


def chord_scan(queue: str, batch_size: int) -> tuple[float, int]:
    from signals.models import ScanRun
    from signals.tasks import scan_binance_market

    result = scan_binance_market.apply_async(kwargs={"timeframe": "5m", "batch_size": batch_size}, queue=queue)
    run_id = result.get(timeout=300)["scan_run"]
    deadline = time.monotonic() + 600
    while (run := ScanRun.objects.get(pk=run_id)).status == "running":
        assert time.monotonic() < deadline, "scan did not finish"
        time.sleep(0.05)
    assert run.status == "ok", (run.status, run.errors)
    return run.duration_ms, run.symbols


def fenced_publish(n_candles: int, calls: int) -> tuple[float, float]:
    """Microseconds per candle: the shards' fenced Lua publish, and the plain MULTI it replaces."""
    import redis
    from django.conf import settings

    from market.binance.schemas import Candle
    from market.candle_events import LAST_KEY, STREAM_KEY, candle_events_publish
    from market.shard_leases import ShardLeases

    client = redis.Redis.from_url(settings.REDIS_URL)
    leases = ShardLeases(client, owner="bench", shards=1024, ttl_ms=600_000)
    lease = leases.acquire(1023) or leases.holder(1023)
    results = []
    for fenced in (True, False):
        client.delete(STREAM_KEY, LAST_KEY)
        started = time.perf_counter()
        for call in range(calls):
            items = [(Candle(f"S{i}USDT", "5m", call * STEP, call * STEP + STEP - 1, "1", "1", "1", "1", "1", "1", 1,
                             "1", "1"), "stream") for i in range(n_candles)]
            if fenced:
                leases.publish(1023, lease, items, market="usdm", maxlen=100_000)
            else:
                candle_events_publish(client, items, market="usdm", maxlen=100_000)
        results.append((time.perf_counter() - started) / (calls * n_candles) * 1e6)
    client.delete(STREAM_KEY, LAST_KEY, leases.key(1023))
    return results[0], results[1]


def live_bench(symbols: list[str], last_open: int, closes: int, processes: int, env: dict,
               first_close: int) -> tuple[list[float], float, float]:
    """Latency per close (s), backlog throughput (candles/s) and signal events written a close, with
    `processes` live signal processes."""
    import numpy as np
    import redis
    from django.conf import settings

    from market.binance.schemas import Candle
    from market.candle_events import STREAM_KEY, candle_event_fields
    from market.selectors import candles_last
    from market.services import candles_upsert
    from signals.models import SignalChange
    from signals.services.live import resume_key

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(STREAM_KEY, *client.keys("signals:live:*"))
    last = {s: float(k.close[-1]) for s, k in candles_last(symbols, "5m", 1).items()}
    rng = np.random.default_rng(processes)
    market = settings.BINANCE.market

    def close_rows(k: int) -> list[Candle]:
        return close_candles(symbols, last_open + (first_close + k) * STEP, last, rng)

    def publish(rows: list[Candle]) -> tuple[str, float]:
        candles_upsert(rows)
        pipe = client.pipeline(transaction=False)
        for candle in rows:
            pipe.xadd(STREAM_KEY, candle_event_fields(candle, source="stream", market=market))
        ids = pipe.execute()
        return ids[-1].decode(), time.perf_counter()

    def passed(entry: str) -> bool:
        points = [client.get(resume_key(n, 2)) for n in range(2)]
        key = lambda i: tuple(map(int, i.split("-")))  # noqa: E731
        return all(p is not None and key(p.decode()) >= key(entry) for p in points)

    def wait_passed(entry: str, timeout: float = 600) -> float:
        deadline = time.monotonic() + timeout
        while not passed(entry):
            assert time.monotonic() < deadline, "the live processes did not keep up"
            time.sleep(0.005)
        return time.perf_counter()

    procs = [start([str(PYTHON), "manage.py", "run_live_signals", "--shards", "2", "--lease-ms", "6000"], env=env)
             for _ in range(processes)]
    try:
        def shards_spread() -> bool:
            holders = [client.get(f"signals:live:shards:2:{n}") for n in range(2)]  # a lease may be moving
            return (None not in holders and client.zcard("signals:live:members") == processes
                    and len({h.split(b"|")[0] for h in holders}) == processes)

        deadline = time.monotonic() + 60
        while not shards_spread():
            assert time.monotonic() < deadline, "the live processes did not take the shards"
            time.sleep(0.2)
        entry, _ = publish(close_rows(0))
        wait_passed(entry)  # warm-up: the caches seeded from the store
        latencies = []
        changes = SignalChange.objects.count()
        for k in range(1, closes + 1):
            entry, sent = publish(close_rows(k))
            latencies.append(wait_passed(entry) - sent)
            time.sleep(0.3)
        events = (SignalChange.objects.count() - changes) / closes
        # The backlog is published while the live processes are stopped (SIGSTOP, well inside their
        # leases), then they are let go: the time is theirs alone, not the publisher's.
        rows = [close_rows(closes + 1 + k) for k in range(closes)]
        programs = {"live processes": [p.pid for p in procs]}
        for process in procs:
            os.kill(process.pid, signal.SIGSTOP)
        try:
            for close in rows:
                entry, _ = publish(close)
        finally:
            cpu_before = cpu_seconds_by_program(programs)
            started = time.perf_counter()
            for process in procs:
                os.kill(process.pid, signal.SIGCONT)
        took = wait_passed(entry) - started
        cpu_after = cpu_seconds_by_program(programs)
        print(f"  CPU during the backlog ({took:.1f} s of wall time, {os.cpu_count()} cores): " + ", ".join(
            f"{name} {cpu_after[name] - cpu_before.get(name, 0):.1f} s" for name in cpu_after))
        return latencies, len(symbols) * closes / took, events
    finally:
        for process in procs:
            stop(process)


def live_figures(symbols: list[str], now: int, args, env: dict) -> None:
    live = {}
    for n in (1, 2):
        latencies, throughput, events = live_bench(symbols, now // STEP * STEP - STEP, args.closes, n, env,
                                           first_close=1 + (n - 1) * (2 * args.closes + 2))
        live[n] = throughput
        print(f"live signals, {n} process(es), 2 shards: close -> signals written and published "
              f"p50 {percentile(latencies, 50) * 1000:.0f} ms, p99 {percentile(latencies, 99) * 1000:.0f} ms "
              f"({len(latencies)} closes of {len(symbols)} symbols, {events:.0f} signal events a close); "
              f"backlog of {args.closes} closes: "
              f"{throughput:,.0f} candles/s")
    print(f"live signals throughput ratio, two processes over one: {live[2] / live[1]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--symbols", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--closes", type=int, default=8)
    parser.add_argument("--skip-scan", action="store_true", help="only the live signal figures")
    args = parser.parse_args()
    fresh_database()
    django_setup()
    from django.conf import settings

    from market.selectors import universe_symbols
    from market.services import universe_refresh
    from signals.config import WARMUP
    from signals.services.scanning import market_scan

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"BINANCE_ENV": "sandbox", "BINANCE_SANDBOX_URL": base, "MARKET_UNIVERSE_SIZE": str(args.symbols),
           "DATABASE_URL": os.environ["DATABASE_URL"]}
    os.environ.update(env)
    settings.BINANCE = settings.BINANCE.__class__(**{**settings.BINANCE.__dict__, "sandbox_url": base,
                                                      "env": "sandbox"})
    sandbox = start([str(PYTHON), "-m", "sandbox", "--port", str(port), "--speed", "0", "--no-access-log",
                     "--extra-symbols", str(max(0, args.symbols - 50))])
    queue = f"bench-scale-{uuid.uuid4().hex[:6]}"
    workers = []
    try:
        wait_http(f"{base}/fapi/v1/ping")
        universe_refresh(size=args.symbols)
        symbols = universe_symbols()
        import json
        import urllib.request

        now = json.load(urllib.request.urlopen(f"{base}/fapi/v1/time"))["serverTime"]
        fill_s = fill_store(symbols, WARMUP, now // STEP * STEP - STEP)
        print(f"store: {len(symbols)} symbols x {WARMUP} candles written in {fill_s:.0f} s")

        if args.skip_scan:
            live_figures(symbols, now, args, env)
            return
        closes = Closes(base, symbols)

        def scan_ms() -> float:
            started = time.perf_counter()
            result = market_scan(timeframe="5m", trigger="manual")
            assert result["status"] == "ok" and result["symbols"] == len(symbols) and result["errors"] == 0, result
            return (time.perf_counter() - started) * 1000

        # The first scan of a process reads every window in full; each later one, after a close,
        # reads the rows written since (market/store_mirror.py).
        first = scan_ms()
        inline = []
        for _ in range(args.runs):
            now = closes.next()
            inline.append(scan_ms())
        print(f"one task, in process: {len(symbols)} symbols, first scan (full read) {first:.0f} ms; "
              f"after a close median {statistics.median(inline):.0f} ms (runs {', '.join(f'{d:.0f}' for d in inline)})")

        per_workers = {}
        for n in (1, 2):
            while len(workers) < n:
                name = f"bench{len(workers)}-{queue}@%h"
                workers.append(start([str(PYTHON), "-m", "celery", "-A", "config", "worker", "-Q", queue, "-c", "1",
                                      "-n", name, "--without-gossip", "--without-mingle"], env=env))
            time.sleep(8)  # the workers' start-up (Django, the engine's imports)
            for _ in range(2 * n):  # warm-up: each worker's first batches read their windows in full
                chord_scan(queue, args.batch)
            durations = []
            for _ in range(args.runs):
                now = closes.next()
                durations.append(chord_scan(queue, args.batch)[0])
            per_workers[n] = statistics.median(durations)
            print(f"chord of {-(-len(symbols) // args.batch)} batches on {n} worker(s): median {per_workers[n]:.0f} ms "
                  f"(runs {', '.join(f'{d:.0f}' for d in durations)})")
        print(f"throughput ratio, two workers over one: {per_workers[1] / per_workers[2]:.2f}x")
        live_figures(symbols, now, args, env)

        fenced, plain = fenced_publish(1000, 20)
        print(f"candle events: fenced Lua publish {fenced:.1f} us/candle, plain MULTI {plain:.1f} us/candle "
              f"(1,000 candles a call)")
    finally:
        for worker in workers:
            stop(worker)
        stop(sandbox)


if __name__ == "__main__":
    main()
