"""Guards around the periodic scan: one scan per schedule slot, and no run left "running".

Two Beat processes started by mistake both send `scan_binance_market` every minute. The first
task to claim the slot (`SET NX` with an expiry a little under the schedule's period, holding its
task id) scans; the other finds the slot taken by another task id and records a skipped run. A
task redelivered after its worker died (the task is `acks_late`) carries the same id, so it
claims its own slot again and scans: re-running is safe because every signal write is
conditional (persistence.py).

A worker killed mid-scan, or PostgreSQL gone while the run was being closed, leaves a ScanRun
"running". The next scan of that timeframe holds the scan lock, so no other scan of it can be
alive: it closes every such run as failed first (`scan_runs_orphaned_fail`).
"""
from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.utils import timezone

from signals.models import ScanRun

logger = logging.getLogger(__name__)

#: A little under the Beat period (60 s): a second Beat's send lands inside it, the next minute's does not.
SLOT_SECONDS = 50
ORPHANED = "the scan ended without closing its run (worker lost or database unavailable)"


def scan_slot_claim(*, timeframe: str, task_id: str | None) -> bool:
    """True if this task may scan now: the slot was free, or it already holds it (a redelivery)."""
    if task_id is None:  # called directly (manual scan, tests): nothing to deduplicate
        return True
    client = redis.Redis.from_url(settings.REDIS_URL)
    key = f"signals:scan-slot:{settings.SCANNER['universe_key']}:{timeframe}"
    if client.set(key, task_id, nx=True, ex=SLOT_SECONDS):
        return True
    holder = client.get(key)
    return holder is not None and holder.decode() == task_id


def scan_runs_orphaned_fail(*, timeframe: str) -> int:
    """Close as failed the runs of `timeframe` still marked running. Call with the scan lock held."""
    now = timezone.now()
    count = ScanRun.objects.filter(timeframe=timeframe, status=ScanRun.Outcome.RUNNING).update(
        status=ScanRun.Outcome.FAILED, finished_at=now, errors=[ORPHANED])
    if count:
        logger.warning("%d scan run(s) of %s were left running; marked failed", count, timeframe)
    return count
