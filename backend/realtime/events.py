"""Typed payloads pushed to browsers. The `type` is what the client switches on."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SIGNALS_GROUP = "signals_global"

EVENT_TYPES = frozenset(
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


@dataclass(frozen=True)
class Event:
    type: str
    data: dict[str, Any] = field(default_factory=dict)
    group: str = SIGNALS_GROUP

    def __post_init__(self) -> None:
        if self.type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {self.type!r}; known: {sorted(EVENT_TYPES)}")
