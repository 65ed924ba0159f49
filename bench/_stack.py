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


def cpu_seconds_by_program(pids: dict[str, list[int]] | None = None) -> dict[str, float]:
    """CPU seconds (user + system) used so far, summed per program: the named pid groups, plus
    every `postgres` and `redis-server` process on the machine. Two readings around a stretch of
    work tell where the machine's cores went during it."""
    tick = os.sysconf("SC_CLK_TCK")

    def used(pid: int) -> tuple[str, float] | None:
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            return None
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        return comm, (int(fields[11]) + int(fields[12])) / tick

    totals: dict[str, float] = {}
    for name, group in (pids or {}).items():
        totals[name] = sum(u[1] for u in map(used, group) if u is not None)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            u = used(int(entry))
            if u is not None and u[0] in ("postgres", "redis-server"):
                totals[u[0]] = totals.get(u[0], 0.0) + u[1]
    return totals
