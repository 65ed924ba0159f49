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
