"""The numeric kernels every indicator is built from, on time-major (time, symbols) arrays.

`Workspace`: one allocation carved into arrays.  Dozens of separately allocated 640 KB arrays (400
symbols x 200 candles) cost more than the arithmetic done on them: the allocator maps, page-faults and
unmaps each one.  One block of the same total size costs about a tenth (numpy asks for huge pages for it).

`run_recursions`: first-order recursive filters in TA-Lib's EMA form
``y[t] = ((u[t] - y[t-1]) * k) + y[t-1]`` (EMA with ``k = 2 / (period + 1)``, Wilder smoothing with
``k = 1 / period``, Heikin Ashi open with ``k = 1/2``), several at once.  Filters sit side by side in one
(time, filters, symbols) buffer, each input written in place and then overwritten by the output, and a
time loop advances all of them with three in-place ufunc calls per candle (a filter joins once it is
seeded).  The Python overhead is paid per candle, not per candle and symbol, and every element sees the
same operations in the same order whatever the number of symbols: a 2-D result equals the row-by-row
1-D results bit for bit, the streaming path (plain float arithmetic, same order) reproduces the batch
exactly, and EMAs (so MACD too) are within an ulp of TA-Lib's (which fuses the multiply-add where the
CPU has FMA).  (``scipy.signal.lfilter`` is slower here at one call per filter, and importing
scipy.signal costs ~80 MB of worker memory.)

`sequential_sum`: seeds are sums added left to right, TA-Lib's order, for any number of symbols (numpy
sums a 1-D array pairwise but the slow axis of a 2-D one row by row).

`window_sum`: rolling window sums by binary doubling (``W2 = x + x[-1]``, ``W4 = W2 + W2[-2]``, ...,
``W20 = W16 + W4[-16]``): O(log period) whole-array additions, pairwise-summation accuracy, and a
summation tree that depends only on offsets inside the window, so summing the last ``period`` values on
their own gives a bit-identical result (the streaming path relies on this).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np


class Workspace:
    """Hands out uninitialised float64 arrays of ``length`` rows and ``width`` columns from one block.

    ``capacity`` is counted in (length, width) slabs; past it, `take` falls back to ``np.empty`` (still
    correct, only slower) and counts the miss in ``overflows`` so tests can keep capacities honest.
    Arrays taken outside a `scratch` scope stay valid as long as any of them is referenced (they are
    views of the block).
    """

    def __init__(self, length: int, width: int, capacity: int):
        self.length, self.width = length, width
        self._block = np.empty(capacity * length * width)
        self._used = 0
        self.overflows = 0

    def take(self, count: int = 0) -> np.ndarray:
        """A (length, width) array, or (length, count, width) when ``count`` is given."""
        shape = (self.length, count, self.width) if count else (self.length, self.width)
        size = math.prod(shape)
        if self._used + size > self._block.size:
            self.overflows += 1
            return np.empty(shape)
        out = self._block[self._used : self._used + size].reshape(shape)
        self._used += size
        return out

    def copy(self, x: np.ndarray) -> np.ndarray:
        """A contiguous (length, width) copy of ``x``."""
        out = self.take()
        out[...] = x
        return out

    @contextmanager
    def scratch(self):
        """Arrays taken inside the ``with`` block are recycled when it exits."""
        mark = self._used
        try:
            yield self
        finally:
            self._used = mark


@dataclass(frozen=True)
class Recursion:
    """One filter: ``y[start] = seed`` and ``y[t] = ((u[t] - y[t-1]) * k) + y[t-1]`` for t > start.

    ``fill(column)`` receives the filter's (time, symbols) column of the shared buffer and must write
    the seed into row ``start`` and the input ``u`` into rows ``start + 1`` onwards; rows before
    ``start`` are free scratch space (e.g. to sum a seed from) and are undefined in the result.  ``k``
    is a float, or a (time, symbols) array for a gain that changes over time (0 holds the value: ADX).
    """

    start: int
    k: float | np.ndarray
    fill: Callable[[np.ndarray], None]


def run_recursions(recursions: list[Recursion], ws: Workspace) -> list[np.ndarray]:
    """Run the filters together; return one (time, symbols) view per filter, in the given order."""
    length, width = ws.length, ws.width
    order = sorted(range(len(recursions)), key=lambda i: recursions[i].start)
    count = len(order)
    buffer = ws.take(count)
    varying = any(isinstance(recursions[i].k, np.ndarray) for i in order)
    gain = np.empty((length, count, width) if varying else (count, width))
    for position, index in enumerate(order):
        rec = recursions[index]
        rec.fill(buffer[:, position])
        if varying:
            gain[:, position] = rec.k
        else:
            gain[position] = rec.k

    starts = np.repeat([recursions[i].start for i in order], width)
    flat_gain = gain.reshape(length if varying else 1, count * width)
    _step_through_time(buffer.reshape(length, count * width), flat_gain, starts, varying)

    views = [None] * count
    for position, index in enumerate(order):
        views[index] = buffer[:, position]
    return views


# Below this many columns a plain float loop per column beats three ufunc calls per candle (~0.35 us
# each).  Python floats are IEEE doubles and ``((u - y) * k) + y`` rounds exactly like subtract(),
# multiply() then add(), so both loops give identical bits.
_PYTHON_LOOP_MAX_COLUMNS = 16


def _step_through_time(y: np.ndarray, gain: np.ndarray, starts: np.ndarray, varying: bool) -> None:
    """In place: ``y[t, :w] = ((y[t, :w] - y[t-1, :w]) * k) + y[t-1, :w]`` where ``w`` counts the
    columns seeded before ``t`` (``starts`` is sorted).  ``gain`` has one row, or one per candle if
    ``varying``."""
    if y.shape[1] <= _PYTHON_LOOP_MAX_COLUMNS:
        for j, start in enumerate(starts.tolist()):
            _step_column(y[:, j], gain[:, j] if varying else float(gain[0, j]), start)
        return
    length = y.shape[0]
    active = np.searchsorted(starts, np.arange(length), side="left")
    subtract, multiply, add = np.subtract, np.multiply, np.add
    t = 1
    while t < length:
        width = int(active[t])
        end = int(np.searchsorted(active, width, side="right"))  # rows sharing this width
        if width:
            rows = y[:, :width]
            for step in range(t, end):
                prev, row = rows[step - 1], rows[step]
                subtract(row, prev, row)
                multiply(row, gain[step, :width] if varying else gain[0, :width], row)
                add(row, prev, row)
        t = end


def _step_column(y: np.ndarray, gain: np.ndarray | float, start: int) -> None:
    values = y[start:].tolist()
    prev = values[0]
    if isinstance(gain, np.ndarray):
        for t, k in enumerate(gain[start + 1 :].tolist(), start=1):
            prev = values[t] = ((values[t] - prev) * k) + prev
    else:
        for t in range(1, len(values)):
            prev = values[t] = ((values[t] - prev) * gain) + prev
    y[start:] = values


def sequential_sum(x: np.ndarray) -> np.ndarray:
    """``x[0] + x[1] + ...`` over axis 0, added left to right (TA-Lib's order) for every column.

    numpy adds row by row when it reduces the slow axis of an array (documented for ``np.sum``), and
    pairwise along the fast one; so rows are made contiguous first, and one column is done by cumsum.
    """
    if x.shape[1] == 1:
        return np.cumsum(x[:, 0])[-1:]
    if x.strides[1] != x.itemsize:
        x = np.ascontiguousarray(x)
    return np.add.reduce(x, axis=0)


def window_sum(x: np.ndarray, period: int, out: np.ndarray, ws: Workspace) -> np.ndarray:
    """Write into ``out`` the sums of ``period`` consecutive rows of ``x``; ``out[i]`` covers
    ``x[i : i + period]``, so ``out`` has ``len(x) - period + 1`` rows.  Takes
    `window_sum_scratch` slabs of scratch from ``ws``."""
    rows = x.shape[0] - period + 1
    with ws.scratch():
        powers = [x]  # powers[k][i] = sum of x[i : i + 2**k]
        while 2 ** len(powers) <= period:
            prev, half = powers[-1], 2 ** (len(powers) - 1)
            powers.append(np.add(prev[half:], prev[:-half], out=ws.take()[: prev.shape[0] - half]))
        covered = 0  # rows already summed, counted back from each window's newest row
        for k in range(len(powers) - 1, -1, -1):
            size = 2**k
            if period & size:
                begin = period - covered - size  # offset of this block inside the window
                block = powers[k][begin : begin + rows]
                if covered:
                    np.add(out, block, out=out)
                else:
                    out[...] = block
                covered += size
    return out


def window_sum_scratch(period: int) -> int:
    """Scratch slabs `window_sum` needs: one per power of two up to ``period``."""
    return period.bit_length() - 1
