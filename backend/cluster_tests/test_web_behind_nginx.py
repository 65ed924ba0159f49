"""Two Daphne processes behind Debian's nginx with deploy/nginx/platform.conf: HTTP and a
WebSocket through the one address, requests spread over both instances, and one Daphne killed
with SIGKILL does not stop new requests or new WebSockets (they go to the other)."""
from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken

from common import leakwatch
from common.testing import BACKEND_DIR, database_url_of
from realtime import dispatcher
from realtime.events import Event, user_group

REPO = BACKEND_DIR.parent
sys.path.insert(0, str(REPO / "deploy" / "nginx"))
from render import render  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ORIGIN = {"Origin": "http://localhost"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start (exit code {process.poll()})")
        time.sleep(0.05)


@pytest.fixture
def web_cluster(tmp_path):
    """nginx on a free port in front of two Daphne processes: (base URL, {port: daphne}, nginx prefix)."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is not installed (make nginx installs Debian's)")
    env = dict(os.environ, DATABASE_URL=database_url_of(connection.settings_dict),
               DJANGO_SETTINGS_MODULE="config.settings.test")
    daphnes, logs = {}, []
    processes = []
    try:
        for n in range(2):
            port = _free_port()
            log = leakwatch.process_log(f"daphne{n}")
            logs.append(log)
            daphnes[port] = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
                cwd=BACKEND_DIR, env=env, stdout=log, stderr=log)
            processes.append(daphnes[port])
        for port, process in daphnes.items():
            _wait_port(port, process, f"Daphne on {port}")
        listen = _free_port()
        prefix = tmp_path / "nginx"
        prefix.mkdir()
        conf = render(listen=f"127.0.0.1:{listen}", web=[f"127.0.0.1:{p}" for p in daphnes], prefix=prefix,
                      client_dist=REPO / "client" / "dist", foreground=True)
        (prefix / "nginx.conf").write_text(conf)
        front = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(front)
        _wait_port(listen, front, "nginx")
        yield f"127.0.0.1:{listen}", daphnes, prefix
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()


async def _welcome(session: aiohttp.ClientSession, address: str, token: str) -> aiohttp.ClientWebSocketResponse:
    ws = await session.ws_connect(f"ws://{address}/ws/account/", headers=ORIGIN)
    await ws.send_json({"type": "auth", "token": token})
    welcome = await ws.receive_json(timeout=10)
    assert welcome["type"] == "welcome", welcome
    return ws


async def test_http_and_websockets_through_nginx_survive_one_daphne_dying(web_cluster):
    address, daphnes, prefix = web_cluster
    user = await User.objects.acreate(id=random.randrange(10**8, 2**31 - 1), username="dora@example.com",
                                      email="dora@example.com")
    token = await sync_to_async(lambda: str(AccessToken.for_user(user)))()
    assets = sorted((REPO / "client" / "dist" / "assets").iterdir())
    async with aiohttp.ClientSession() as session:
        for _ in range(6):
            async with session.get(f"http://{address}/api/schema/") as response:
                assert response.status == 200, await response.text()
        async with session.get(f"http://{address}/assets/{assets[0].name}") as response:
            assert response.status == 200 and "immutable" in response.headers["Cache-Control"]
            assert await response.read() == assets[0].read_bytes()  # from disk, not through Daphne
        sockets = [await _welcome(session, address, token) for _ in range(4)]
        await asyncio.sleep(0.3)  # Channels subscribes without waiting for Redis to confirm it
        await sync_to_async(dispatcher.publish)(
            Event("exchange_account_updated", {"id": 7}, group=user_group(user.id)))
        for ws in sockets:  # published once, delivered by whichever Daphne holds each socket
            frame = await ws.receive_json(timeout=10)
            assert frame["type"] == "exchange_account_updated" and frame["data"] == {"id": 7}
        used = {line.rsplit(" ", 1)[1].strip() for line in (prefix / "access.log").read_text().splitlines()}
        assert {f"127.0.0.1:{p}" for p in daphnes} <= used  # both instances answered

        dead_port, dead = next(iter(daphnes.items()))
        dead.send_signal(signal.SIGKILL)
        dead.wait(10)
        for _ in range(8):  # none of these fails: a refused connect goes to the other instance
            async with session.get(f"http://{address}/api/schema/") as response:
                assert response.status == 200
        after = [await _welcome(session, address, token) for _ in range(4)]
        await sync_to_async(dispatcher.publish)(
            Event("exchange_account_updated", {"id": 8}, group=user_group(user.id)))
        for ws in after:
            await asyncio.sleep(0)
            frame = await ws.receive_json(timeout=10)
            assert frame["data"] == {"id": 8}
        for ws in sockets + after:
            await ws.close()
