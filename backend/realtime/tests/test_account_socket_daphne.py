"""/ws/account/ served by a real Daphne process, as browsers reach it.

Daphne drops the reason of a close (django/daphne#374), which is why every 4401 is preceded by
an error frame carrying the reason: this test shows what a browser actually receives.
"""
import asyncio
import os
import random
import socket
import subprocess
import sys
import time

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

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = {"Origin": "http://localhost"}


@pytest.fixture
def daphne_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=database_url_of(connection.settings_dict),
               DJANGO_SETTINGS_MODULE="config.settings.test")
    log = leakwatch.process_log("daphne")
    process = subprocess.Popen([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                                "config.asgi:application"], cwd=BACKEND_DIR, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"Daphne did not start (exit code {process.poll()})")
        time.sleep(0.05)
    try:
        yield f"ws://127.0.0.1:{port}/ws/account/"
    finally:
        process.terminate()
        process.wait(10)
        log.close()


async def test_a_browser_behind_daphne_gets_the_reason_then_4401(daphne_url):
    async with aiohttp.ClientSession() as session, session.ws_connect(daphne_url, headers=ORIGIN) as ws:
        await ws.send_json({"type": "auth", "token": "garbage"})
        assert await ws.receive_json(timeout=10) == {"type": "error", "code": 4401, "message": "invalid token"}
        closing = await ws.receive(timeout=10)
        assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 4401


async def test_events_published_by_another_process_reach_the_owner(daphne_url):
    user = await User.objects.acreate(id=random.randrange(10**8, 2**31 - 1), username="carol@example.com",
                                      email="carol@example.com")
    token = await sync_to_async(lambda: str(AccessToken.for_user(user)))()
    async with aiohttp.ClientSession() as session, session.ws_connect(daphne_url, headers=ORIGIN) as ws:
        await ws.send_json({"type": "auth", "token": token})
        welcome = await ws.receive_json(timeout=10)
        assert welcome["type"] == "welcome"
        # Channels sends SUBSCRIBE without waiting for Redis to confirm it: let it land first.
        await asyncio.sleep(0.2)
        seq = await sync_to_async(dispatcher.publish)(
            Event("exchange_account_updated", {"id": 3, "status": "verified"}, group=user_group(user.id)))
        frame = await ws.receive_json(timeout=10)
        assert frame == {"type": "exchange_account_updated", "seq": welcome["seq"] + 1, "epoch": welcome["epoch"], "ts": frame["ts"],
                         "data": {"id": 3, "status": "verified"}}
        assert seq == welcome["seq"] + 1
