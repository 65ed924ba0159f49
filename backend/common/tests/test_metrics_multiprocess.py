"""Multiprocess mode: two real processes count into one PROMETHEUS_MULTIPROC_DIR, a third (Django,
the `/metrics` view) merges them, as the web process of a host does for its workers and streams."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from common.testing import BACKEND_DIR

WORKER = textwrap.dedent("""
    import sys
    from types import SimpleNamespace
    from common import metrics

    n, stay = int(sys.argv[1]), sys.argv[2] == "stay"
    candles = [(SimpleNamespace(interval="5m", close_time=300_000 * (i + 1) - 1),) for i in range(n)]
    metrics.candles_ingested(candles, market="usdm")
    metrics.scan_observe(timeframe="5m", status="ok", duration_ms=250 * n, symbols=10 * n)

    class SignalsConsumer:
        pass

    metrics.socket_opened(SignalsConsumer())
    print("ready", flush=True)
    if stay:
        sys.stdin.readline()  # alive until the test has scraped
""")

SCRAPER = textwrap.dedent("""
    import django
    django.setup()
    from django.test import Client
    response = Client().get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_HOST="localhost")
    assert response.status_code == 200, response.status_code
    print(response.content.decode())
""")


def _env(directory) -> dict:
    return dict(os.environ, PYTHONPATH=str(BACKEND_DIR), PROMETHEUS_MULTIPROC_DIR=str(directory),
                DJANGO_SETTINGS_MODULE="config.settings.test")


def _samples(text: str) -> dict:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_two_processes_are_merged_and_a_process_that_exited_keeps_its_counts_not_its_sockets(tmp_path):
    directory = tmp_path / "metrics"  # not created: the first process makes it
    env = _env(directory)
    exited = subprocess.run([sys.executable, "-c", WORKER, "3", "exit"], cwd=BACKEND_DIR, env=env,
                            capture_output=True, text=True, timeout=60)
    assert exited.returncode == 0, exited.stderr
    alive = subprocess.Popen([sys.executable, "-c", WORKER, "4", "stay"], cwd=BACKEND_DIR, env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert alive.stdout.readline().strip() == "ready"
        scrape = subprocess.run([sys.executable, "-c", SCRAPER], cwd=BACKEND_DIR, env=env,
                                capture_output=True, text=True, timeout=120)
        assert scrape.returncode == 0, scrape.stderr
    finally:
        alive.communicate("done\n", timeout=30)
    samples = _samples(scrape.stdout)
    assert samples[("market_candles_ingested_total", (("interval", "5m"), ("market", "usdm")))] == 3 + 4
    duration = (("status", "ok"), ("timeframe", "5m"))
    assert samples[("scanner_scan_duration_seconds_count", duration)] == 2
    assert samples[("scanner_scan_duration_seconds_sum", duration)] == 0.75 + 1.0
    # mostrecent: the latest scan's symbol count (the second process wrote last).
    assert samples[("scanner_scan_symbols", (("timeframe", "5m"),))] == 40
    # livesum: the exited process's socket is gone with it, the live one is counted.
    assert samples[("realtime_connected_sockets", (("endpoint", "signals"),))] == 1


def test_a_killed_process_keeps_its_counts(tmp_path):
    env = _env(tmp_path)
    process = subprocess.Popen([sys.executable, "-c", WORKER, "2", "stay"], cwd=BACKEND_DIR, env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    process.kill()
    process.wait(30)
    scrape = subprocess.run([sys.executable, "-c", SCRAPER], cwd=BACKEND_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert scrape.returncode == 0, scrape.stderr
    samples = _samples(scrape.stdout)
    assert samples[("market_candles_ingested_total", (("interval", "5m"), ("market", "usdm")))] == 2


def test_daphne_serves_the_merged_metrics_of_another_process_and_logs_json(tmp_path):
    """The deployment's shape: Daphne (the web process) and a worker sharing the directory; the
    scrape over HTTP shows the worker's counts, and Daphne's own log lines are JSON."""
    import json
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(_env(tmp_path), DJANGO_SETTINGS_MODULE="config.settings.base", LOG_FORMAT="json")
    web = subprocess.Popen([str(Path(sys.executable).parent / "daphne"), "-b", "127.0.0.1", "-p", str(port),
                            "config.asgi:application"], cwd=BACKEND_DIR, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    try:
        worker = subprocess.run([sys.executable, "-c", WORKER, "5", "exit"], cwd=BACKEND_DIR, env=env,
                                capture_output=True, text=True, timeout=60)
        assert worker.returncode == 0, worker.stderr
        request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers={"Host": "localhost"})
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    body = response.read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                assert web.poll() is None and time.monotonic() < deadline, "Daphne did not answer"
                time.sleep(0.2)
    finally:
        web.terminate()
        _, stderr = web.communicate(timeout=30)
    samples = _samples(body)
    assert samples[("market_candles_ingested_total", (("interval", "5m"), ("market", "usdm")))] == 5
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    assert any(line["logger"].startswith("daphne") for line in lines)
    assert all({"ts", "level", "logger", "message"} <= set(line) for line in lines)
