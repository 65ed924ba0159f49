"""Crash points of the engine for the restart tests: the same switches as trading/crashpoints.py
(`TRADING_CRASH_AT` names the points, the file `TRADING_CRASH_ARM` names must exist and is removed
before the SIGKILL, so the restarted process runs through), with the engine's own points:

    strategy_before_commit   decisions and PENDING orders written, the transaction not committed
    strategy_after_commit    committed (the candle is handled), the orders not yet sent
"""
from __future__ import annotations

import os
import signal

POINTS = frozenset({"strategy_before_commit", "strategy_after_commit"})


def crash_point(name: str) -> None:
    if name not in POINTS:
        raise ValueError(f"unknown crash point {name!r}")
    wanted = os.environ.get("TRADING_CRASH_AT")
    arm = os.environ.get("TRADING_CRASH_ARM")
    if not wanted or name not in wanted.split(",") or not arm:
        return
    try:
        os.unlink(arm)
    except FileNotFoundError:
        return
    os.kill(os.getpid(), signal.SIGKILL)
