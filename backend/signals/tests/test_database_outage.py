"""PostgreSQL stopped under a running web process: the API answers 503 with a clear JSON body
(never 500) while it is down, and answers normally once it is back; a scan left running by the
outage is marked failed by the next scan once it is back.

Real processes: a throwaway PostgreSQL cluster of its own (pgserver, in a temporary directory:
never the machine's shared server), migrated, stopped with pg_ctl and started again, and
`manage.py runserver` on it.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

BACKEND_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def cluster(tmp_path):
    import warnings

    warnings.filterwarnings("ignore", module="platformdirs")  # XDG_RUNTIME_DIR unset: harmless
    import pgserver
    from pgserver._commands import pg_ctl

    logging.getLogger("pgserver").setLevel(logging.WARNING)  # its exit hook logs after pytest closed the streams

    server = pgserver.get_server(tmp_path / "pg", cleanup_mode="stop")
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE outage")

    class Cluster:
        url = server.get_uri("outage")

        @staticmethod
        def stop() -> None:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)

        @staticmethod
        def start() -> None:
            server.ensure_postgres_running()

    yield Cluster
    server.cleanup()


def _env(database_url: str) -> dict:
    return dict(os.environ, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings.test",
                DJANGO_DEBUG="true")


def _get(url: str) -> tuple[int, dict, dict]:
    import json

    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), dict(error.headers)


def test_the_api_answers_503_while_postgresql_is_stopped_and_recovers(cluster, tmp_path):
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=BACKEND_DIR, env=_env(cluster.url),
                   check=True, timeout=300)
    from common.embedded import _free_port  # `conftest` names another module in a full run

    port = _free_port()
    web = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                           cwd=BACKEND_DIR, env=_env(cluster.url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body, _ = _get(f"{base}/api/signals/")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "runserver did not come up"
                time.sleep(0.2)
        assert status == 200

        # What a scan caught by the outage leaves behind: its run still "running".
        with psycopg.connect(cluster.url, autocommit=True) as conn:
            conn.execute("INSERT INTO signals_scanrun (trigger, status, timeframe, started_at, symbols, weight_used,"
                         " signals_created, signals_updated, signals_closed, errors)"
                         " VALUES ('schedule', 'running', '5m', now(), 0, 0, 0, 0, 0, '[]')")
        cluster.stop()
        for path in ("/api/signals/", "/api/scanner/status/", "/api/signals/stats/"):
            status, body, headers = _get(f"{base}{path}")
            assert status == 503, (path, body)
            assert body == {"detail": "The database is unavailable; try again shortly.",
                            "code": "database_unavailable"}
            assert headers["Retry-After"] == "5"

        cluster.start()
        status, _, _ = _get(f"{base}/api/signals/")
        assert status == 200
    finally:
        web.terminate()
        web.wait(20)

    # Once it is back, the next scan closes the orphaned run as failed (its lock held: no live scan owns it).
    code = ("import django; django.setup(); "
            "from signals.services.scan_runs import scan_runs_orphaned_fail; "
            "print(scan_runs_orphaned_fail(timeframe='5m'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=BACKEND_DIR, env=_env(cluster.url), check=True,
                         capture_output=True, text=True, timeout=60).stdout
    assert out.strip().splitlines()[-1] == "1"
    with psycopg.connect(cluster.url) as conn:
        assert conn.execute("SELECT status FROM signals_scanrun").fetchall() == [("failed",)]
