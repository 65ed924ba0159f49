"""Checks of each part the platform needs: database, Redis, channel layer, Celery workers.

Each check returns a `CheckResult` and never raises: a failing part is reported,
not propagated, so one dead dependency cannot hide the state of the others.
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import asdict, dataclass, field

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection

from common.errors import PublicError, error_summary
from config.celery import app as celery_app

logger = logging.getLogger(__name__)


class CheckFailed(PublicError):
    """A check's own verdict (no worker answered, ...): its message is shown as it is."""

CHECK_TIMEOUT_S = 2.0


@dataclass
class CheckResult:
    ok: bool
    latency_ms: float
    error: str | None = None
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = asdict(self)
        if data["error"] is None:
            del data["error"]
        if not data["detail"]:
            del data["detail"]
        return data


def _timed(check) -> CheckResult:
    started = time.perf_counter()
    try:
        detail = check() or {}
        return CheckResult(ok=True, latency_ms=_ms_since(started), detail=detail)
    except Exception as exc:  # noqa: BLE001 — a health check reports every failure
        # The endpoint is public: the class and a short reason only; the full text is logged.
        logger.warning("health check %s failed: %s: %s", getattr(check, "__name__", check), type(exc).__name__, exc)
        return CheckResult(ok=False, latency_ms=_ms_since(started), error=error_summary(exc))


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _redis() -> dict:
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=CHECK_TIMEOUT_S, socket_timeout=CHECK_TIMEOUT_S
    )
    try:
        client.ping()
        return {"version": client.info("server").get("redis_version")}
    finally:
        client.close()


def _channel_layer() -> dict:
    # A round trip through the layer: send to a fresh channel and read it back.
    layer = get_channel_layer()

    async def round_trip():
        import asyncio

        channel = await layer.new_channel("health.")
        token = uuid.uuid4().hex
        await layer.send(channel, {"type": "health.ping", "token": token})
        message = await asyncio.wait_for(layer.receive(channel), CHECK_TIMEOUT_S)
        if message.get("token") != token:
            raise CheckFailed("channel layer returned a different message")

    async_to_sync(round_trip)()
    return {"backend": type(layer).__name__}


def _celery() -> dict:
    # limit=1 returns on the first reply instead of waiting out the timeout.
    replies = celery_app.control.ping(timeout=1.0, limit=1)
    workers = sorted(name for reply in replies for name in reply)
    if not workers:
        raise CheckFailed("no Celery worker answered a ping within 1 s")
    return {"workers": workers}


def _signals() -> dict:
    # Counts the scheduled health check reports: a scanner that stopped finding symbols or
    # signals shows up here. Not part of GET /api/health/ (not a dependency failure).
    from market.models import Symbol
    from signals.models import Signal, Status

    return {
        "active_signals": Signal.objects.filter(status=Status.ACTIVE).count(),
        "symbols": Symbol.objects.count(),
    }


CHECKS = {
    "database": _database,
    "redis": _redis,
    "channel_layer": _channel_layer,
    "celery": _celery,
    "signals": _signals,
}
API_CHECKS = ["database", "redis", "channel_layer", "celery"]


def system_check(parts: list[str] | None = None) -> dict[str, CheckResult]:
    """Run the named checks (the API's four by default), in a fixed order."""
    return {name: _timed(CHECKS[name]) for name in (parts or API_CHECKS)}
