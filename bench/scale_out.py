"""Scale-out figures: a store-based scan of 1,000 symbols in one task and as a chord of batches on
one and on two Celery workers, and the cost of the stream shards' fenced publish.

    DATABASE_URL=... REDIS_URL=... CELERY_BROKER_URL=... .venv/bin/python bench/scale_out.py [--symbols 1000] [--runs 3]

A fresh database (<name>_bench) gets the sandbox's universe and, per symbol, the 1,000 closed 5m
candles the scan reads (a random walk written with the store's own upsert), ending at the
sandbox's paused clock, so every window is in the store and no candle is fetched over REST. The
machine is shared and has 2 cores: the figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid

from _stack import PYTHON, django_setup, free_port, start, stop, wait_http

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--symbols", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=250)
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(__file__))
    from bench_scan import fresh_database

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

        inline = []
        for _ in range(args.runs):
            started = time.perf_counter()
            result = market_scan(timeframe="5m", trigger="manual")
            inline.append((time.perf_counter() - started) * 1000)
            assert result["status"] == "ok" and result["symbols"] == len(symbols), result
        print(f"one task, in process: {len(symbols)} symbols, median {statistics.median(inline):.0f} ms "
              f"(runs {', '.join(f'{d:.0f}' for d in inline)})")

        per_workers = {}
        for n in (1, 2):
            while len(workers) < n:
                name = f"bench{len(workers)}-{queue}@%h"
                workers.append(start([str(PYTHON), "-m", "celery", "-A", "config", "worker", "-Q", queue, "-c", "1",
                                      "-n", name, "--without-gossip", "--without-mingle"], env=env))
            time.sleep(8)  # the workers' start-up (Django, the engine's imports)
            chord_scan(queue, args.batch)  # warm-up
            durations = [chord_scan(queue, args.batch)[0] for _ in range(args.runs)]
            per_workers[n] = statistics.median(durations)
            print(f"chord of {-(-len(symbols) // args.batch)} batches on {n} worker(s): median {per_workers[n]:.0f} ms "
                  f"(runs {', '.join(f'{d:.0f}' for d in durations)})")
        print(f"throughput ratio, two workers over one: {per_workers[1] / per_workers[2]:.2f}x")

        fenced, plain = fenced_publish(1000, 20)
        print(f"candle events: fenced Lua publish {fenced:.1f} us/candle, plain MULTI {plain:.1f} us/candle "
              f"(1,000 candles a call)")
    finally:
        for worker in workers:
            stop(worker)
        stop(sandbox)


if __name__ == "__main__":
    main()
