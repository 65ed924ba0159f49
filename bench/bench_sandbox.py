"""How many 200-candle klines requests per second the sandbox serves (no injected latency).

    .venv/bin/python bench/bench_sandbox.py [--requests 20000] [--concurrency 32] [--extra-symbols 350]

Starts ``python -m sandbox`` in a separate process on a free loopback port (weight budget raised so
no request is refused), warms the kline caches with one request per symbol, then sends
``--requests`` GET /fapi/v1/klines?symbol=<S>&interval=5m&limit=200 over ``--concurrency``
keep-alive connections, cycling through the symbols. Prints req/s and latency p50/p99.
Pass ``--url`` to measure a server that is already running instead.
"""
from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, extra_symbols: int, keys_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--host", "127.0.0.1", "--port", str(port),
         "--extra-symbols", str(extra_symbols), "--weight-budget-usdm", "1000000000",
         "--keys-file", str(keys_dir / "bench_keys.json")],
        cwd=ROOT / "backend", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def wait_ready(session: aiohttp.ClientSession, base: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            async with session.get(f"{base}/fapi/v1/ping") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("sandbox did not start")
        await asyncio.sleep(0.1)


async def run(base: str, requests: int, concurrency: int) -> None:
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await wait_ready(session, base)
        async with session.get(f"{base}/fapi/v1/exchangeInfo") as resp:
            symbols = [s["symbol"] for s in (await resp.json())["symbols"]]
        for symbol in symbols:  # warm-up: builds the serialised rows once per replayed series
            async with session.get(f"{base}/fapi/v1/klines",
                                   params={"symbol": symbol, "interval": "5m", "limit": "200"}) as resp:
                assert resp.status == 200, await resp.text()
                await resp.read()
        latencies: list[float] = []
        errors = 0
        counter = iter(range(requests))

        async def worker() -> None:
            nonlocal errors
            for n in counter:
                url = f"{base}/fapi/v1/klines?symbol={symbols[n % len(symbols)]}&interval=5m&limit=200"
                started = time.perf_counter()
                async with session.get(url) as resp:
                    body = await resp.read()
                    if resp.status != 200 or body.count(b"],[") != 199:
                        errors += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"symbols={len(symbols)} requests={requests} concurrency={concurrency} errors={errors}")
    print(f"throughput: {requests / elapsed:,.0f} req/s  (200-candle klines, {elapsed:.2f} s)")
    print(f"latency:    p50 {p50:.2f} ms   p99 {p99:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--extra-symbols", type=int, default=350)
    parser.add_argument("--url", help="benchmark this running sandbox instead of starting one")
    args = parser.parse_args()
    if args.url:
        asyncio.run(run(args.url.rstrip("/"), args.requests, args.concurrency))
        return
    port = free_port()
    keys_dir = ROOT / ".data" / "bench"
    keys_dir.mkdir(parents=True, exist_ok=True)
    server = start_server(port, args.extra_symbols, keys_dir)
    try:
        asyncio.run(run(f"http://127.0.0.1:{port}", args.requests, args.concurrency))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
