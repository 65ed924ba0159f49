"""Broadcast latency: an event published by `dispatcher.publish` to N dashboards on /ws/signals/.

Starts Daphne on a free port (the platform's ASGI app, Redis channel layer), connects N
WebSocket clients, publishes events from this process and measures, per client and event,
the time from publish to receipt.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/bench_broadcast.py [--clients 1 200 500] [--events 40]
"""
from __future__ import annotations

import argparse
import asyncio
import time

import aiohttp
import orjson

from _stack import PYTHON, django_setup, free_port, percentile, start, stop, wait_http


async def run(url: str, clients: int, events: int, rate: float) -> list[float]:
    from asgiref.sync import sync_to_async

    from realtime.dispatcher import publish
    from realtime.events import Event

    latencies: list[float] = []
    received = 0
    done = asyncio.Event()

    async def client(session: aiohttp.ClientSession, ready: asyncio.Queue) -> None:
        nonlocal received
        async with session.ws_connect(url, headers={"Origin": "http://127.0.0.1"}) as ws:
            await ready.put(1)
            async for message in ws:
                frame = orjson.loads(message.data)
                if frame.get("type") == "scanner_status" and "bench_ns" in frame["data"]:
                    latencies.append((time.time_ns() - frame["data"]["bench_ns"]) / 1e6)
                    received += 1
                    if received == clients * events:
                        done.set()
                if done.is_set():
                    return

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        ready: asyncio.Queue = asyncio.Queue()
        tasks = [asyncio.create_task(client(session, ready)) for _ in range(clients)]
        for _ in range(clients):
            await asyncio.wait_for(ready.get(), 60)
        await asyncio.sleep(0.5)
        for _ in range(events):
            await sync_to_async(publish)(Event("scanner_status", {"bench_ns": time.time_ns()}))
            await asyncio.sleep(1 / rate)
        try:
            await asyncio.wait_for(done.wait(), 30)
        except asyncio.TimeoutError:
            print(f"  warning: {clients * events - received} deliveries missing after 30 s")
        for task in tasks:
            task.cancel()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 200, 500])
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--rate", type=float, default=10.0, help="events per second")
    parser.add_argument("--verbose", action="store_true", help="show the server log")
    args = parser.parse_args()
    django_setup()
    port = free_port()
    daphne = start([str(PYTHON), "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
                   quiet=not args.verbose)
    try:
        wait_http(f"http://127.0.0.1:{port}/api/schema/")
        print(f"{'clients':>8} {'deliveries':>11} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for n in args.clients:
            lat = asyncio.run(run(f"ws://127.0.0.1:{port}/ws/signals/", n, args.events, args.rate))
            print(f"{n:>8} {len(lat):>11} {percentile(lat, 50):>8.1f} {percentile(lat, 99):>8.1f} {max(lat):>8.1f}")
    finally:
        stop(daphne)


if __name__ == "__main__":
    main()
