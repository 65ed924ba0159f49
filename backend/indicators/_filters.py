"""The numeric kernels every indicator is built from, on time-major (time, symbols) arrays.

`Workspace`: one allocation carved into arrays.  Dozens of separately allocated 640 KB arrays (400
symbols x 200 candles) cost more than the arithmetic done on them: the allocator maps, page-faults and
unmaps each one.  One block of the same total size costs about a tenth (numpy asks for huge pages for it).

`run_recursions`: first-order recursive filters ``y[t] = coef * y[t-1] + drive[t]`` (EMA, Wilder
smoothing, Heikin Ashi open), several at once.  Filters sit side by side in one (time, filters, symbols)
buffer, each drive written in place and then overwritten by the output, and a time loop advances all
of them with two in-place ufunc calls per candle (a filter joins once it is seeded).  The Python
overhead is paid per candle, not per candle and symbol, and every element sees the same operations in
the same order whatever the number of symbols: a 2-D result equals the row-by-row 1-D results bit for
bit, and the streaming path (plain float arithmetic, same order) reproduces the batch exactly.
(``scipy.signal.lfilter`` is slower here at one call per filter, and importing scipy.signal costs
~80 MB of worker memory.)

`tree_sum`: sums over the time axis by pairwise halving, used for seeds, so that they too are
independent of the number of symbols (numpy sums a 1-D array pairwise but a 2-D one row by row).

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
    """One recursive filter: ``y[start] = seed`` and ``y[t] = coef * y[t-1] + drive[t]`` for t > start.

    ``fill(column)`` receives the filter's (time, symbols) column of the shared buffer and must write
    the seed into row ``start`` and the drive into rows ``start + 1`` onwards; rows before ``start`` are
    free scratch space (e.g. to sum a seed from) and are undefined in the result.  ``coef`` is a float,
    or a (time, symbols) array for a coefficient that changes over time (ADX holding its value).
    """

    start: int
    coef: float | np.ndarray
    fill: Callable[[np.ndarray], None]


def run_recursions(recursions: list[Recursion], ws: Workspace) -> list[np.ndarray]:
    """Run the filters together; return one (time, symbols) view per filter, in the given order."""
    length, width = ws.length, ws.width
    order = sorted(range(len(recursions)), key=lambda i: recursions[i].start)
    count = len(order)
    buffer = ws.take(count)
    varying = any(isinstance(recursions[i].coef, np.ndarray) for i in order)
    coef = np.empty((length, count, width) if varying else (count, width))
    for position, index in enumerate(order):
        rec = recursions[index]
        rec.fill(buffer[:, position])
        if varying:
            coef[:, position] = rec.coef
        else:
            coef[position] = rec.coef

    starts = np.repeat([recursions[i].start for i in order], width)
    flat_coef = coef.reshape(length if varying else 1, count * width)
    _step_through_time(buffer.reshape(length, count * width), flat_coef, starts, varying)

    views = [None] * count
    for position, index in enumerate(order):
        views[index] = buffer[:, position]
    return views


# Below this many columns a plain float loop per column beats two ufunc calls per candle (~0.35 us
# each).  Python floats are IEEE doubles and ``c * y + d`` rounds exactly like multiply() then add(),
# so both loops give identical bits.
_PYTHON_LOOP_MAX_COLUMNS = 12


def _step_through_time(y: np.ndarray, coef: np.ndarray, starts: np.ndarray, varying: bool) -> None:
    """In place: ``y[t, :w] = coef * y[t-1, :w] + y[t, :w]`` where ``w`` counts the columns seeded
    before ``t`` (``starts`` is sorted).  ``coef`` has one row, or one per candle if ``varying``."""
    if y.shape[1] <= _PYTHON_LOOP_MAX_COLUMNS:
        for j, start in enumerate(starts.tolist()):
            _step_column(y[:, j], coef[:, j] if varying else float(coef[0, j]), start)
        return
    length = y.shape[0]
    active = np.searchsorted(starts, np.arange(length), side="left")
    tmp = np.empty(y.shape[1])
    multiply, add = np.multiply, np.add
    t = 1
    while t < length:
        width = int(active[t])
        end = int(np.searchsorted(active, width, side="right"))  # rows sharing this width
        if width:
            rows, scratch = y[:, :width], tmp[:width]
            if varying:
                for step in range(t, end):
                    multiply(rows[step - 1], coef[step, :width], scratch)
                    add(rows[step], scratch, rows[step])
            else:
                c = coef[0, :width]
                for prev, row in zip(rows[t - 1 : end - 1], rows[t:end]):
                    multiply(prev, c, scratch)
                    add(row, scratch, row)
        t = end


def _step_column(y: np.ndarray, coef: np.ndarray | float, start: int) -> None:
    values = y[start:].tolist()
    prev = values[0]
    if isinstance(coef, np.ndarray):
        for t, c in enumerate(coef[start + 1 :].tolist(), start=1):
            prev = values[t] = c * prev + values[t]
    else:
        for t in range(1, len(values)):
            prev = values[t] = coef * prev + values[t]
    y[start:] = values


def tree_sum(x: np.ndarray) -> np.ndarray:
    """Sum over axis 0 by pairwise halving: the same additions for any number of columns."""
    while x.shape[0] > 1:
        half = x.shape[0] // 2
        paired = x[:half] + x[half : 2 * half]
        if x.shape[0] % 2:
            paired[-1] += x[-1]
        x = paired
    return x[0].copy()


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
