"""Helpers shared by the benchmarks: Django set-up, free ports, subprocesses of the platform."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BACKEND = ROOT / "backend"
PYTHON = ROOT / ".venv" / "bin" / "python"


def django_setup() -> None:
    sys.path.insert(0, str(BACKEND))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def fresh_database() -> None:
    """Point DATABASE_URL at a fresh `<name>_bench` database, migrated."""
    url = subprocess.check_output(
        [str(PYTHON), "-m", "common.dbtools", "fresh-database", os.environ["DATABASE_URL"], "--suffix", "_bench"],
        cwd=str(BACKEND), text=True,
    ).strip()
    os.environ["DATABASE_URL"] = url
    subprocess.check_call([str(PYTHON), "manage.py", "migrate", "-v0"], cwd=str(BACKEND))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.1)


def start(args: list[str], env: dict | None = None, quiet: bool = True) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=BACKEND, env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL if quiet else None, stderr=subprocess.DEVNULL if quiet else None,
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]
