"""Test settings: the real PostgreSQL and Redis from the environment, faster hashing."""
import os

from config.settings.base import *  # noqa: F401,F403
from config.settings.base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_AUTOREFRESH = True

# One test database per pytest process, so suites started side by side (several terminals,
# or a developer's run next to CI) never drop each other's database.
DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
