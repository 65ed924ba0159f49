"""Input checking shared by every indicator.

Every public function accepts 1-D arrays (one symbol, time axis) or 2-D arrays (symbols x time, the time
axis last) and rejects anything it cannot compute a meaningful value from with `IndicatorInputError`.

Minimum-length rule: a function refuses a series that is too short to produce *at least one* non-NaN
value, i.e. fewer than ``lookback + 1`` candles, where ``lookback`` is TA-Lib's lookback (the number of
leading NaNs).  `compute_all` applies the rule to every output, so it needs ``COMPUTE_ALL_MIN_CANDLES``
(200, set by EMA 200).  A shorter series is a caller bug (a symbol listed too recently, a truncated fetch),
so it is reported instead of silently producing an all-NaN column.
"""

from __future__ import annotations

import operator

import numpy as np

from ._filters import Workspace


class IndicatorInputError(ValueError):
    """The arrays or parameters given to an indicator cannot be used.

    Permanent for the given input: retrying with the same data fails again.  The caller should report
    the symbol (or skip it for this scan) rather than retry.
    """


def prepare(min_length: int, capacity: int, **named) -> tuple[Workspace, bool, list[np.ndarray]]:
    """Validate same-shaped input arrays and return ``(workspace, one_dimensional, time_major_views)``.

    Each input becomes a float64 (time, symbols) view (a 1-D series is one symbol); nothing is copied
    unless a dtype conversion is needed.  The workspace has ``capacity`` (time, symbols) slabs for the
    caller's buffers.  Raises `IndicatorInputError` for a non-numeric dtype, a wrong number of
    dimensions, mismatched shapes, NaN or +/-inf, or fewer than ``min_length`` candles.
    """
    arrays = {name: np.asarray(values) for name, values in named.items()}
    for name, array in arrays.items():
        if array.dtype.kind not in "iuf":
            raise IndicatorInputError(f"{name}: expected a numeric array, got dtype {array.dtype}")
        if array.ndim not in (1, 2):
            raise IndicatorInputError(
                f"{name}: expected a 1-D (time) or 2-D (symbols x time) array, got {array.ndim}-D "
                f"with shape {array.shape}"
            )
    shapes = {name: array.shape for name, array in arrays.items()}
    if len(set(shapes.values())) > 1:
        listed = ", ".join(f"{name}{shape}" for name, shape in shapes.items())
        raise IndicatorInputError(f"arrays must have the same shape, got {listed}")
    shape = next(iter(shapes.values()))
    if shape[-1] < min_length:
        raise IndicatorInputError(
            f"{shape[-1]} candles is too few: at least {min_length} are needed for one value"
        )
    views = []
    for name, array in arrays.items():
        array = array.astype(np.float64, copy=False)
        if not np.isfinite(array).all():
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
            raise IndicatorInputError(
                f"{name}: NaN or infinite value at index {bad}; clean or drop the candles before "
                "computing indicators"
            )
        views.append(array.reshape(-1, 1) if array.ndim == 1 else array.T)
    one_dimensional = len(shape) == 1
    width = 1 if one_dimensional else shape[0]
    return Workspace(shape[-1], width, capacity), one_dimensional, views


def check_high_low(high: np.ndarray, low: np.ndarray) -> None:
    """Reject candles whose high is below their low (usually high and low passed in swapped order)."""
    if np.less(high, low).any():
        time_index, symbol = np.argwhere(high < low)[0]
        raise IndicatorInputError(
            f"high < low at time index {int(time_index)} (symbol row {int(symbol)}); "
            "check the argument order (high, low, close)"
        )


def check_period(name: str, value, minimum: int = 2) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= ``minimum``."""
    try:
        period = operator.index(value)
    except TypeError:
        raise IndicatorInputError(f"{name} must be an integer, got {value!r}") from None
    if period < minimum:
        raise IndicatorInputError(f"{name} must be >= {minimum}, got {period}")
    return period


def from_time_major(array: np.ndarray, one_dimensional: bool) -> np.ndarray:
    """Turn a (time, symbols) result back into the caller's layout: (time,) or (symbols, time).

    A view, not a copy: results of one call may share one buffer (see `Workspace`).
    """
    return array[:, 0] if one_dimensional else array.T
