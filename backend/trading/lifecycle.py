"""Order lifecycle on the platform's side: the `(status, trigger) -> status` table (pure, no Django).

    ==================  ============  ==================  =====================================
    status              trigger       next status         when
    ==================  ============  ==================  =====================================
    PENDING             CLAIM         SENDING             a sender's conditional UPDATE won it
    PENDING             REFUSE        NOT_SENT            refused before anything left (budget)
    SENDING             ANSWER(X)     X                   the exchange answered with status X
    SENDING             REJECT        REJECTED            the exchange refused it (4xx + code)
    SENDING             LOSE          UNKNOWN             timeout, 5xx, dropped: fate unknown
    SENDING             NOT_LEFT      NOT_SENT            it certainly never left
    SENDING|UNKNOWN     FOUND(X)      X                   a lookup by origClientOrderId found it
    SENDING|UNKNOWN     ABSENT        NOT_SENT            -2013 after the request's deadline
    NEW|PARTIALLY_F.    UPDATE(X)     X                   a later exchange status (stream, query)
    ==================  ============  ==================  =====================================

X is an exchange status: NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED. Exchange statuses
only move forward (NEW -> PARTIALLY_FILLED -> FILLED|CANCELED|EXPIRED); an update that would move an
order backwards (an old event arriving late) is not a transition: `is_forward` says so and the
caller ignores it. Terminal statuses never move. Every other pair raises `IllegalTransition`.
"""
from __future__ import annotations

from enum import StrEnum

EXCHANGE_STATUSES = ("NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "EXPIRED")
TERMINAL = frozenset({"FILLED", "CANCELED", "EXPIRED", "REJECTED", "NOT_SENT"})
_RANK = {"PENDING": 0, "SENDING": 1, "UNKNOWN": 1, "NEW": 2, "PARTIALLY_FILLED": 3,
         "FILLED": 4, "CANCELED": 4, "EXPIRED": 4, "REJECTED": 4, "NOT_SENT": 4}


class Trigger(StrEnum):
    CLAIM = "claim"
    REFUSE = "refuse"
    ANSWER = "answer"  # with an exchange status
    REJECT = "reject"
    LOSE = "lose"
    NOT_LEFT = "not_left"
    FOUND = "found"  # with an exchange status
    ABSENT = "absent"
    UPDATE = "update"  # with an exchange status


class IllegalTransition(ValueError):
    def __init__(self, status: str, trigger: str, exchange_status: str | None = None) -> None:
        what = f"{trigger}({exchange_status})" if exchange_status else trigger
        super().__init__(f"an order in {status} cannot take {what}")
        self.status, self.trigger, self.exchange_status = status, trigger, exchange_status


_FIXED = {
    ("PENDING", Trigger.CLAIM): "SENDING",
    ("PENDING", Trigger.REFUSE): "NOT_SENT",
    ("SENDING", Trigger.REJECT): "REJECTED",
    ("SENDING", Trigger.LOSE): "UNKNOWN",
    ("SENDING", Trigger.NOT_LEFT): "NOT_SENT",
    ("SENDING", Trigger.ABSENT): "NOT_SENT",
    ("UNKNOWN", Trigger.ABSENT): "NOT_SENT",
}
_WITH_STATUS = {
    ("SENDING", Trigger.ANSWER), ("SENDING", Trigger.FOUND), ("UNKNOWN", Trigger.FOUND),
    ("NEW", Trigger.UPDATE), ("PARTIALLY_FILLED", Trigger.UPDATE),
    # A late answer or lookup of an order the user stream already moved on.
    ("NEW", Trigger.ANSWER), ("NEW", Trigger.FOUND), ("PARTIALLY_FILLED", Trigger.ANSWER),
    ("PARTIALLY_FILLED", Trigger.FOUND),
}


def is_forward(status: str, exchange_status: str) -> bool:
    """Would `exchange_status` move an order in `status` forward (or keep a partial fill growing)?"""
    if status in TERMINAL:
        return False
    return _RANK[exchange_status] > _RANK[status] or (status == exchange_status == "PARTIALLY_FILLED")


def next_status(status: str, trigger: Trigger | str, exchange_status: str | None = None) -> str:
    trigger = Trigger(trigger)
    if (status, trigger) in _FIXED:
        if exchange_status is not None:
            raise IllegalTransition(status, trigger, exchange_status)
        return _FIXED[(status, trigger)]
    if (status, trigger) in _WITH_STATUS and exchange_status in EXCHANGE_STATUSES:
        if not is_forward(status, exchange_status):
            raise IllegalTransition(status, trigger, exchange_status)
        return exchange_status
    raise IllegalTransition(status, trigger, exchange_status)
