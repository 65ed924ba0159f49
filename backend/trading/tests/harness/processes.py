"""Platform processes a test can kill -9 and start again: `manage.py run_trading` and a Celery
worker, on the test database and the test sandbox, optionally armed to kill themselves at a crash
point (trading/crashpoints.py: `TRADING_CRASH_AT` names the point, the file `TRADING_CRASH_ARM`
names must exist; the process deletes it before dying). Their output goes to leakwatch's capture
directory, scanned for secrets at the end of the session.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Callable

from common import leakwatch
from common.testing import BACKEND_DIR, database_url_of


def wait_until(predicate: Callable[[], object], *, timeout: float, what: str, interval: float = 0.1):
    """Poll `predicate` until it returns something truthy; AssertionError naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def proof_queue() -> str:
    """The Celery queue of this pytest process's proofs (harness/settings.py routes `trading.*` there)."""
    return f"trading-proof-{os.getpid()}"


def platform_env(sandbox_url: str, **extra: str) -> dict:
    """What a platform process needs to share this test's database, Redis, sandbox and queue."""
    from django.db import connection

    return dict(
        os.environ,
        **extra,
        DATABASE_URL=database_url_of(connection.settings_dict),
        DJANGO_SETTINGS_MODULE="trading.tests.harness.settings",
        TRADING_PROOF_QUEUE=proof_queue(),
        DJANGO_DEBUG="true",
        BINANCE_ENV="sandbox",
        BINANCE_SANDBOX_URL=sandbox_url,
        BINANCE_SANDBOX_WS_URL="",
    )


class PlatformProcess:
    """A platform process that the test can kill -9 and start again, optionally armed to kill
    itself at a crash point (trading/crashpoints.py: `TRADING_CRASH_AT` + the arm file)."""

    def __init__(self, name: str, argv: list[str], env: dict, workdir: Path,
                 ready: Callable[["PlatformProcess"], bool]):
        self.name, self.argv, self.env, self._ready = name, argv, env, ready
        self.arm_file = workdir / f"{name}-{uuid.uuid4().hex[:8]}.arm"
        self.process: subprocess.Popen | None = None
        self.crash_at: str = ""
        self.starts = 0
        self.logs: list[Path] = []

    def start(self, *, crash_at: str = "", armed: bool = True, wait: bool = True) -> "PlatformProcess":
        assert self.process is None or self.process.poll() is not None, f"{self.name} is still running"
        self.crash_at = crash_at
        self.arm_file.unlink(missing_ok=True)
        if crash_at and armed:
            self.arm()
        env = dict(self.env, TRADING_CRASH_AT=crash_at, TRADING_CRASH_ARM=str(self.arm_file) if crash_at else "")
        log = leakwatch.process_log(self.name)
        self.logs.append(Path(log.name))
        self.process = subprocess.Popen(self.argv, cwd=BACKEND_DIR, env=env, stdout=log, stderr=log)
        log.close()
        self.starts += 1
        if wait:
            wait_until(lambda: self._ready(self) or self._died(), timeout=60, what=f"{self.name} to start")
            if self.process.poll() is not None and not crash_at:
                raise RuntimeError(f"{self.name} exited at start (code {self.process.returncode})")
        return self

    def log_tail(self, lines: int = 15) -> str:
        """The end of what the last run of the process wrote (for a failing proof's message)."""
        if not self.logs or not self.logs[-1].exists():
            return "(no log)"
        text = self.logs[-1].read_text(errors="replace").splitlines()
        return "\n".join(f"    {line}" for line in text[-lines:])

    def _died(self) -> bool:
        return self.process.poll() is not None

    def arm(self) -> None:
        self.arm_file.write_text("armed")

    @property
    def armed(self) -> bool:
        return self.arm_file.exists()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self) -> None:
        if self.alive:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def wait_exit(self, timeout: float = 60) -> int:
        """Wait for the process to end (a crash point killed it); its return code (-9 for SIGKILL)."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name} did not reach crash point {self.crash_at!r} within {timeout:.0f} s "
                                 f"(arm file {'still there' if self.armed else 'gone'})") from None

    def restart(self, **kwargs) -> "PlatformProcess":
        if self.alive:
            self.kill9()
        return self.start(**kwargs)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def trading_process(sandbox_url: str, workdir: Path, **env: str) -> PlatformProcess:
    """`manage.py run_trading`, counted as started after a 1 s settle; what it has done by then is
    for the caller to wait for (stack.trading_start waits for its start-up reconciliation)."""
    started = {}

    def ready(proc: PlatformProcess) -> bool:
        started.setdefault(proc.starts, time.monotonic())
        return time.monotonic() - started[proc.starts] > 1.0

    return PlatformProcess("run_trading", [sys.executable, "manage.py", "run_trading"],
                           platform_env(sandbox_url, **env), workdir, ready)


def celery_worker(sandbox_url: str, workdir: Path, **env: str) -> PlatformProcess:
    """A Celery worker of the proofs' queue; solo pool: the task runs in the process the test kills."""
    from config.celery import app

    name = f"trading-proof-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"

    def ready(_proc: PlatformProcess) -> bool:
        return bool(app.control.ping(destination=[name], timeout=0.5))

    argv = [sys.executable, "-m", "celery", "-A", "common.leakwatch_worker", "worker", "--pool=solo", "-n", name,
            "-Q", proof_queue(), "-l", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    return PlatformProcess("celery-trading", argv, platform_env(sandbox_url, **env), workdir, ready)
