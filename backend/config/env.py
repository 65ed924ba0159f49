"""Typed environment settings, read once at import.

Every setting the platform reads comes through here, so a bad value fails at
start-up with a message naming the variable instead of surfacing later as a
confusing runtime error. `.env.example` at the repository root lists them all.

A `.env` file at the repository root is read if present; real environment
variables always win over it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
BACKEND_DIR = REPO_ROOT / "backend"


class EnvError(RuntimeError):
    """A variable is present but its value cannot be used."""


def _load_dotenv(path: Path) -> None:
    # Minimal KEY=VALUE reader: comments, blank lines and optional quotes.
    # Existing environment variables are never overwritten.
    if not path.is_file():
        return
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key, value = key.strip().removeprefix("export ").strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
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


@dataclass(frozen=True)
class Env:
    debug: bool
    secret_key: str
    allowed_hosts: list[str]
    database: dict
    redis_url: str
    celery_broker_url: str
    time_zone: str
    log_level: str
    celery_task_always_eager: bool
    flower_url: str


def read_env() -> Env:
    _load_dotenv(REPO_ROOT / ".env")
    debug = env_bool("DJANGO_DEBUG", True)
    secret_key = env_str("DJANGO_SECRET_KEY", "insecure-dev-key-change-me" if debug else None)
    redis_url = check_redis_url("REDIS_URL", env_str("REDIS_URL", "redis://127.0.0.1:6379/0"))
    log_level = env_str("LOG_LEVEL", "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise EnvError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {log_level!r}")
    return Env(
        debug=debug,
        secret_key=secret_key,
        allowed_hosts=env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]"),
        database=parse_database_url(env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/scanner")),
        redis_url=redis_url,
        celery_broker_url=check_redis_url("CELERY_BROKER_URL", env_str("CELERY_BROKER_URL", redis_url)),
        time_zone=env_str("TIME_ZONE", "UTC"),
        log_level=log_level,
        celery_task_always_eager=env_bool("CELERY_TASK_ALWAYS_EAGER", False),
        flower_url=env_str("FLOWER_URL", "http://127.0.0.1:5555/"),
    )


ENV = read_env()
