"""Run lifecycle: the `(status, trigger) -> status` table of a strategy run.  Pure.

    ========  =======  ========  ==============================================
    status    trigger  next      when
    ========  =======  ========  ==============================================
    NEW       START    RUNNING   the run is created (the API starts it at once)
    RUNNING   PAUSE    PAUSED    the owner pauses it: candles are not evaluated
    PAUSED    RESUME   RUNNING   the owner resumes it: from the next candle on
    RUNNING   STOP     STOPPED   the owner stops it (terminal)
    PAUSED    STOP     STOPPED
    RUNNING   FAIL     ERROR     its evaluation raised or blew the step budget
    ========  =======  ========  ==============================================

STOPPED and ERROR are terminal: a failed strategy is fixed in a new version and started as a new
run (a run pins its version).  Every other pair raises `IllegalTransition` (the API's 409).
Candles closed while a run is PAUSED are not evaluated later: a strategy acts on the present.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class RunStatus(StrEnum):
    NEW = "NEW"  # pseudo-status: a run row is never stored in it
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    STOPPED = "STOPPED"
    ERROR = "ERROR"


class RunTrigger(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    FAIL = "fail"


TABLE = MappingProxyType({
    (RunStatus.NEW, RunTrigger.START): RunStatus.RUNNING,
    (RunStatus.RUNNING, RunTrigger.PAUSE): RunStatus.PAUSED,
    (RunStatus.PAUSED, RunTrigger.RESUME): RunStatus.RUNNING,
    (RunStatus.RUNNING, RunTrigger.STOP): RunStatus.STOPPED,
    (RunStatus.PAUSED, RunTrigger.STOP): RunStatus.STOPPED,
    (RunStatus.RUNNING, RunTrigger.FAIL): RunStatus.ERROR,
})
TERMINAL = frozenset({RunStatus.STOPPED, RunStatus.ERROR})


class IllegalTransition(ValueError):
    def __init__(self, status: str, trigger: str):
        super().__init__(f"a {str(status).lower()} run cannot {trigger}")
        self.status, self.trigger = status, trigger


def run_transition(status: str, trigger: str) -> RunStatus:
    """The status after ``trigger``; `IllegalTransition` for a pair not in `TABLE`."""
    try:
        return TABLE[(RunStatus(status), RunTrigger(trigger))]
    except (KeyError, ValueError):
        raise IllegalTransition(status, trigger) from None
