"""A full scan through the Celery task, on a real worker, against the sandbox at set latency.

For each case (pairs, injected latency): start the sandbox (with synthetic symbols beyond the
50 recorded ones when needed), refresh the universe to that size, run `scan_binance_market`
on a Celery worker (prefork, as `make run` starts it) a few times, and report the scan's own
duration, the round trip through the queue (the result backend is polled every 0.5 s), the
REST weight used against the per-minute budget, and the worker's memory between scans.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/bench_scan.py [--runs 5]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import time
import urllib.request

from _stack import PYTHON, django_setup, free_port, fresh_database, start, stop, wait_http

CASES = [(50, 100), (400, 50)]  # (pairs, injected latency ms)


def control(base: str, path: str, body: dict) -> None:
    request = urllib.request.Request(f"{base}/sandbox/{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).read()


def governor_reset() -> None:
    """Forget our own weight reservations: each measured scan starts from a fresh minute, as the
    60-second schedule gives it (back-to-back scans would wait for the budget, by design)."""
    import asyncio

    from market.binance.client import BinanceClient

    async def reset() -> None:
        client = BinanceClient.from_settings()
        await client.governor.reset()
        await client.governor.close()

    asyncio.run(reset())


def worker_memory_mb(worker: subprocess.Popen) -> tuple[float, float]:
    """(largest resident set, largest unique set) over the worker's processes, in MB.

    Prefork children share the parent's pages (Django, numpy...): RSS counts them in every
    process, USS only what a process alone holds, i.e. what one more child costs.
    """
    import psutil

    parent = psutil.Process(worker.pid)
    infos = [p.memory_full_info() for p in [parent, *parent.children(recursive=True)]]
    return max(i.rss for i in infos) / 2**20, max(i.uss for i in infos) / 2**20


def run_case(pairs: int, latency_ms: int, runs: int) -> dict:
    from market.services import universe_refresh
    from signals.models import ScanRun
    from signals.tasks import scan_binance_market

    port = free_port()
    sandbox = start([str(PYTHON), "-m", "sandbox", "--port", str(port), "--speed", "0", "--no-access-log",
                     "--extra-symbols", str(max(0, pairs - 50))])
    base = f"http://127.0.0.1:{port}"
    env = {"BINANCE_ENV": "sandbox", "BINANCE_SANDBOX_URL": base, "MARKET_UNIVERSE_SIZE": str(pairs)}
    os.environ.update(env)
    from django.conf import settings

    settings.BINANCE = settings.BINANCE.__class__(**{**settings.BINANCE.__dict__, "sandbox_url": base})
    worker = start([str(PYTHON), "-m", "celery", "-A", "config", "worker", "-Q", "scanner", "-c", "2",
                    "-n", f"bench-{port}@%h", "--without-gossip", "--without-mingle"], env=env)
    try:
        wait_http(f"{base}/fapi/v1/ping")
        universe_refresh(size=pairs)
        control(base, "faults", {"kind": "latency", "ms": latency_ms, "path_prefix": "/fapi/v1/klines"})
        governor_reset()
        scan_binance_market.delay().get(timeout=120)  # warm-up: imports, connections
        durations, round_trips, weights = [], [], []
        for _ in range(runs):
            control(base, "limits/reset", {})
            governor_reset()
            started = time.perf_counter()
            result = scan_binance_market.delay().get(timeout=120)
            round_trips.append((time.perf_counter() - started) * 1000)
            run = ScanRun.objects.get(pk=result["scan_run"])
            assert run.status == "ok" and run.symbols == pairs, (run.status, run.symbols, run.errors)
            durations.append(run.duration_ms)
            weights.append(run.weight_used)
            control(base, "clock/step", {"candles": 1})
        time.sleep(1)  # resident memory between scans (they come every 60 s), not mid-task
        return {"pairs": pairs, "latency_ms": latency_ms, "scan_ms": durations, "round_trip_ms": round_trips,
                "weight": weights[-1], "memory_mb": worker_memory_mb(worker)}
    finally:
        stop(worker)
        stop(sandbox)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    fresh_database()
    django_setup()
    print(f"{'pairs':>6} {'latency':>8} {'scan p50':>9} {'best':>7} {'round trip':>11} {'weight':>7} {'of budget':>10} "
          f"{'worker RSS':>11} {'USS':>7}")
    for pairs, latency in CASES:
        r = run_case(pairs, latency, args.runs)
        print(f"{pairs:>6} {latency:>6}ms {statistics.median(r['scan_ms']):>7.0f}ms {min(r['scan_ms']):>5.0f}ms "
              f"{statistics.median(r['round_trip_ms']):>9.0f}ms {r['weight']:>7} {r['weight'] / 2400:>9.0%} "
              f"{r['memory_mb'][0]:>9.0f}MB {r['memory_mb'][1]:>5.0f}MB")


if __name__ == "__main__":
    main()
