"""What the metrics cost: per call of the helpers on the hot paths, in memory and in multiprocess mode
(mmap'd files), and the time of one scrape merging the files of N processes.

    .venv/bin/python bench/metrics_overhead.py [--processes 12] [--calls 20000]

Each mode runs in a fresh interpreter (prometheus-client picks its value store at import). Prints
figures only: the machine is shared, so nothing here is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[1] / "backend"

CALLS = textwrap.dedent("""
    import json, sys, time
    from types import SimpleNamespace
    from common import metrics

    n = int(sys.argv[1])
    batch = [(SimpleNamespace(interval=("5m", "15m", "1h", "4h")[i % 4], close_time=300_000 * i - 1),)
             for i in range(1, 201)]

    class SignalsConsumer:
        pass

    def per_call(fn, repeat):
        fn()  # first call creates the labelled child (and its file)
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        return (time.perf_counter() - start) / repeat * 1e6

    out = {
        "events_published (1 event)": per_call(lambda: metrics.events_published("signals_global"), n),
        "socket_opened + socket_closed": per_call(
            lambda: (lambda c: (metrics.socket_opened(c), metrics.socket_closed(c)))(SignalsConsumer()), n),
        "scan_observe": per_call(lambda: metrics.scan_observe(timeframe="5m", status="ok", duration_ms=900,
                                                              symbols=50), n),
        "candles_ingested (200 candles)": per_call(lambda: metrics.candles_ingested(batch, market="usdm"), n // 10),
        "stream_delivered (200 candles)": per_call(lambda: metrics.stream_delivered(batch), n // 10),
    }
    print(json.dumps(out))
""")

SCRAPE = textwrap.dedent("""
    import json, time
    from common import metrics
    metrics.exposition()
    start = time.perf_counter()
    for _ in range(20):
        body, _ = metrics.exposition()
    print(json.dumps({"ms": (time.perf_counter() - start) / 20 * 1000, "bytes": len(body)}))
""")


def run(code: str, args: list[str], directory: str | None) -> dict:
    env = dict(os.environ, PYTHONPATH=str(BACKEND))
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if directory:
        env["PROMETHEUS_MULTIPROC_DIR"] = directory
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=BACKEND, env=env, capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=12, help="processes whose files one scrape merges")
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        memory = run(CALLS, [str(args.calls)], None)
        files = run(CALLS, [str(args.calls)], directory)
        print(f"{'helper':34} {'in memory':>12} {'multiprocess':>14}  (microseconds a call)")
        for name in memory:
            print(f"{name:34} {memory[name]:12.2f} {files[name]:14.2f}")
        for _ in range(args.processes - 1):
            run(CALLS, ["200"], directory)
        scrape = run(SCRAPE, [], directory)
        count = len(list(Path(directory).glob("*.db")))
        print(f"scrape merging {args.processes} processes ({count} files): {scrape['ms']:.1f} ms, "
              f"{scrape['bytes']:,} bytes")


if __name__ == "__main__":
    main()
