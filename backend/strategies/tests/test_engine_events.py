"""The owner sees a run's log lines, decisions and status changes live on /ws/account/ (the
real engine, dispatcher, Redis channel layer and socket; the order goes to the sandbox)."""
from __future__ import annotations

import random
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from rest_framework_simplejwt.tokens import AccessToken

from config.asgi import application
from market.services import candles_upsert
from strategies.compiler import compile_workspace
from strategies.models import StrategyLog
from trading.tests.harness import paper_account_create

from .test_engine_support import EngineThread, Stream, candles_make, run_make, version_make
from .workspaces import log, num, open_, workspace

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]
HEADERS = [(b"host", b"localhost"), (b"origin", b"http://localhost")]


def _setup(sandbox):
    # An id far from 1: test processes side by side share Redis, where user groups are keyed by id.
    owner = User.objects.create_user(id=random.randrange(10**8, 2**31 - 1), username="ev@example.com")
    account = paper_account_create(owner, sandbox)
    talker = compile_workspace(workspace(log("hello"),
                                         open_("LONG", num(0.002))))
    good = run_make(version_make(owner, talker, "talker"), account, ["BTCUSDT"])
    bad = run_make(version_make(owner, {"ir_version": 999, "on_candle_close": []}, "stale"), account, ["BTCUSDT"])
    candles = candles_make("BTCUSDT", 31)
    candles_upsert(candles[:30])
    return owner, str(AccessToken.for_user(owner)), good, bad, candles


async def test_logs_decisions_and_status_reach_the_owners_socket(sandbox_process):
    owner, token, good, bad, candles = await sync_to_async(_setup)(sandbox_process)
    socket = WebsocketCommunicator(application, "/ws/account/", headers=HEADERS)
    assert (await socket.connect())[0]
    await socket.send_json_to({"type": "auth", "token": token})
    assert (await socket.receive_json_from(timeout=5))["type"] == "welcome"
    stream = await sync_to_async(Stream)()
    engine = await sync_to_async(EngineThread)(stream)
    seen: dict[str, list[dict]] = {}
    try:
        await sync_to_async(candles_upsert)(candles[30:])
        await sync_to_async(stream.publish)(candles[30:])
        wanted = {("strategy_log", good.id), ("strategy_decision", good.id), ("strategy_run_updated", bad.id),
                  ("strategy_log", bad.id)}
        while not wanted <= {(k, d.get("run_id")) for k, rows in seen.items() for d in rows}:
            frame = await socket.receive_json_from(timeout=30)
            for f in frame["events"] if frame["type"] == "batch" else [frame]:
                seen.setdefault(f["type"], []).append(f["data"])
    finally:
        await sync_to_async(engine.close)()
        await sync_to_async(stream.delete)()
        await socket.disconnect()
    pushed = next(d for d in seen["strategy_log"] if d["run_id"] == good.id)
    assert {"message": "hello", "level": "info", "symbol": "BTCUSDT"}.items() <= pushed.items()
    stored = await sync_to_async(StrategyLog.objects.get)(pk=pushed["id"])  # the row the line is, by its id
    assert (stored.run_id, stored.message) == (good.id, "hello")
    decision = next(d for d in seen["strategy_decision"] if d["run_id"] == good.id)
    assert decision["kind"] == "open" and decision["payload"]["quantity"] == 0.002 and decision["order_id"]
    assert decision["candle_time"] == candles[30].open_time
    failed = next(d for d in seen["strategy_run_updated"] if d["run_id"] == bad.id)
    assert failed["status"] == "ERROR" and failed["error"].startswith("StaleProgram")
    assert "trace" not in failed  # the trace is read over the API, not pushed
