"""The pure core imports neither Django nor anything that talks to the network."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2]
PURE_MODULES = [
    "signals", "signals.config", "signals.candles", "signals.conditions", "signals.lifecycle",
    "signals.outcomes", "signals.engine", "signals.calibration",
]  # fmt: skip
FORBIDDEN = {
    "django", "rest_framework", "channels", "celery", "aiohttp", "asyncio", "socket", "ssl",
    "http", "urllib3", "requests", "websockets", "redis", "psycopg",
}  # fmt: skip


def test_pure_modules_import_no_django_and_no_network():
    # A fresh interpreter: this test process has imported plenty already.
    code = (
        "import importlib, json, sys\n"
        f"for name in {PURE_MODULES!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(BACKEND)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout)
    bad = sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN)
    assert bad == [], f"pure signal modules pulled in {bad}"
    assert "signals.engine" in loaded and "indicators" in loaded


def test_package_init_is_import_free():
    # The package becomes a Django app too: its __init__ must stay free of imports.
    tree = ast.parse((BACKEND / "signals" / "__init__.py").read_text())
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
