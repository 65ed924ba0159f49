"""The backtest core imports neither Django nor anything that talks to the network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2]
PURE_MODULES = [
    "backtest.fills", "backtest.portfolio", "backtest.scanner", "backtest.signal_trades", "backtest.reports",
    "backtest.strategy", "backtest.walk_forward",
]  # fmt: skip
FORBIDDEN = {
    "django", "rest_framework", "channels", "celery", "aiohttp", "asyncio", "socket", "ssl",
    "http", "urllib3", "requests", "websockets", "redis", "psycopg",
}  # fmt: skip


def test_pure_modules_import_no_django_and_no_network():
    code = (
        "import importlib, json, sys\n"
        f"for name in {PURE_MODULES!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(BACKEND)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    loaded = json.loads(result.stdout)
    bad = sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN)
    assert bad == [], f"the backtest core pulled in {bad}"
    assert set(PURE_MODULES) <= set(loaded) and "pandas" in loaded
