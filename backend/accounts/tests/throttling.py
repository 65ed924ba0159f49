"""Test helper: forget the sign-in throttles' counters of this test process."""
from __future__ import annotations


def throttles_reset() -> int:
    """Delete this process's throttle counters from Redis (only its own: keys carry the per-process
    cache prefix of config/settings/test.py, and other suites may share the server). Returns how many."""
    import redis
    from django.conf import settings
    from django.core.cache import cache

    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    try:
        keys = list(client.scan_iter(match=cache.make_key("throttle_*"), count=1000))
        return client.delete(*keys) if keys else 0
    finally:
        client.close()
