"""The strategy templates shipped in ``templates/*.json``: ``{"name", "description", "workspace"}``,
the workspace in Blockly's serialization format (tests/test_templates.py compiles each one)."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
#: Listing order (the files' stems).
ORDER = ("ema_cross", "rsi_mean_reversion", "follow_scanner", "scanner_conditions")


def templates() -> list[dict]:
    """Every template as ``{"key", "name", "description", "workspace"}``, in `ORDER` (a copy)."""
    return copy.deepcopy(list(_load()))


@cache
def _load() -> tuple[dict, ...]:
    found = []
    for key in ORDER:
        data = json.loads((TEMPLATE_DIR / f"{key}.json").read_text())
        found.append({"key": key, "name": data["name"], "description": data["description"],
                      "workspace": data["workspace"]})
    return tuple(found)


def template_get(key: str) -> dict:
    return next(t for t in templates() if t["key"] == key)
