"""The strategy engine under load: 100 running strategies over 50 symbols against the sandbox.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/strategies_engine.py [--runs 100] [--rounds 6]

A fresh database (`<name>_bench_strategies`), the sandbox (clock paused, IP weight budget raised so
the governor does not hold the flow: this measures the engine, not Binance's limits) and
`manage.py run_strategies` on a stream key of its own.  The candle store gets 600 recorded 5m
candles of each of the 50 recorded pairs; 10 owners with a paper account each run 10 strategies,
one symbol each (2 runs per symbol).  Each strategy opens on every candle: LONG if the close rose,
SHORT if not, 2% of the balance (so every decision is an order: the worst case).

Each round publishes the next closed candle of all 50 symbols at once (one XADD pipeline, as the
stream process does when a 5m candle closes) and waits until every run's order is acknowledged.
Per order: candle published -> decision stored, and -> the sandbox's answer stored (the order's
last update, written by `order_send`).  Memory: the engine's RSS with no run, then with the runs
after the rounds; the difference per running strategy (the shared candle windows included).
Prints figures; no pass/fail.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

from _stack import BACKEND, PYTHON, django_setup, free_port, percentile, start, stop, wait_http

STORED, TF = 600, "5m"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def program() -> dict:
    sys.path.insert(0, str(BACKEND))
    from strategies.compiler import compile_workspace
    from strategies.tests.workspaces import candle, cmp, if_, num, open_, workspace

    size = {"size_mode": "percent_balance"}
    return compile_workspace(workspace(if_(cmp(candle("close"), "gt", candle("close", back=1)),
                                           [open_("LONG", num(2), **size)], [open_("SHORT", num(2), **size)])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--threads", type=int, default=8, help="the engine's worker threads")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    url = subprocess.check_output([str(PYTHON), "-m", "common.dbtools", "fresh-database", os.environ["DATABASE_URL"],
                                   "--suffix", "_bench_strategies"], cwd=BACKEND, text=True).strip()
    port = free_port()
    sandbox = f"http://127.0.0.1:{port}"
    from cryptography.fernet import Fernet

    env = {"DATABASE_URL": url, "BINANCE_ENV": "sandbox", "BINANCE_SANDBOX_URL": sandbox, "DJANGO_DEBUG": "true",
           "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    os.environ.update(env)
    subprocess.check_call([str(PYTHON), "manage.py", "migrate", "-v0"], cwd=BACKEND)
    keys = Path(tempfile.mkdtemp(prefix="bench-strategies-")) / "keys.json"
    processes = [start([str(PYTHON), "-m", "sandbox", "--port", str(port), "--speed", "0", "--no-access-log",
                        "--weight-budget-usdm", "1000000", "--keys-file", str(keys)], quiet=not args.verbose)]
    try:
        wait_http(f"{sandbox}/fapi/v1/ping")
        django_setup()
        import redis
        from django.conf import settings
        from django.contrib.auth.models import User

        from accounts.services.exchange_accounts import paper_account_ensure
        from market.binance.schemas import Candle
        from market.candle_events import candle_event_fields
        from market.services import candles_upsert
        from sandbox.data.recorded import recorded_candles
        from strategies.engine.process import GROUP
        from strategies.models import Strategy, StrategyDecision, StrategyRun, StrategyVersion
        from trading.models import BalanceSnapshot, Order, RiskLimits

        async def governor_from_exchange_info():  # the sandbox's raised budget, as the stream process reads it
            from market.binance.client import BinanceClient

            async with BinanceClient.from_settings() as binance:
                await binance.market_data.exchange_info()

        import asyncio

        asyncio.run(governor_from_exchange_info())
        tables = recorded_candles()
        symbols = sorted(tables)[:50]

        def candle_of(symbol: str, i: int) -> Candle:
            t, o, h, lo, c, v = (float(x) for x in tables[symbol][i])
            return Candle(symbol, TF, int(t), int(t) + 299_999, repr(o), repr(h), repr(lo), repr(c), repr(v),
                          repr(v * c), 1, "0", "0")

        for symbol in symbols:
            candles_upsert([candle_of(symbol, i) for i in range(STORED)])
        stream = f"bench:candles:{uuid.uuid4().hex[:6]}"
        client = redis.Redis.from_url(settings.REDIS_URL)
        client.xgroup_create(stream, GROUP, id="$", mkstream=True)
        engine = start([str(PYTHON), "manage.py", "run_strategies", "--stream", stream, "--threads", str(args.threads)],
                       env=env, quiet=not args.verbose)
        processes.append(engine)
        time.sleep(4)
        idle_rss = rss_mb(engine.pid)

        ir, owners = program(), max(1, args.runs // 10)
        runs = []
        for k in range(owners):
            user = User.objects.create_user(username=f"bench-{uuid.uuid4().hex[:6]}@example.com")
            account = paper_account_ensure(user=user)
            if account is None:
                raise RuntimeError("no paper account: the sandbox did not make a key")
            RiskLimits.objects.update_or_create(account=account, defaults={
                "max_orders_per_minute": 100_000, "max_position_notional": Decimal(10**9),
                "max_total_notional": Decimal(10**9), "max_open_positions": 1000, "daily_loss_limit": None})
            BalanceSnapshot.objects.create(account=account, asset="USDT", wallet_balance=Decimal(10_000),
                                           available_balance=Decimal(10_000))
            strategy = Strategy.objects.create(owner=user, name="bench", last_version=1)
            version = StrategyVersion.objects.create(strategy=strategy, number=1, workspace={}, ir=ir)
            for j in range(args.runs // owners):
                runs.append(StrategyRun.objects.create(owner=user, version=version, exchange_account=account,
                                                       symbols=[symbols[(k * 10 + j) % len(symbols)]], timeframe=TF))
        time.sleep(2)  # picked up within a second

        to_decision, to_ack, round_walls = [], [], []
        cpu = {}
        for r in range(args.rounds + 1):  # round 0 warms up (windows seeded, sessions and filters cached)
            pipe = client.pipeline(transaction=True)
            for symbol in symbols:
                pipe.xadd(stream, candle_event_fields(candle_of(symbol, STORED + r), source="stream", market="usdm"))
            published = time.time()
            pipe.execute()
            open_time = int(tables[symbols[0]][STORED + r][0])
            deadline = time.monotonic() + 120
            while True:
                rows = list(StrategyDecision.objects.filter(candle_time=open_time).select_related("order"))
                if len(rows) == len(runs) and all(d.outcome or (d.order and d.order.status not in (
                        "PENDING", "SENDING")) for d in rows):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"round {r}: {len(rows)} of {len(runs)} decisions after 120 s")
                time.sleep(0.05)
            refused = [d.outcome for d in rows if d.outcome]
            if refused:
                print(f"round {r}: {len(refused)} not placed, e.g. {refused[0]}")
            if r == 0:
                cpu = {"engine": cpu_s(engine.pid), "sandbox": cpu_s(processes[0].pid)}
                continue
            round_walls.append((max(d.order.updated_at.timestamp() for d in rows if d.order) - published) * 1000)
            if args.verbose:
                print(f"round {r}: last order acknowledged {round_walls[-1]:.0f} ms after the candles")
            for d in rows:
                to_decision.append((d.created_at.timestamp() - published) * 1000)
                if d.order:
                    to_ack.append((d.order.updated_at.timestamp() - published) * 1000)
        busy_rss = rss_mb(engine.pid)
        cpu = {name: cpu_s(p.pid) - cpu[name] for name, p in (("engine", engine), ("sandbox", processes[0]))}
        filled = Order.objects.filter(status="FILLED").count()

        print(f"{len(runs)} running strategies over {len(symbols)} symbols, {args.rounds} candle closes "
              f"(+1 warm-up), engine with {args.threads} threads; {filled} orders FILLED on the sandbox")
        print(f"{'':<52} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for label, values in (("candle published -> decision + PENDING order stored", to_decision),
                              ("candle published -> order acknowledged", to_ack),
                              ("candle published -> last order of the round", round_walls)):
            print(f"{label:<52} {len(values):>6} {percentile(values, 50):>8.1f} {percentile(values, 99):>8.1f} "
                  f"{max(values):>8.1f}")
        print(f"engine RSS: {idle_rss:.1f} MB idle, {busy_rss:.1f} MB with {len(runs)} runs: "
              f"{(busy_rss - idle_rss) * 1024 / len(runs):.0f} KB per running strategy")
        orders = len(to_ack)
        print(f"CPU per order: engine {cpu['engine'] * 1000 / orders:.1f} ms, sandbox {cpu['sandbox'] * 1000 / orders:.1f} ms"
              f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        stop(engine)
        client.delete(stream)
    finally:
        for process in reversed(processes):
            stop(process)


if __name__ == "__main__":
    main()
