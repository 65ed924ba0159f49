"""Trading latency: an order through the platform's service to the sandbox and back; a user data
stream event to the owner's browser socket.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/trading_orders.py [--orders 500] [--events 200]

Starts the sandbox (clock paused, no injected latency) on a free loopback port and uses a fresh
database (`<name>_bench_trading`) with one user and their paper account (risk limits raised so the
bench is not refused).

1. **Order round trip**, in this process: `order_create(send=False)` (exchange filters, the
   position read for the risk checks, the checks, the order stored PENDING) then `order_send`
   (claim, signing, POST /fapi/v1/order, the answer stored), as the API and the `trading` worker
   run them (each on its thread's pooled exchange session); then again with a new exchange
   session opened and closed for each call (the cost pooling saves). MARKET
   orders alternating BUY/SELL, `--rate` per second: each order reads positionRisk (weight 5) for
   its risk checks, and the weight governor (80% of 2400 a minute per IP) holds any faster flow,
   up to a minute for one order.
2. **User data stream -> browser**: `run_trading` and Daphne started; a WebSocket client signs in
   on `/ws/account/` as the owner; orders are sent straight to the sandbox with signed HTTP (not
   through the platform), and for each one the time from the sandbox's answer (it pushes the
   user data stream event before it answers) to the first `order_updated` frame naming it.
   The time from the request's send is printed beside it (an upper bound).

Prints p50/p99/max in milliseconds; no pass/fail.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import os
import subprocess
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import orjson

from _stack import BACKEND, PYTHON, django_setup, free_port, percentile, start, stop, wait_http

SYMBOL = "BTCUSDT"
QUANTITY = Decimal("0.002")


def summary(label: str, values: list[float]) -> str:
    return (f"{label:<56} {len(values):>6} {percentile(values, 50):>8.1f} {percentile(values, 99):>8.1f} "
            f"{max(values):>8.1f}")


# --- 1. the order round trip through the service ------------------------------------------------

def orders_through_service(account, count: int, rate: float, *, pooled: bool) -> dict[str, list[float]]:
    """`order_create(send=False)` then `order_send`, as the API then the worker run them: on the
    thread's pooled session (`pooled`), or each call on a new session closed after it."""
    from trading.exchange import ExchangeSession
    from trading.services.orders import order_create, order_send

    def fresh():
        return contextlib.nullcontext() if pooled else ExchangeSession(account)

    timings: dict[str, list[float]] = {"create": [], "send": [], "total": []}
    side = "BUY"
    for index in range(count + 10):  # the first 10 warm the filters cache and the connections
        began = time.perf_counter()
        with fresh() as session:
            order = order_create(account=account, symbol=SYMBOL, side=side, type="MARKET", quantity=QUANTITY,
                                 send=False, session=session)
        created = time.perf_counter()
        with fresh() as session:
            order = order_send(order_id=order.pk, session=session)
        done = time.perf_counter()
        if order.status != "FILLED":
            raise RuntimeError(f"order {index} ended {order.status}, not FILLED")
        if index >= 10:
            timings["create"].append((created - began) * 1000)
            timings["send"].append((done - created) * 1000)
            timings["total"].append((done - began) * 1000)
        side = "SELL" if side == "BUY" else "BUY"
        time.sleep(max(0.0, 1 / rate - (done - began)))
    return timings


# --- 2. user data stream event -> the owner's socket -------------------------------------------

def signed_url(base: str, path: str, params: dict, secret: str) -> str:
    query = urlencode({**params, "recvWindow": 5000, "timestamp": int(time.time() * 1000)})
    signature = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    return f"{base}{path}?{query}&signature={signature}"


