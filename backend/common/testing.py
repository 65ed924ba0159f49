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
