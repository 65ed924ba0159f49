"""Typed payloads pushed to browsers. The `type` is what the client switches on."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SIGNALS_GROUP = "signals_global"
_USER_GROUP_PREFIX = "user."

# Market-wide events: `/ws/signals/`, the group every dashboard joins.
PUBLIC_EVENT_TYPES = frozenset(
    {
        "signal_created",
        "signal_updated",
        "signal_deleted",
        "scanner_status",
        "scanner_error",
        "signal_notification",
        "system_message",
    }
)

# What one user owns: `/ws/account/`, that user's group only.
PRIVATE_EVENT_TYPES = frozenset(
    {
        "order_updated",
        "position_updated",
        "balance_updated",
        "strategy_log",
        "strategy_decision",
        "strategy_run_updated",
        "backtest_progress",
        "backtest_finished",
        "reconciliation",
        "exchange_account_updated",
    }
)

EVENT_TYPES = PUBLIC_EVENT_TYPES | PRIVATE_EVENT_TYPES


def user_group(user_id: int) -> str:
    """The Channels group (and sequence counter) of one user's private events."""
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise TypeError(f"user_group takes the integer id of a user, not {user_id!r}")
    return f"{_USER_GROUP_PREFIX}{user_id}"


def is_user_group(group: str) -> bool:
    return group.startswith(_USER_GROUP_PREFIX)


@dataclass(frozen=True)
class Event:
    type: str
    data: dict[str, Any] = field(default_factory=dict)
    group: str = SIGNALS_GROUP

    def __post_init__(self) -> None:
        if self.type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {self.type!r}; known: {sorted(EVENT_TYPES)}")
        # A user's orders or balances on the public group would reach every dashboard, and a
        # market event on a user group would be missing from everyone else's: refuse both.
        if (self.type in PRIVATE_EVENT_TYPES) != is_user_group(self.group):
            where = "a user group (realtime.events.user_group(user_id))" if self.type in PRIVATE_EVENT_TYPES \
                else f"the public group {SIGNALS_GROUP!r}"
            raise ValueError(f"{self.type!r} events go to {where}, not {self.group!r}")
