"""A separate process that fetches klines through a shared governor scope (used by test_client_budget.py).

    python -m market.tests.governor_worker --url http://127.0.0.1:PORT --redis redis://... --scope S \
        --requests 100 --window-ms 3000

Prints one JSON line: requests sent, 429s, 418s, the highest X-MBX-USED-WEIGHT-1M seen, wall time.
No Django: the client and the governor need only Redis and the exchange.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import time

import aiohttp

from market.binance.client import BinanceClient
from market.binance.governor import WeightGovernor
from market.binance.venues import venue_for


async def run(args: argparse.Namespace) -> dict:
    used: list[int] = []
    trace = aiohttp.TraceConfig()

    async def on_end(session, ctx, params):
        header = params.response.headers.get("X-MBX-USED-WEIGHT-1M")
        if header:
            used.append(int(header))

    trace.on_request_end.append(on_end)
    governor = WeightGovernor(args.redis, scope=args.scope, share=args.share)
    venue = venue_for("sandbox", "usdm", sandbox_url=args.url)
    started = time.monotonic()
    async with BinanceClient(venue, governor, max_concurrency=20, trace_configs=[trace]) as client:
        info = await client.market_data.exchange_info()
        limit = info.request_weight_limit()
        await governor.set_limit(limit.limit, args.window_ms)  # the sandbox runs a shortened window
        symbols = [s.symbol for s in info.symbols]
        wanted = [symbols[i % len(symbols)] for i in range(args.requests)]
        batch = await client.market_data.klines_fetch_batch(wanted, "5m", 50)
        stats = client.stats
        return {"requests": stats.requests, "rate_limited": stats.rate_limited, "banned": stats.banned,
                "errors": len(batch.errors), "max_used": max(used, default=0),
                "seconds": round(time.monotonic() - started, 3)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--scope", required=True)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--window-ms", type=int, default=60_000)
    parser.add_argument("--share", type=float, default=0.8)
    print(json.dumps(asyncio.run(run(parser.parse_args()))), flush=True)


if __name__ == "__main__":
    main()
