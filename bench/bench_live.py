"""Candle close on the exchange stream -> signal event in a dashboard's WebSocket, end to end.

Starts the sandbox (clock paused), `stream_market`, `run_live_signals` and Daphne, connects N
dashboards (spread over client processes), then closes candles one by one by stepping the
sandbox clock. For every signal event about a just-closed candle, latency = time the client
received it - time the candle closed on the sandbox.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/bench_live.py [--clients 1 200 500] [--candles 40]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request

import aiohttp
import orjson

from _stack import BACKEND, PYTHON, django_setup, free_port, percentile, start, stop, wait_http

SIGNAL_EVENTS = ("signal_created", "signal_updated", "signal_deleted")


async def clients_main(url: str, clients: int, seconds: float) -> None:
    """Client process: connect, say "ready", record signal events for `seconds`, print them."""
    seen: list[tuple[float, str, int, int]] = []  # (received ns, type, candle open time, client)

    async def client(session, ready, index) -> None:
        async with session.ws_connect(url, headers={"Origin": "http://127.0.0.1"}) as ws:
            await ready.put(1)
            async for message in ws:
                received = time.time_ns()
                body = orjson.loads(message.data)
                for frame in body["events"] if body.get("type") == "batch" else [body]:
                    if frame.get("type") in SIGNAL_EVENTS:
                        seen.append((received, frame["type"], frame["data"]["signal"]["candle_open_time"], index))

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        ready: asyncio.Queue = asyncio.Queue()
        tasks = [asyncio.create_task(client(session, ready, i)) for i in range(clients)]
        for _ in range(clients):
            await asyncio.wait_for(ready.get(), 60)
        print("ready", flush=True)
        await asyncio.sleep(seconds)
        for task in tasks:
            task.cancel()
    print(json.dumps(seen), flush=True)


def control(base: str, method: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}/sandbox/{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request, timeout=10).read() or b"{}")


def measure(ws_url: str, sandbox: str, clients: int, candles: int, gap_s: float) -> tuple[list[float], int]:
    procs = min(2, clients)
    shares = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    duration = candles * gap_s + 5
    workers = [subprocess.Popen([sys.executable, __file__, "--worker", ws_url, str(n), str(duration)],
                                stdout=subprocess.PIPE, text=True) for n in shares]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready"
    closed_at: dict[int, int] = {}
    for _ in range(candles):
        before = time.time_ns()
        now = control(sandbox, "POST", "clock/step", {"candles": 1})["now"]
        closed_at[now - 300_000] = before
        time.sleep(gap_s)
    # signal_created names the candle that made it; updates and closes are caused by the latest
    # close before they arrived (candles close `gap_s` apart, far longer than the pipeline takes).
    closes = sorted(closed_at.values())
    created, every = [], []
    for worker in workers:
        for received, kind, open_time, _client in json.loads(worker.stdout.readline()):
            if kind == "signal_created" and open_time in closed_at:
                created.append((received - closed_at[open_time]) / 1e6)
            cause = max((t for t in closes if t <= received), default=None)
            if cause is not None:
                every.append((received - cause) / 1e6)
        worker.wait(30)
    return created, every


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 200, 500])
    parser.add_argument("--candles", type=int, default=40)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between candle closes")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(clients_main(args.worker[0], int(args.worker[1]), float(args.worker[2])))
        return
    url = subprocess.check_output([str(PYTHON), "-m", "common.dbtools", "fresh-database", os.environ["DATABASE_URL"],
                                   "--suffix", "_bench_live"], cwd=BACKEND, text=True).strip()
    os.environ["DATABASE_URL"] = url
    subprocess.check_call([str(PYTHON), "manage.py", "migrate", "-v0"], cwd=BACKEND)
    django_setup()
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.REDIS_URL).delete("market:candles", "market:candles:last", "signals:live:last-id")
    sandbox_port, web_port = free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    env = {"BINANCE_ENV": "sandbox", "BINANCE_SANDBOX_URL": sandbox, "MARKET_STREAM_INTERVALS": "5m",
           "MARKET_UNIVERSE_SIZE": "50"}
    processes = [start([str(PYTHON), "-m", "sandbox", "--port", str(sandbox_port), "--speed", "0", "--no-access-log"])]
    try:
        wait_http(f"{sandbox}/fapi/v1/ping")
        processes += [start([str(PYTHON), "manage.py", "stream_market"], env=env),
                      start([str(PYTHON), "manage.py", "run_live_signals"], env=env),
                      start([str(PYTHON), "-m", "daphne", "-b", "127.0.0.1", "-p", str(web_port),
                             "config.asgi:application"], env=env)]
        wait_http(f"http://127.0.0.1:{web_port}/api/schema/")
        client = redis.Redis.from_url(settings.REDIS_URL)
        deadline = time.monotonic() + 90
        while client.hlen("market:candles:last") < 50:
            if time.monotonic() > deadline:
                raise RuntimeError("the stream process did not seed the candle store")
            time.sleep(0.5)
        time.sleep(3)
        print(f"{args.candles} candle closes, {args.gap:g} s apart, 50 symbols on 5m")
        print(f"{'clients':>8} {'events':>16} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for n in args.clients:
            created, every = measure(f"ws://127.0.0.1:{web_port}/ws/signals/", sandbox, n, args.candles, args.gap)
            for label, lat in (("created", created), ("all", every)):
                print(f"{n:>8} {len(lat):>8} {label:>7} {percentile(lat, 50):>8.0f} {percentile(lat, 99):>8.0f} "
                      f"{max(lat):>8.0f}")
    finally:
        for process in reversed(processes):
            stop(process)


if __name__ == "__main__":
    main()
