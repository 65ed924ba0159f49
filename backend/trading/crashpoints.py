"""Crash points for the crash tests: `crash_point(name)` kills this process with SIGKILL at that
point of an order's life, once, when the test asked for it; otherwise it does nothing.

A test sets `TRADING_CRASH_AT` (comma-separated point names) and `TRADING_CRASH_ARM` (a file path)
in the environment of the process it starts, then creates the file to arm it. The point removes the
file before dying, so the restarted process runs through. Points: before_send, answered_not_stored,
fill_not_applied, reconciliation_midway.
"""
from __future__ import annotations

import os
import signal

POINTS = frozenset({"before_send", "answered_not_stored", "fill_not_applied", "reconciliation_midway"})


def crash_point(name: str) -> None:
    if name not in POINTS:
        raise ValueError(f"unknown crash point {name!r}")
    wanted = os.environ.get("TRADING_CRASH_AT")
    if not wanted or name not in wanted.split(","):
        return
    arm = os.environ.get("TRADING_CRASH_ARM")
    if not arm:
        return
    try:
        os.unlink(arm)
    except FileNotFoundError:
        return
    os.kill(os.getpid(), signal.SIGKILL)
