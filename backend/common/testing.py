"""Helpers for tests that start platform processes (imported by conftest.py and test modules)."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

BACKEND_DIR = Path(__file__).resolve().parents[1]


def database_url_of(settings_dict: dict) -> str:
    """The DATABASE_URL another process needs to reach the database Django is using now."""
    user = quote(settings_dict["USER"] or "postgres")
    password = quote(settings_dict["PASSWORD"] or "")
    host, port, name = settings_dict["HOST"], settings_dict["PORT"], settings_dict["NAME"]
    if host.startswith("/"):
        return f"postgres://{user}:{password}@/{name}?host={host}"
    return f"postgres://{user}:{password}@{host}:{port or 5432}/{name}"


def throttles_reset() -> int:
    """Delete this process's DRF throttle counters from Redis (only its own: keys carry the
    per-process cache prefix of config/settings/test.py, and other suites may share the server).
    Returns how many. conftest.py calls it before every test, so one test's requests never
    throttle the next; tests that send many requests in one test call it between them."""
    import redis
    from django.conf import settings
    from django.core.cache import cache

    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    try:
        keys = list(client.scan_iter(match=cache.make_key("throttle_*"), count=1000))
        return client.delete(*keys) if keys else 0
    finally:
        client.close()


#: Top-level packages a pure module (no Django, no I/O) must not pull in, directly or through another.
IMPURE_PACKAGES = frozenset({
    "django", "rest_framework", "channels", "celery", "aiohttp", "asyncio", "socket", "ssl", "http", "httpx",
    "urllib3", "requests", "websockets", "redis", "psycopg",
})  # fmt: skip


def modules_loaded_by(*modules: str) -> set[str]:
    """Every module a fresh interpreter has loaded after importing `modules` (this test process has
    imported plenty already, so the question is asked of a new one, without Django settings)."""
    import json
    import os
    import subprocess
    import sys

    code = f"import importlib, json, sys\nfor m in {list(modules)!r}: importlib.import_module(m)\n" \
           "print(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(BACKEND_DIR)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=BACKEND_DIR, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return set(json.loads(done.stdout))


def impure_imports(*modules: str) -> list[str]:
    """The modules of `IMPURE_PACKAGES` that importing `modules` loads (empty for a pure core)."""
    return sorted(m for m in modules_loaded_by(*modules) if m.split(".")[0] in IMPURE_PACKAGES)
