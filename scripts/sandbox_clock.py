"""The sandbox's start time for `make run`, so that its replay clock continues across restarts.

The platform keeps what it has seen (candles, signals); if the replay started again from the same
moment every time, the stream would wait for the replay to catch up with candles it already has.
`.data/sandbox-clock` holds the virtual time (ms) and the wall time (ms) of the last start and the
speed since then; this prints where the replay is now: virtual + (wall now - wall then) x speed.
The first start begins where the sandbox would by default: 200 candles into the recorded data.

    python scripts/sandbox_clock.py FILE SPEED
"""
import sys
import time
from pathlib import Path


import numpy as np

DATA = Path(__file__).resolve().parents[1] / "backend" / "sandbox" / "data" / "klines_usdm_5m.npz"
CANDLE_MS = 300_000

path, speed = Path(sys.argv[1]), float(sys.argv[2])
now_wall = int(time.time() * 1000)
try:
    virtual, wall, old_speed = path.read_text().split()
    start = int(int(virtual) + (now_wall - int(wall)) * float(old_speed))
except (FileNotFoundError, ValueError):
    with np.load(DATA) as data:
        start = int(data["first_open_time"]) + 200 * CANDLE_MS
path.write_text(f"{start} {now_wall} {speed}\n")
print(start)
