"""Decoding a klines answer: 400 pairs x 200 candles through `market.binance.schemas.klines_decode`.

    .venv/bin/python bench/bench_klines_decode.py [--repeat 5]

The payload is the recorded BTCUSDT answer (backend/market/tests/payloads), cut to 200 rows, decoded
400 times as a 400-pair scan would. Printed: the best wall time of --repeat (the aim it was
written for: under 0.25 s).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import orjson

BACKEND = Path(__file__).resolve().parents[1] / "backend"
sys.path.insert(0, str(BACKEND))

from market.binance.schemas import klines_decode  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    payload = BACKEND / "market" / "tests" / "payloads" / "fapi_v1_klines_BTCUSDT_5m_limit500_2025-11.json"
    raw = orjson.dumps(orjson.loads(payload.read_bytes())[:200])
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        for _ in range(400):
            klines_decode(raw, symbol="BTCUSDT", interval="5m")
        times.append(time.perf_counter() - started)
    print(f"400 x 200 candles decoded: best {min(times):.3f} s of {args.repeat} (aim < 0.25 s)")


if __name__ == "__main__":
    main()
