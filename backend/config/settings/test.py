"""Test settings: the real PostgreSQL and Redis from the environment, faster hashing."""
import os

# Debug defaults to off; the test runs ask for it (as `make run` does) before the environment is
# read, so processes the tests start with these settings get it too. An explicit value still wins.
os.environ.setdefault("DJANGO_DEBUG", "true")

from config.settings.base import *  # noqa: F401,F403,E402
from config.settings.base import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_AUTOREFRESH = True

# One test database per pytest process, so suites started side by side (several terminals,
# or a developer's run next to CI) never drop each other's database.
DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

# A fixed encryption key for the test suite only (published here, so worth nothing anywhere else),
# whatever .env says: the processes the tests start (Celery worker, ...) load these settings too,
# so they read what the tests wrote.
TEST_FIELD_ENCRYPTION_KEY = "XoqhksNoZ6UwgRCZlxoyIGQTBbX5x5co_jW3MNi9_hY="
FIELD_ENCRYPTION_KEYS = [TEST_FIELD_ENCRYPTION_KEY]
# Exchange accounts on testnet and live are checked against the sandbox exchange: the suite never
# calls the real Binance, whatever a test (or a fuzzer) sends.
EXCHANGE_ACCOUNT_REST_URLS = {"testnet": "sandbox", "live": "sandbox"}

# Cache keys (the sign-in throttles' counters) apart per pytest process, like the database: suites
# running side by side on one Redis never throttle each other.
CACHES["default"]["KEY_PREFIX"] = f"test{os.getpid()}"  # noqa: F405
