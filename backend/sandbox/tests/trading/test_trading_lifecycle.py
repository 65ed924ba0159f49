"""The order status table: every allowed step, and nothing else."""

from __future__ import annotations

import pytest

from sandbox.trading import lifecycle as lc


@pytest.mark.parametrize("status, trigger, expected", [
    (lc.NEW, "fill_part", lc.PARTIALLY_FILLED),
    (lc.NEW, "fill_all", lc.FILLED),
    (lc.NEW, "cancel", lc.CANCELED),
    (lc.NEW, "expire", lc.EXPIRED),
    (lc.NEW, "trigger", lc.NEW),
    (lc.PARTIALLY_FILLED, "fill_part", lc.PARTIALLY_FILLED),
    (lc.PARTIALLY_FILLED, "fill_all", lc.FILLED),
    (lc.PARTIALLY_FILLED, "cancel", lc.CANCELED),
    (lc.PARTIALLY_FILLED, "expire", lc.EXPIRED),
])
def test_allowed(status, trigger, expected):
    assert lc.next_status(status, trigger) == expected


@pytest.mark.parametrize("status", [lc.FILLED, lc.CANCELED, lc.EXPIRED])
@pytest.mark.parametrize("trigger", ["fill_part", "fill_all", "cancel", "expire", "trigger"])
def test_terminal_statuses_never_move(status, trigger):
    with pytest.raises(lc.IllegalTransition):
        lc.next_status(status, trigger)


def test_partially_filled_cannot_be_triggered_again():
    with pytest.raises(lc.IllegalTransition):
        lc.next_status(lc.PARTIALLY_FILLED, "trigger")
