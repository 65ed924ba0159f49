"""The one way to push to browsers: `publish(event)`.

Every event gets a sequence number from a Redis counter per group, growing by
one, so a client that sees a gap knows it missed something and resyncs over
REST. Call `publish_on_commit` from code inside a transaction so an event is
never sent for a write that is rolled back.
"""
from __future__ import annotations

import json
import time

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from realtime.events import Event

_redis: redis.Redis | None = None


def _counter() -> redis.Redis:
    global _redis
    if _redis is None:
        _redis = redis.Redis.from_url(settings.REDIS_URL)
    return _redis


def sequence_key(group: str) -> str:
    return f"realtime:seq:{group}"


def publish(event: Event) -> int:
    """Send `event` to its group now; returns the sequence number it carried."""
    seq = int(_counter().incr(sequence_key(event.group)))
    frame = {"type": event.type, "seq": seq, "ts": int(time.time() * 1000), "data": event.data}
    message = {
        # Channels turns "realtime.event" into a call of consumer.realtime_event(). The frame is
        # serialised here, once, instead of once per connected dashboard.
        "type": "realtime.event",
        "text": json.dumps(frame, cls=DjangoJSONEncoder, separators=(",", ":")),
    }
    async_to_sync(get_channel_layer().group_send)(event.group, message)
    return seq


def publish_on_commit(event: Event) -> None:
    transaction.on_commit(lambda: publish(event))


def current_sequence(group: str) -> int:
    value = _counter().get(sequence_key(group))
    return int(value) if value is not None else 0
