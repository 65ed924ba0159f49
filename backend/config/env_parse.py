"""The typed readers every setting goes through (`config/env.py` and `config/env_security.py`):
a bad value fails at start-up with a message naming the variable."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from config.dotenv import DotenvError, dotenv_parse


class EnvError(RuntimeError):
    """A variable is present but its value cannot be used."""


def _load_dotenv(path: Path) -> None:
    # Parsed by config/dotenv.py, the same reader scripts/run.sh uses: data, never shell.
    # Existing environment variables are never overwritten.
    if not path.is_file():
        return
    try:
        values = dotenv_parse(path.read_text(encoding="utf-8"))
    except DotenvError as exc:
        raise EnvError(f"{path}: {exc}") from None
    for key, value in values.items():
        os.environ.setdefault(key, value)


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise EnvError(f"{name} is required but not set")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    # Only the two spellings below are accepted: "yes", "1" or "on" are
    # rejected on purpose, so a typo never silently means False.
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value in ("True", "true"):
        return True
    if value in ("False", "false"):
        return False
    raise EnvError(f"{name} must be true or false, got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise EnvError(f"{name} must be an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise EnvError(f"{name} must be >= {minimum}, got {number}")
    return number


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def parse_database_url(url: str) -> dict:
    """Turn `postgres://user:pass@host:port/name?host=/socket/dir` into Django's dict.

    The `host` query parameter (used for Unix sockets, as the embedded server
    does) wins over the network location.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise EnvError(f"DATABASE_URL must start with postgres:// or postgresql://, got {parts.scheme!r}")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise EnvError("DATABASE_URL must name a database, e.g. postgres://localhost:5432/scanner")
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or ""])[0]
    try:
        port = parts.port
    except ValueError:
        raise EnvError(f"DATABASE_URL has an invalid port: {url!r}") from None
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or "postgres"),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def check_redis_url(name: str, url: str) -> str:
    if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise EnvError(f"{name} must start with redis://, rediss:// or unix://, got {url!r}")
    return url


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise EnvError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _env_percent(name: str, default: int) -> int:
    value = env_int(name, default, minimum=0)
    if value > 100:
        raise EnvError(f"{name} must be between 0 and 100, got {value}")
    return value
