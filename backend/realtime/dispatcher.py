"""The one way to push to browsers: `publish(event)`.

Every event gets a sequence number from a Redis counter per group, growing by
one, so a client that sees a gap knows it missed something and resyncs over
REST. Call `publish_on_commit` from code inside a transaction so an event is
never sent for a write that is rolled back.

Market-wide events go to `signals_global` (`/ws/signals/`); what one user owns goes to
`user_group(user_id)` (`/ws/account/`), whose counter is that user's alone, so a user's
sequence has no holes made by other users' events:

    publish_on_commit(Event("order_updated", {...}, group=user_group(order.owner_id)))

Inside `with batched():` events are held and sent together when the block ends,
as one WebSocket frame `{"type": "batch", "events": [frame, ...]}` (consecutive
sequence numbers, in order). A scan pass that changes 30 signals then costs each
dashboard one frame instead of 30; a batch of one is sent as the plain frame.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from realtime.events import Event

_redis: redis.Redis | None = None
_pending = threading.local()


def _counter() -> redis.Redis:
    global _redis
    if _redis is None:
        _redis = redis.Redis.from_url(settings.REDIS_URL)
    return _redis


def sequence_key(group: str) -> str:
    return f"realtime:seq:{group}"


def user_sockets_close(user_id: int, *, reason: str) -> None:
    """Close every open `/ws/account/` socket of the user with 4401 and `reason` (the password
    changed: the sessions it ended must not keep a live channel). Not an event: no sequence
    number, nothing for a client to replay; it reconnects with fresh tokens or signs out."""
    from realtime.events import user_group

    async_to_sync(get_channel_layer().group_send)(user_group(user_id), {"type": "sockets.close", "reason": reason})


def publish(event: Event) -> int | None:
    """Send `event` to its group now (or at the end of the enclosing `batched()` block).

    Returns the sequence number it carried, or None when it was held for a batch.
    """
    held = getattr(_pending, "events", None)
    if held is not None:
        held.append(event)
        return None
    return _send([event])[0]


def publish_on_commit(event: Event) -> None:
    transaction.on_commit(lambda: publish(event))


@contextmanager
def batched() -> Iterator[None]:
    """Hold the events published in this thread inside the block; send them when it ends."""
    if getattr(_pending, "events", None) is not None:  # nested: the outer block sends
        yield
        return
    _pending.events = []
    try:
        yield
    finally:
        events, _pending.events = _pending.events, None
        groups: dict[str, list[Event]] = {}
        for event in events:
            groups.setdefault(event.group, []).append(event)
        for group_events in groups.values():
            _send(group_events)


def _send(events: list[Event]) -> list[int]:
    group = events[0].group
    last = int(_counter().incrby(sequence_key(group), len(events)))
    seqs = list(range(last - len(events) + 1, last + 1))
    now = int(time.time() * 1000)
    frames = [{"type": e.type, "seq": seq, "ts": now, "data": e.data} for e, seq in zip(events, seqs)]
    body = frames[0] if len(frames) == 1 else {"type": "batch", "events": frames}
    message = {
        # Channels turns "realtime.event" into a call of consumer.realtime_event(). The frame is
        # serialised here, once, instead of once per connected dashboard.
        "type": "realtime.event",
        "text": json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")),
    }
    async_to_sync(get_channel_layer().group_send)(group, message)
    return seqs


def current_sequence(group: str) -> int:
    value = _counter().get(sequence_key(group))
    return int(value) if value is not None else 0
