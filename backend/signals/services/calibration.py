"""The calibrated take-profit probability shown beside a score: fitted tables, cached.

Two tables (`signals.calibration`): the outcome archive's own, refitted from one aggregate query
at most every `ARCHIVE_TTL_S` and shared through the Django cache (Redis), and the prior shipped
in ``signals/data/calibration_prior.json`` (a backtest over the recorded data, made by
bench/walk_forward.py). A request never fits anything: it reads the table this process holds,
which is refreshed from the cache at most every `LOCAL_TTL_S`.
"""
from __future__ import annotations

import functools
import json
import logging
import threading
import time
from pathlib import Path

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q

from signals.calibration import SOURCE_ARCHIVE, CalibrationTable, Probability, calibration_fit, probability_for
from signals.models import SignalOutcomeRecord, Status

PRIOR_PATH = Path(__file__).resolve().parents[1] / "data" / "calibration_prior.json"
ARCHIVE_TTL_S = 600  # a new outcome moves a fitted rate by < 1/100: ten minutes stale is fine
LOCAL_TTL_S = 60

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_local: dict = {"at": -1e18, "table": None}


@functools.cache
def calibration_prior_document() -> dict:
    """The shipped prior file as written by bench/walk_forward.py ({} if it is missing)."""
    try:
        return json.loads(PRIOR_PATH.read_text())
    except FileNotFoundError:
        return {}


@functools.cache
def calibration_prior() -> CalibrationTable | None:
    document = calibration_prior_document()
    return CalibrationTable.from_json(document["table"]) if document else None


def calibration_archive_fit() -> CalibrationTable:
    """Fit the archive's table: take-profit-first rate per (timeframe, direction, creation score)."""
    # Hit: the creation bracket's take-profit reached first (migration 0005 backfilled older rows
    # from the lifecycle's reason). Stale closes have no outcome and are never counted.
    rows = (
        SignalOutcomeRecord.objects.exclude(reason=Status.STALE)
        .values_list("timeframe", "direction", "initial_confidence")
        .annotate(n=Count("id"), k=Count("id", filter=Q(tp_first=True)))
        .order_by()
    )
    return calibration_fit(rows, source=SOURCE_ARCHIVE)


def _cache_key() -> str:
    # Per database: test sessions and deployments sharing one Redis keep their own archives apart.
    return f"signals:calibration:archive:v1:{connection.settings_dict['NAME']}"


def calibration_refresh() -> CalibrationTable:
    """Refit the archive's table and share it through the cache."""
    table = calibration_archive_fit()
    try:
        cache.set(_cache_key(), table.to_json(), ARCHIVE_TTL_S)
    except Exception as exc:  # Redis down: this process keeps its own fit; others refit theirs
        logger.warning("calibration table not shared through the cache: %s: %s", type(exc).__name__, exc)
    with _lock:
        _local.update(at=time.monotonic(), table=table)
    return table


def calibration_archive() -> CalibrationTable:
    """The archive's table as this process holds it (at most `LOCAL_TTL_S` old)."""
    now = time.monotonic()
    with _lock:
        if _local["table"] is not None and now - _local["at"] < LOCAL_TTL_S:
            return _local["table"]
    try:
        shared = cache.get(_cache_key())
    except Exception as exc:  # Redis down: a signal list must not fail over a probability
        logger.warning("calibration cache unreadable, refitting here: %s: %s", type(exc).__name__, exc)
        shared = None
    if shared is None:
        return calibration_refresh()
    table = CalibrationTable.from_json(shared)
    with _lock:
        _local.update(at=now, table=table)
    return table


def calibration_forget() -> None:
    """Drop the cached tables (tests, and after the archive was rewritten)."""
    cache.delete(_cache_key())
    with _lock:
        _local.update(at=-1e18, table=None)


def signal_probability(*, score: float, timeframe: str, direction: str) -> tuple[Probability | None, str]:
    """The probability shown for a creation score, and where it comes from (or why there is none)."""
    return probability_for(score, timeframe, direction, archive=calibration_archive(), prior=calibration_prior())
