"""Reading the candle store: the last 200 candles of 400 symbols into numpy, as a scan reads them.

    DJANGO_DEBUG=true DATABASE_URL=... .venv/bin/python bench/bench_candle_store.py [--symbols 400] [--candles 200] [--repeat 5]

Fills a fresh database (`<name>_bench`) with --symbols x --candles 5m candles through
`market.services.candles_upsert`, warms the plan with one read, then times
`market.selectors.candles_last` --repeat times. Printed: the fill time and the best and median
read (the aim it was written for: 400 x 200 under 0.5 s).
"""
from __future__ import annotations

import argparse
import statistics
import time

from _stack import django_setup, fresh_database

T0 = 1_765_929_600_000
STEP = 300_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--symbols", type=int, default=400)
    parser.add_argument("--candles", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    fresh_database()
    django_setup()
    from market import selectors, services
    from market.binance.schemas import Candle

    def candle(symbol: str, i: int) -> Candle:
        price = 100 + i
        return Candle(symbol, "5m", T0 + i * STEP, T0 + (i + 1) * STEP - 1, f"{price}.5", f"{price + 1}.25",
                      f"{price - 1}.75", f"{price}.125", "12.5", "1250.5", 40 + i, "6.25", "625.25")

    symbols = [f"S{n:04d}USDT" for n in range(args.symbols)]
    started = time.perf_counter()
    for chunk in range(0, len(symbols), 100):
        services.candles_upsert([candle(s, i) for s in symbols[chunk:chunk + 100] for i in range(args.candles)])
    fill_s = time.perf_counter() - started
    got = selectors.candles_last(symbols, "5m", args.candles)  # warm the plan and the cache
    assert len(got) == len(symbols) and all(len(k) == args.candles for k in got.values())
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        selectors.candles_last(symbols, "5m", args.candles)
        times.append(time.perf_counter() - started)
    print(f"fill {args.symbols} x {args.candles} candles: {fill_s:.2f} s")
    print(f"read {args.symbols} x {args.candles} candles: best {min(times):.3f} s, "
          f"median {statistics.median(times):.3f} s of {args.repeat} (aim < 0.5 s)")


if __name__ == "__main__":
    main()