async def stream_to_socket(ws_url: str, token: str, sandbox: str, api_key: str, secret: str, count: int,
                           gap_s: float) -> tuple[list[float], list[float]]:
    answered: dict[str, int] = {}
    sent: dict[str, int] = {}
    first_frame: dict[str, int] = {}

    async def listen(ws) -> None:
        async for message in ws:
            received = time.time_ns()
            body = orjson.loads(message.data)
            for frame in body["events"] if body.get("type") == "batch" else [body]:
                if frame.get("type") == "order_updated":
                    cid = frame["data"]["order"]["client_order_id"]
                    first_frame.setdefault(cid, received)

    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(ws_url, headers={"Origin": "http://127.0.0.1"}) as ws:
            await ws.send_json({"type": "auth", "token": token})
            welcome = await ws.receive_json(timeout=10)
            assert welcome["type"] == "welcome", welcome
            listener = asyncio.create_task(listen(ws))
            await asyncio.sleep(0.5)
            side = "BUY"
            for index in range(count):
                cid = f"bench-{uuid.uuid4().hex[:16]}"
                params = {"symbol": SYMBOL, "side": side, "type": "MARKET", "quantity": str(QUANTITY),
                          "newClientOrderId": cid}
                sent[cid] = time.time_ns()
                async with session.post(signed_url(sandbox, "/fapi/v1/order", params, secret),
                                        headers={"X-MBX-APIKEY": api_key}) as response:
                    await response.read()
                    answered[cid] = time.time_ns()
                    if response.status != 200:
                        raise RuntimeError(f"event order {index}: HTTP {response.status}")
                side = "SELL" if side == "BUY" else "BUY"
                await asyncio.sleep(gap_s)
            deadline = time.monotonic() + 10
            while len(first_frame.keys() & sent.keys()) < count and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            listener.cancel()
    missing = count - len(first_frame.keys() & sent.keys())
    if missing:
        print(f"  warning: {missing} orders never reached the socket")
    from_answer = [(first_frame[c] - answered[c]) / 1e6 for c in sent if c in first_frame]
    from_send = [(first_frame[c] - sent[c]) / 1e6 for c in sent if c in first_frame]
    return from_answer, from_send


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--rate", type=float, default=5.0,
                        help="orders per second in part 1 (each costs 5 of the IP's 2400 weight a minute)")
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between the orders of part 2")
    parser.add_argument("--verbose", action="store_true", help="show the processes' logs")
    args = parser.parse_args()

    url = subprocess.check_output([str(PYTHON), "-m", "common.dbtools", "fresh-database", os.environ["DATABASE_URL"],
                                   "--suffix", "_bench_trading"], cwd=BACKEND, text=True).strip()
    sandbox_port, web_port = free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    from cryptography.fernet import Fernet

    # The bench's own database holds the paper key, encrypted under a key made for this run.
    env = {"DATABASE_URL": url, "BINANCE_ENV": "sandbox", "BINANCE_SANDBOX_URL": sandbox, "DJANGO_DEBUG": "true",
           "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    os.environ.update(env)
    subprocess.check_call([str(PYTHON), "manage.py", "migrate", "-v0"], cwd=BACKEND)
    keys = Path(tempfile.mkdtemp(prefix="bench-trading-")) / "keys.json"
    processes = [start([str(PYTHON), "-m", "sandbox", "--port", str(sandbox_port), "--speed", "0", "--no-access-log",
                        "--keys-file", str(keys)], quiet=not args.verbose)]
    try:
        wait_http(f"{sandbox}/fapi/v1/ping")
        django_setup()
        from django.contrib.auth.models import User
        from rest_framework_simplejwt.tokens import AccessToken

        from accounts import crypto
        from accounts.models import AccountStatus, ExchangeAccount
        from accounts.services.exchange_accounts import paper_account_ensure
        from trading.models import ReconciliationRun, RiskLimits

        def trader():
            user = User.objects.create_user(username=f"bench-{uuid.uuid4().hex[:6]}@example.com", email="b@example.com")
            account = paper_account_ensure(user=user)
            if account is None:
                raise RuntimeError("no paper account: the sandbox did not make a key (see the warning above)")
            RiskLimits.objects.update_or_create(account=account, defaults={
                "max_orders_per_minute": 100_000, "max_position_notional": Decimal(10**9),
                "max_total_notional": Decimal(10**9), "max_open_positions": 1000, "daily_loss_limit": None})
            return user, account

        _, account = trader()
        print(f"order round trip through the service: {args.orders} MARKET orders at {args.rate:g}/s, loopback")
        print(f"{'':<56} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for pooled, label in ((True, "the thread's pooled session, as the API and worker"),
                              (False, "a new session per call (no pooling)")):
            timings = orders_through_service(account, args.orders, args.rate, pooled=pooled)
            print(f"  {label}:")
            print(summary("    order_create (filters, positionRisk, risk, stored)", timings["create"]))
            print(summary("    order_send (claim, sign, POST, answer stored)", timings["send"]))
            print(summary("    order through the service and back", timings["total"]))

        # Part 2 on a second account; the first (1,000 orders of history) is set aside so that the
        # trading process's start-up reconciliation of it does not run during the measurement.
        ExchangeAccount.objects.filter(pk=account.pk).update(status=AccountStatus.FAILED)
        user, account = trader()
        processes += [
            start([str(PYTHON), "manage.py", "run_trading"], env=env, quiet=not args.verbose),
            start([str(PYTHON), "-m", "daphne", "-b", "127.0.0.1", "-p", str(web_port), "config.asgi:application"],
                  env=env, quiet=not args.verbose),
        ]
        wait_http(f"http://127.0.0.1:{web_port}/api/schema/")
        deadline = time.monotonic() + 60
        while not ReconciliationRun.objects.filter(account=account, trigger="startup",
                                                   status__in=("clean", "corrected")).exists():
            if time.monotonic() > deadline:
                raise RuntimeError("run_trading did not connect and reconcile the account")
            time.sleep(0.2)
        token = str(AccessToken.for_user(user))
        api_key = crypto.decrypt(account.api_key_encrypted).reveal()
        secret = crypto.decrypt(account.api_secret_encrypted).reveal()
        from_answer, from_send = asyncio.run(stream_to_socket(
            f"ws://127.0.0.1:{web_port}/ws/account/", token, sandbox, api_key, secret, args.events, args.gap))
        print(f"\nuser data stream event -> /ws/account/ frame: {args.events} orders placed on the sandbox directly")
        print(summary("sandbox answer -> order_updated frame", from_answer))
        print(summary("request sent -> order_updated frame", from_send))
    finally:
        for process in reversed(processes):
            stop(process)


if __name__ == "__main__":
    main()
