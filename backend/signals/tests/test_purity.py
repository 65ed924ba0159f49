"""The pure core imports neither Django nor anything that talks to the network."""

from __future__ import annotations

import ast
from pathlib import Path

from common.testing import impure_imports, modules_loaded_by

BACKEND = Path(__file__).resolve().parents[2]
PURE_MODULES = [
    "signals", "signals.config", "signals.candles", "signals.conditions", "signals.lifecycle",
    "signals.outcomes", "signals.engine", "signals.calibration",
]  # fmt: skip


def test_pure_modules_import_no_django_and_no_network():
    assert impure_imports(*PURE_MODULES) == []
    assert {"signals.engine", "indicators"} <= modules_loaded_by(*PURE_MODULES)


def test_package_init_is_import_free():
    # The package becomes a Django app too: its __init__ must stay free of imports.
    tree = ast.parse((BACKEND / "signals" / "__init__.py").read_text())
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
