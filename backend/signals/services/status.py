"""Scanner status: what the scanner is doing, its last scan, the streams and the weight governor.

The live state is a small JSON document in Redis (written by whichever process scans) so the
API and every worker see the same thing; each change is also pushed as a `scanner_status` event.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime

import redis
from django.conf import settings

from realtime.dispatcher import publish
from realtime.events import Event
from signals.config import SIGNAL_TIMEFRAMES

logger = logging.getLogger(__name__)

STATE_KEY = "signals:scanner:state"
#: Heartbeat of run_live_signals (written by services/live.py, read here).
LIVE_HEARTBEAT_KEY = "signals:live:status"
LIVE_STALE_S = 10  # run_live_signals beats at least every second
STREAM_STALE_S = 30  # stream_market beats every 10 s


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def scanner_status_get() -> dict:
    from signals.representation import scan_run_payload
    from signals.selectors import scan_run_latest

    client = _redis()
    state = json.loads(client.get(STATE_KEY) or b'{"state": "idle"}')
    from market.selectors import stream_status

    live = json.loads(client.get(LIVE_HEARTBEAT_KEY) or b"{}")
    streams = stream_status() or {}
    now = time.time()
    governor = _governor_state()
    if governor.get("banned"):
        state["state"] = "banned"
    last = scan_run_latest()
    return {
        "state": state.get("state", "idle"),
        "timeframe": state.get("timeframe"),
        "since": state.get("since"),
        "last_scan": _public_scan(scan_run_payload(last)) if last else None,
        "timeframes": list(SIGNAL_TIMEFRAMES),
        "stream": {
            # Live when both processes beat: the kline streams (stream_market) and the engine
            # following them (run_live_signals). Candles may still be minutes apart.
            "connected": (now - streams.get("alive_at", 0) < STREAM_STALE_S and streams.get("connections", 0) > 0
                          and now - live.get("alive_at", 0) < LIVE_STALE_S),
            "last_event_at": _iso(live["last_event_at"] * 1000) if live.get("last_event_at") else None,
            "connections": streams.get("connections", 0),
            "symbols": streams.get("symbols", 0),
            "reconnects": sum((streams.get("reconnects") or {}).values()),
        },
        "governor": governor,
    }


def scanner_status_publish(*, state: str, timeframe: str | None = None) -> None:
    _redis().set(STATE_KEY, json.dumps({"state": state, "timeframe": timeframe, "since": int(time.time() * 1000)}))
    publish(Event("scanner_status", scanner_status_get()))


def scanner_error_publish(*, message: str) -> None:
    publish(Event("scanner_error", {"message": message}))


def _public_scan(summary: dict) -> dict:
    # The status is public (API and /ws/signals/): each error as its class and a short reason;
    # the full text stays on the ScanRun, in the admin.
    from common.errors import error_text_summary

    return {**summary, "errors": [error_text_summary(error) for error in summary.get("errors") or []]}


def _governor_state() -> dict:
    """Used weight, budget and ban of the shared weight governor (never fails the status)."""
    from market.binance.client import BinanceClient

    async def read() -> dict:
        client = BinanceClient.from_settings()
        try:
            return (await client.governor.state()).as_dict()
        finally:
            await client.governor.close()

    try:
        state = asyncio.run(read())
    except Exception as exc:  # noqa: BLE001 — the status must answer even when Redis struggles
        logger.warning("governor state unavailable: %s", exc)
        return {"error": f"{type(exc).__name__}", "banned": False, "banned_until": None}
    until = state.get("banned_until_ms")
    state["banned_until"] = _iso(until) if until else None
    return state


def _iso(ms: float) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat().replace("+00:00", "Z")
