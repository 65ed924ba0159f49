"""Auto-cancel countdowns of `POST /fapi/v1/countdownCancelAll` (a dead-man switch per symbol).

One timer per (account, symbol). Each call replaces the timer with a new one of `countdownTime`
ms; 0 stops it. When a timer runs out without being replaced, every open order of that symbol on
that account is canceled (the engine's normal cancel: ORDER_TRADE_UPDATE x=CANCELED per order)
and the timer is gone until the next call.

**Clock: wall-clock monotonic time**, as on Binance, not the replay clock. The replay clock may
run 60x (or stand still in tests); a trading process that renews a 60 s countdown every 20 s of
its own time must keep its orders at any replay speed, and one that dies must lose them 60 real
seconds later. Binance checks its timers about every 10 ms; the sandbox every `CHECK_SECONDS`.

Pure: no I/O; the edge (`trading/__init__.py`) calls `cancel_due(engine)` from a task.
"""

from __future__ import annotations

import time
from typing import Callable

CHECK_SECONDS = 0.05


class Countdowns:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock  # seconds; tests may swap in their own
        self._deadlines: dict[tuple[str, str], float] = {}

    def set(self, account_id: str, symbol: str, countdown_ms: int) -> None:
        """Start or replace the timer; `countdown_ms == 0` stops it."""
        key = (account_id, symbol)
        if countdown_ms <= 0:
            self._deadlines.pop(key, None)
        else:
            self._deadlines[key] = self.clock() + countdown_ms / 1000

    def remaining_ms(self, account_id: str, symbol: str) -> int | None:
        deadline = self._deadlines.get((account_id, symbol))
        return None if deadline is None else max(0, round((deadline - self.clock()) * 1000))

    def due(self) -> list[tuple[str, str]]:
        """The (account, symbol) timers that ran out, removed from the table."""
        if not self._deadlines:
            return []
        now = self.clock()
        fired = [key for key, deadline in self._deadlines.items() if deadline <= now]
        for key in fired:
            del self._deadlines[key]
        return fired

    def cancel_due(self, engine) -> int:
        """Cancel the open orders of every timer that ran out; returns how many orders."""
        return sum(engine.cancel_all(account_id, symbol) for account_id, symbol in self.due())

