"""The run lifecycle table: every (status, trigger) pair, legal or not.  Pure: no Django."""

import pytest

from common.testing import impure_imports
from strategies.lifecycle import TERMINAL, IllegalTransition, RunStatus, RunTrigger, run_transition

LEGAL = {
    ("NEW", "start"): "RUNNING",
    ("RUNNING", "pause"): "PAUSED",
    ("PAUSED", "resume"): "RUNNING",
    ("RUNNING", "stop"): "STOPPED",
    ("PAUSED", "stop"): "STOPPED",
    ("RUNNING", "fail"): "ERROR",
}


@pytest.mark.parametrize("status", list(RunStatus))
@pytest.mark.parametrize("trigger", list(RunTrigger))
def test_every_pair(status, trigger):
    expected = LEGAL.get((status.value, trigger.value))
    if expected is None:
        with pytest.raises(IllegalTransition, match=f"cannot {trigger.value}"):
            run_transition(status, trigger)
    else:
        assert run_transition(status, trigger) == expected


def test_terminal_statuses_have_no_way_out():
    for status in TERMINAL:
        for trigger in RunTrigger:
            with pytest.raises(IllegalTransition):
                run_transition(status, trigger)


def test_unknown_names_are_illegal_not_a_crash():
    with pytest.raises(IllegalTransition):
        run_transition("RUNNING", "explode")
    with pytest.raises(IllegalTransition):
        run_transition("SLEEPING", "stop")


def test_the_module_imports_no_django():
    assert impure_imports("strategies.lifecycle") == []
