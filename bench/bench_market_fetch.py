"""Cold batch fetch of 200 candles per pair through the platform's Binance client.

    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/bench_market_fetch.py [--runs 5] [--concurrency 50]

Starts the sandbox exchange in a separate process (``python -m sandbox``, 350 synthetic symbols
on top of the 50 recorded ones, clock paused), injects REST latency with its fault API, and
measures ``client.market_data.klines_fetch_batch(symbols, "5m", 200)`` as a scan calls it:

* 50 pairs at 100 ms latency per request, target 0.6 s wall;
* 400 pairs at 50 ms, target 1.2 s wall.

Each run is cold: a new client (new aiohttp session, so new TCP connections), a fresh governor
scope in Redis and the sandbox's weight counters reset. Reported per scenario: median and best
wall time, CPU seconds of this process (decoding included; the exchange runs elsewhere), the
weight the governor reserved and the weight the exchange counted (X-MBX-USED-WEIGHT-1M), against
the USD-M budget of 2400 per minute.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import urllib.request
import uuid

import aiohttp

from _stack import BACKEND, PYTHON, free_port, start, stop, wait_http

sys.path.insert(0, str(BACKEND))

from market.binance.client import BinanceClient  # noqa: E402
from market.binance.governor import WeightGovernor  # noqa: E402
from market.binance.venues import venue_for  # noqa: E402

SCENARIOS = [(50, 100, 0.6), (400, 50, 1.2)]  # pairs, injected latency (ms), wall target (s)
BUDGET = 2400


def _post(url: str, body) -> None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5).read()


def _delete(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=5).read()


async def one_run(base_url: str, redis_url: str, symbols: list[str], concurrency: int) -> dict:
    used: list[int] = []
    trace = aiohttp.TraceConfig()

    async def on_end(session, ctx, params):
        used.append(int(params.response.headers.get("X-MBX-USED-WEIGHT-1M", 0)))

    trace.on_request_end.append(on_end)
    governor = WeightGovernor(redis_url, scope=f"bench-{uuid.uuid4().hex[:8]}")
    client = BinanceClient(venue_for("sandbox", "usdm", sandbox_url=base_url), governor,
                           max_concurrency=concurrency, trace_configs=[trace])
    wall0, cpu0 = time.perf_counter(), time.process_time()
    async with client:
        batch = await client.market_data.klines_fetch_batch(symbols, "5m", 200)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    assert not batch.errors and all(len(k) == 200 for k in batch.klines.values()), batch.errors
    cleaner = WeightGovernor(redis_url, scope=governor.scope)
    await cleaner.reset()
    await cleaner.close()
    return {"wall_s": wall, "cpu_s": cpu, "weight_reserved": client.stats.weight,
            "weight_counted": max(used), "requests": client.stats.requests}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    sandbox = start([str(PYTHON), "-m", "sandbox", "--host", "127.0.0.1", "--port", str(port), "--speed", "0",
                     "--extra-symbols", "350", "--keys-file", f"/tmp/bench-market-keys-{port}.json"])
    results = []
    try:
        wait_http(f"{base_url}/sandbox/status")
        info = json.loads(urllib.request.urlopen(f"{base_url}/fapi/v1/exchangeInfo", timeout=10).read())
        symbols = [s["symbol"] for s in info["symbols"]]
        for pairs, latency_ms, target in SCENARIOS:
            _delete(f"{base_url}/sandbox/faults")
            _post(f"{base_url}/sandbox/faults", {"kind": "latency", "ms": latency_ms, "path_prefix": "/fapi/v1/klines"})
            runs = []
            for _ in range(args.runs + 1):  # the first run warms the sandbox's row caches; not counted
                _post(f"{base_url}/sandbox/limits/reset", {})
                runs.append(asyncio.run(one_run(base_url, redis_url, symbols[:pairs], args.concurrency)))
            runs = runs[1:]
            walls = [r["wall_s"] for r in runs]
            results.append({
                "pairs": pairs, "latency_ms": latency_ms, "concurrency": args.concurrency, "runs": len(runs),
                "wall_median_s": round(statistics.median(walls), 3), "wall_best_s": round(min(walls), 3),
                "cpu_median_s": round(statistics.median(r["cpu_s"] for r in runs), 3),
                "weight_reserved": runs[-1]["weight_reserved"],
                "weight_counted_by_exchange": runs[-1]["weight_counted"],
                "weight_share_of_budget": round(runs[-1]["weight_counted"] / BUDGET, 3),
                "target_wall_s": target, "meets_target": statistics.median(walls) <= target,
            })
    finally:
        stop(sandbox)
    for r in results:
        print(f"{r['pairs']:>4} pairs x 200 candles @ {r['latency_ms']} ms: wall {r['wall_median_s']:.3f} s median "
              f"(best {r['wall_best_s']:.3f}, target {r['target_wall_s']}), CPU {r['cpu_median_s']:.3f} s, "
              f"weight {r['weight_counted_by_exchange']} / {BUDGET} ({r['weight_share_of_budget']:.0%})")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
