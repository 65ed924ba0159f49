"""Flower, started by the Procfile's own command line, refuses requests without its login."""
import base64
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from common import leakwatch

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(url: str, auth: str | None = None) -> int:
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def flower():
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("flower:"))
    port, auth = _free_port(), f"ops:{leakwatch.secret(secrets.token_urlsafe(12), 'Flower password')}"
    env = dict(os.environ, WEB_HOST="127.0.0.1", FLOWER_PORT=str(port), FLOWER_BASIC_AUTH=auth,
               DJANGO_SETTINGS_MODULE="config.settings.test")
    process = subprocess.Popen(["bash", "-c", line.split(":", 1)[1]], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                _status(url + "/")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Flower did not start (exit code {process.poll()})") from None
                time.sleep(0.2)
        yield url, auth
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_flower_needs_its_login(flower):
    url, auth = flower
    user = auth.split(":")[0]
    for path in ("/", "/tasks", "/api/workers"):
        assert _status(url + path) == 401, path
        assert _status(url + path, f"{user}:wrong-password") == 401, path
    assert _status(url + "/", auth) == 200
    assert _status(url + "/tasks", auth) == 200
