"""The one way to push to browsers: `publish(event)`.

Every event gets a sequence number from a Redis counter per group, growing by
one, so a client that sees a gap knows it missed something and resyncs over
REST. Every frame also carries the group's `epoch`, a token made when the counter
is (re)created: Redis restarted without its data, or the key was lost, means a new
epoch, and a client seeing a different epoch resyncs instead of dropping the new,
smaller numbers as already seen. A publish that fails before it takes a number
(Redis away) is remembered by the process: its next successful send burns one
number, so the frame that follows shows a gap and clients resync. The `pong` of
every socket carries the current (epoch, seq) too, so an idle client finds out
within one heartbeat. Call `publish_on_commit` from code inside a transaction so an event is
never sent for a write that is rolled back.

Live chart candles, which the next frame replaces, go out unnumbered with `publish_volatile`.

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
import logging
import secrets
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

from common import metrics
from realtime.events import Event

logger = logging.getLogger(__name__)

_redis: redis.Redis | None = None
_pending = threading.local()
#: Groups whose last publish from this process failed before a number was taken.
_missed: set[str] = set()
_missed_lock = threading.Lock()

# Take `n` numbers (n may be 0) and read the epoch, creating it (and restarting the counter)
# when it is missing; atomic, so two processes never make two epochs.
_TAKE = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[1], ARGV[2])
  redis.call('DEL', KEYS[2])
end
local seq = redis.call('INCRBY', KEYS[2], ARGV[1])
return {redis.call('GET', KEYS[1]), seq}
"""


def _counter() -> redis.Redis:
    global _redis
    if _redis is None:
        _redis = redis.Redis.from_url(settings.REDIS_URL)
    return _redis


def sequence_key(group: str) -> str:
    return f"realtime:seq:{group}"


def epoch_key(group: str) -> str:
    return f"realtime:epoch:{group}"


def _take(group: str, n: int) -> tuple[str, int]:
    """(epoch, last number taken) after taking `n` numbers of `group`."""
    new_epoch = f"{int(time.time() * 1000):x}-{secrets.token_hex(4)}"
    epoch, seq = _counter().eval(_TAKE, 2, epoch_key(group), sequence_key(group), n, new_epoch)
    return (epoch.decode() if isinstance(epoch, bytes) else str(epoch)), int(seq)


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
    with _missed_lock:
        burn = 1 if group in _missed else 0
    try:
        epoch, last = _take(group, len(events) + burn)
    except redis.exceptions.RedisError:
        # No number taken: without this note the next frame would follow the last one sent
        # and clients would never learn they missed this one.
        with _missed_lock:
            _missed.add(group)
        raise
    if burn:
        with _missed_lock:
            _missed.discard(group)
        logger.info("realtime %s: a publish failed earlier; sequence number %d skipped so clients resync",
                    group, last - len(events))
    seqs = list(range(last - len(events) + 1, last + 1))
    now = int(time.time() * 1000)
    frames = [{"type": e.type, "seq": seq, "epoch": epoch, "ts": now, "data": e.data} for e, seq in zip(events, seqs)]
    body = frames[0] if len(frames) == 1 else {"type": "batch", "events": frames}
    message = {
        # Channels turns "realtime.event" into a call of consumer.realtime_event(). The frame is
        # serialised here, once, instead of once per connected dashboard.
        "type": "realtime.event",
        "text": json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")),
    }
    async_to_sync(get_channel_layer().group_send)(group, message)
    metrics.events_published(group, len(events))
    return seqs


async def publish_volatile(group: str, frame: dict) -> None:
    """Send a frame that the next one replaces (a chart's forming candle, market/chart_feed.py):
    no sequence number, so nothing for a client to resync. Async: the stream process calls it."""
    text = json.dumps(frame, cls=DjangoJSONEncoder, separators=(",", ":"))
    await get_channel_layer().group_send(group, {"type": "realtime.event", "text": text})
    metrics.events_published(group)


def current_sequence(group: str) -> int:
    return current_position(group)[1]


def current_position(group: str) -> tuple[str, int]:
    """(epoch, last sequence number sent) of `group`: what `welcome` and `pong` frames carry."""
    return _take(group, 0)
