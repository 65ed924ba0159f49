"""The recorded Binance candles as floats: 50 USD-M pairs x 4032 5m candles, read from the replay set.

The source is ``klines/usdm_5m/<SYMBOL>.csv`` of the team's Binance reference material (header
``timestamp,open,high,low,close,volume``; see ``klines_usdm_5m.sha256`` and sandbox/README.md).
``klines_usdm_5m.npz`` stores its values as int64 scaled by ``10**decimals`` per symbol (see build.py).

Decoding is bit-exact: every scaled integer is below 2**53 and ``10.0**d`` is exact for d <= 22, so
``n / 10.0**d`` is one correctly rounded IEEE division of two exact values, the same double that
``float("<decimal string>")`` gives.  `csv_text` writes a table back in the source's format (times as
integers, values as ``repr(float)``: "87700.0", "0.0040929", "187551292.0"); its SHA-256 equals the
checksum of the source file recorded by the build, which a test checks for every symbol.

Pure numpy: no Django, no network, nothing of the sandbox server is imported.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "klines_usdm_5m.npz"
CHECKSUMS = HERE / "klines_usdm_5m.sha256"
CSV_HEADER = "timestamp,open,high,low,close,volume"
#: Columns of a table returned by `recorded_candles`.
OPEN_TIME, OPEN, HIGH, LOW, CLOSE, VOLUME = range(6)
_EXACT_INT = 2**53
_EXACT_POWER = 22  # 10.0**d is an exact double up to here


def _decode(scaled: np.ndarray, decimals: int) -> np.ndarray:
    if not 0 <= decimals <= _EXACT_POWER or np.abs(scaled).max(initial=0) >= _EXACT_INT:
        raise ValueError(f"cannot decode exactly: {decimals} decimals, max {np.abs(scaled).max()}")
    return scaled.astype(np.float64) / 10.0**decimals


@functools.lru_cache(maxsize=2)
def recorded_candles(path: Path = DEFAULT_DATA) -> dict[str, np.ndarray]:
    """Symbol -> read-only (candles, 6) float64 table of open_time_ms, open, high, low, close, volume.

    Symbols in file-name order (as the CSVs sort); every symbol has the same open times.
    """
    with np.load(path) as npz:
        symbols = [str(s) for s in npz["symbols"]]
        prices, volumes = npz["prices"], npz["volumes"]
        price_decimals = [int(d) for d in npz["price_decimals"]]
        volume_decimals = [int(d) for d in npz["volume_decimals"]]
        first, step = int(npz["first_open_time"]), int(npz["interval_ms"])
    times = first + step * np.arange(prices.shape[1], dtype=np.int64)
    tables = {}
    for i, symbol in enumerate(symbols):
        table = np.empty((prices.shape[1], 6))
        table[:, OPEN_TIME] = times
        table[:, OPEN:VOLUME] = _decode(prices[i], price_decimals[i])
        table[:, VOLUME] = _decode(volumes[i], volume_decimals[i])
        table.setflags(write=False)
        tables[symbol] = table
    return tables


def csv_text(table: np.ndarray) -> str:
    """``table`` in the source CSV's exact text (header, ``\\n`` line ends, final newline)."""
    lines = [CSV_HEADER]
    for t, o, h, lo, c, v in table.tolist():
        lines.append(f"{int(t)},{o!r},{h!r},{lo!r},{c!r},{v!r}")
    return "\n".join(lines) + "\n"


def csv_sha256(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def recorded_checksums(path: Path = CHECKSUMS) -> dict[str, str]:
    """Symbol -> SHA-256 of its source CSV file, from a ``sha256sum``-format file."""
    sums = {}
    for line in path.read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        sums[name.lstrip("*").removesuffix(".csv")] = digest
    return sums
