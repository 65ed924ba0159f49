"""Broadcast latency: an event published by `dispatcher.publish` to N dashboards on /ws/signals/.

Starts Daphne on a free port (the platform's ASGI app and channel layer), connects N WebSocket
clients spread over client processes (as browsers would be), publishes events from this
process and measures, per client and event, the time from publish to receipt.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/bench_broadcast.py [--clients 1 200 500]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time

import aiohttp
import orjson

from _stack import PYTHON, django_setup, free_port, percentile, start, stop, wait_http


async def clients_main(url: str, clients: int, events: int) -> None:
    """Client process: connect, say "ready", collect latencies, print them as JSON."""
    latencies: list[float] = []

    async def client(session: aiohttp.ClientSession, ready: asyncio.Queue) -> None:
        seen = 0
        async with session.ws_connect(url, headers={"Origin": "http://127.0.0.1"}) as ws:
            await ready.put(1)
            async for message in ws:
                frame = orjson.loads(message.data)
                if frame.get("type") == "scanner_status" and "bench_ns" in frame["data"]:
                    latencies.append((time.time_ns() - frame["data"]["bench_ns"]) / 1e6)
                    seen += 1
                    if seen == events:
                        return

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        ready: asyncio.Queue = asyncio.Queue()
        tasks = [asyncio.create_task(client(session, ready)) for _ in range(clients)]
        for _ in range(clients):
            await asyncio.wait_for(ready.get(), 60)
        print("ready", flush=True)
        await asyncio.wait(tasks, timeout=60)
    print(json.dumps(latencies), flush=True)


def measure(url: str, clients: int, procs: int, events: int, rate: float) -> list[float]:
    from realtime.dispatcher import publish
    from realtime.events import Event

    shares = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    workers = [
        subprocess.Popen([sys.executable, __file__, "--worker", url, str(n), str(events)],
                         stdout=subprocess.PIPE, text=True)
        for n in shares if n
    ]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    for _ in range(events):
        publish(Event("scanner_status", {"bench_ns": time.time_ns()}))
        time.sleep(1 / rate)
    latencies: list[float] = []
    for worker in workers:
        latencies += json.loads(worker.stdout.readline())
        worker.wait(30)
    missing = clients * events - len(latencies)
    if missing:
        print(f"  warning: {missing} deliveries missing")
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 200, 500])
    parser.add_argument("--client-procs", type=int, default=2, help="processes the clients are spread over")
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--rate", type=float, default=10.0, help="events per second")
    parser.add_argument("--verbose", action="store_true", help="show the server log")
    parser.add_argument("--worker", nargs=3, metavar=("URL", "CLIENTS", "EVENTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        url, n, events = args.worker
        asyncio.run(clients_main(url, int(n), int(events)))
        return
    django_setup()
    port = free_port()
    daphne = start([str(PYTHON), "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
                   quiet=not args.verbose)
    try:
        wait_http(f"http://127.0.0.1:{port}/api/schema/")
        print(f"{args.events} events at {args.rate:g}/s, clients over {args.client_procs} processes, one Daphne")
        print(f"{'clients':>8} {'deliveries':>11} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for n in args.clients:
            lat = measure(f"ws://127.0.0.1:{port}/ws/signals/", n, min(args.client_procs, n), args.events, args.rate)
            print(f"{n:>8} {len(lat):>11} {percentile(lat, 50):>8.1f} {percentile(lat, 99):>8.1f} {max(lat):>8.1f}")
    finally:
        stop(daphne)


if __name__ == "__main__":
    main()
