"""/ws/account/: first-frame JWT authentication, re-auth, expiry, and two-user isolation.

Users are real rows in PostgreSQL and tokens are simplejwt's own; events go through the real
dispatcher and the Redis channel layer.
"""
import asyncio
import random
import time
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from config.asgi import application
from realtime import dispatcher
from realtime.events import Event, user_group

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = [(b"host", b"localhost"), (b"origin", b"http://localhost")]


def _make_user(email: str, *, active: bool = True) -> User:
    # Ids far from 1: test processes running side by side share one Redis, where the groups and
    # sequence counters of user 1 would be the same for all of them.
    return User.objects.create_user(id=random.randrange(10**8, 2**31 - 1), username=email, email=email,
                                    password="not-used-here-1", is_active=active)


@pytest.fixture
def alice():
    return _make_user("alice@example.com")


@pytest.fixture
def bob():
    return _make_user("bob@example.com")


def _access(user, *, lifetime: timedelta | None = None) -> str:
    token = AccessToken.for_user(user)
    if lifetime is not None:
        token.set_exp(lifetime=lifetime)
    return str(token)


async def _open(path: str = "/ws/account/") -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, path, headers=HEADERS)
    connected, _ = await socket.connect()
    assert connected
    return socket


async def _signed_in(user, **token_options) -> tuple[WebsocketCommunicator, dict]:
    socket = await _open()
    await socket.send_json_to({"type": "auth", "token": await sync_to_async(_access)(user, **token_options)})
    welcome = await socket.receive_json_from(timeout=5)
    assert welcome["type"] == "welcome", welcome
    return socket, welcome


async def _refused(socket: WebsocketCommunicator, timeout: float = 5) -> str:
    """The reason of a 4401 refusal: an error frame saying why, then the close with that reason."""
    error = await socket.receive_json_from(timeout=timeout)
    assert (error["type"], error["code"]) == ("error", 4401), error
    close = await socket.receive_output(timeout=timeout)
    assert close == {"type": "websocket.close", "code": 4401, "reason": error["message"]}
    return error["message"]


def _publish(user, kind: str, data: dict) -> int:
    return dispatcher.publish(Event(kind, data, group=user_group(user.id)))


async def test_a_valid_token_gets_a_welcome_with_the_users_sequence(alice):
    published = await sync_to_async(_publish)(alice, "balance_updated", {"asset": "USDT", "wallet_balance": "10"})
    before = int(time.time() * 1000)
    socket, welcome = await _signed_in(alice)
    try:
        assert set(welcome) == {"type", "ts", "seq", "epoch", "expires_at"}
        assert welcome["seq"] == published  # the last event of this user's group, so gaps show
        # simplejwt's configured lifetime is 5 minutes; exp has a resolution of one second.
        assert before + 299_000 <= welcome["expires_at"] <= int(time.time() * 1000) + 300_000
        await socket.send_json_to({"type": "ping"})
        pong = await socket.receive_json_from()
        assert pong["type"] == "pong" and isinstance(pong["ts"], int)
    finally:
        await socket.disconnect()


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ({"type": "auth"}, "missing token"),
        ({"type": "auth", "token": ""}, "missing token"),
        ({"type": "auth", "token": 12345}, "missing token"),
        ({"type": "auth", "token": "garbage.not.jwt"}, "invalid token"),
        ({"type": "ping"}, 'authenticate first: {"type": "auth", "token": "<access token>"}'),
        ({"type": "subscribe", "token": "x"}, 'authenticate first: {"type": "auth", "token": "<access token>"}'),
        (["auth"], 'authenticate first: {"type": "auth", "token": "<access token>"}'),
    ],
)
async def test_a_bad_first_frame_is_refused_with_4401_and_a_reason(frame, reason):
    socket = await _open()
    await socket.send_json_to(frame)
    assert await _refused(socket) == reason


async def test_a_first_frame_that_is_not_json_is_refused():
    socket = await _open()
    await socket.send_to(text_data="{auth")
    assert (await _refused(socket)).startswith("authenticate first")


async def test_an_expired_token_is_refused(alice):
    token = AccessToken.for_user(alice)
    token.set_exp(lifetime=timedelta(minutes=-1))
    socket = await _open()
    await socket.send_json_to({"type": "auth", "token": str(token)})
    assert await _refused(socket) == "token expired"


async def test_a_token_signed_with_another_key_is_refused(alice, settings):
    import jwt

    payload = dict(AccessToken.for_user(alice).payload)
    forged = jwt.encode(payload, "not-the-server-key-" * 3, algorithm="HS256")
    socket = await _open()
    await socket.send_json_to({"type": "auth", "token": forged})
    assert await _refused(socket) == "invalid token"


async def test_a_refresh_token_is_not_an_access_token(alice):
    refresh = await sync_to_async(lambda: str(RefreshToken.for_user(alice)))()
    socket = await _open()
    await socket.send_json_to({"type": "auth", "token": refresh})
    assert await _refused(socket) == "invalid token"


async def test_tokens_of_inactive_or_deleted_users_are_refused(alice, bob):
    tokens = [await sync_to_async(_access)(alice), await sync_to_async(_access)(bob)]
    await User.objects.filter(pk=alice.pk).aupdate(is_active=False)
    await User.objects.filter(pk=bob.pk).adelete()
    for token in tokens:
        socket = await _open()
        await socket.send_json_to({"type": "auth", "token": token})
        assert await _refused(socket) == "unknown or inactive user"


async def test_silence_after_connect_is_refused(settings):
    settings.REALTIME_AUTH_TIMEOUT_S = 0.3
    socket = await _open()
    assert await _refused(socket, timeout=5) == "authentication timeout"


async def test_the_deadline_does_not_close_a_socket_that_authenticated(alice, settings):
    settings.REALTIME_AUTH_TIMEOUT_S = 0.3
    socket, _ = await _signed_in(alice)
    try:
        assert await socket.receive_nothing(timeout=0.8)
        await socket.send_json_to({"type": "ping"})
        assert (await socket.receive_json_from())["type"] == "pong"
    finally:
        await socket.disconnect()


async def test_reauth_keeps_the_socket_the_group_and_the_sequence(alice):
    # A token that dies in 2 s; without the re-auth the server would close the socket then.
    socket, welcome = await _signed_in(alice, lifetime=timedelta(seconds=2))
    try:
        first = await sync_to_async(_publish)(alice, "order_updated", {"order": 1, "status": "NEW"})
        assert (await socket.receive_json_from(timeout=5))["seq"] == first == welcome["seq"] + 1
        fresh = await sync_to_async(_access)(alice)
        await socket.send_json_to({"type": "auth", "token": fresh})
        reauthenticated = await socket.receive_json_from(timeout=5)
        assert reauthenticated["type"] == "reauthenticated"
        assert reauthenticated["expires_at"] > welcome["expires_at"] + 200_000
        assert await socket.receive_nothing(timeout=3)  # the first token's expiry has passed: still open
        second = await sync_to_async(_publish)(alice, "order_updated", {"order": 1, "status": "FILLED"})
        frame = await socket.receive_json_from(timeout=5)
        assert (frame["type"], frame["seq"], frame["data"]) == ("order_updated", first + 1, {"order": 1, "status": "FILLED"})
        assert second == first + 1
    finally:
        await socket.disconnect()


async def test_reauth_with_another_users_token_closes_the_socket(alice, bob):
    socket, _ = await _signed_in(alice)
    await socket.send_json_to({"type": "auth", "token": await sync_to_async(_access)(bob)})
    assert await _refused(socket) == "token of another user"
    # Refused means gone from the group: alice's next event is not sent to this socket.
    await sync_to_async(_publish)(alice, "strategy_log", {"line": "after the refusal"})
    assert await socket.receive_nothing(timeout=0.5)


async def test_reauth_with_an_invalid_token_closes_the_socket(alice):
    socket, _ = await _signed_in(alice)
    await socket.send_json_to({"type": "auth", "token": "garbage"})
    assert await _refused(socket) == "invalid token"


async def test_expiry_without_reauth_closes_with_token_expired(alice):
    socket, welcome = await _signed_in(alice, lifetime=timedelta(seconds=1))
    assert welcome["expires_at"] <= int(time.time() * 1000) + 1_000
    assert await _refused(socket, timeout=5) == "token expired"


async def test_each_user_gets_only_their_own_events_with_consecutive_sequences(alice, bob):
    alice_socket, alice_welcome = await _signed_in(alice)
    bob_socket, bob_welcome = await _signed_in(bob)
    signals_socket = await _open("/ws/signals/")
    assert (await signals_socket.receive_json_from())["type"] == "welcome"
    try:
        def publish_both():
            sent = {"alice": [], "bob": []}
            for n in range(3):
                sent["alice"].append(_publish(alice, "position_updated", {"owner": "alice", "n": n}))
                sent["bob"].append(_publish(bob, "balance_updated", {"owner": "bob", "n": n}))
            return sent

        sent = await sync_to_async(publish_both)()
        for socket, welcome, owner, kind in ((alice_socket, alice_welcome, "alice", "position_updated"),
                                             (bob_socket, bob_welcome, "bob", "balance_updated")):
            frames = [await socket.receive_json_from(timeout=5) for _ in range(3)]
            assert [f["type"] for f in frames] == [kind] * 3
            assert [f["data"] for f in frames] == [{"owner": owner, "n": n} for n in range(3)]
            expected = [welcome["seq"] + 1, welcome["seq"] + 2, welcome["seq"] + 3]
            assert [f["seq"] for f in frames] == expected == sent[owner]
            assert await socket.receive_nothing(timeout=0.3)  # nothing of the other user's
        assert await signals_socket.receive_nothing(timeout=0.3)  # and nothing on the public socket
    finally:
        for socket in (alice_socket, bob_socket, signals_socket):
            await socket.disconnect()


async def test_private_events_are_published_only_after_commit(alice):
    from django.db import transaction

    socket, welcome = await _signed_in(alice)
    try:
        def rolled_back_then_committed():
            with pytest.raises(RuntimeError), transaction.atomic():
                dispatcher.publish_on_commit(Event("order_updated", {"order": "rolled back"}, group=user_group(alice.id)))
                raise RuntimeError("roll back")
            with transaction.atomic():
                dispatcher.publish_on_commit(Event("order_updated", {"order": "kept"}, group=user_group(alice.id)))

        await sync_to_async(rolled_back_then_committed)()
        frame = await socket.receive_json_from(timeout=5)
        assert (frame["data"], frame["seq"]) == ({"order": "kept"}, welcome["seq"] + 1)
        assert await socket.receive_nothing(timeout=0.3)
    finally:
        await socket.disconnect()


def test_private_and_public_events_cannot_be_sent_to_the_wrong_group():
    with pytest.raises(ValueError, match="user group"):
        Event("order_updated", {"order": 1})  # the default group is the public one
    with pytest.raises(ValueError, match="public group"):
        Event("signal_created", {}, group=user_group(7))
    with pytest.raises(TypeError):
        user_group("7")


async def test_signals_socket_asks_for_a_token_when_market_data_is_private(alice, settings):
    settings.PUBLIC_MARKET_DATA = False
    anonymous = await _open("/ws/signals/")
    await anonymous.send_json_to({"type": "ping"})
    assert (await _refused(anonymous)).startswith("authenticate first")

    socket = await _open("/ws/signals/")
    await socket.send_json_to({"type": "auth", "token": await sync_to_async(_access)(alice)})
    welcome = await socket.receive_json_from(timeout=5)
    assert welcome["type"] == "welcome" and "expires_at" in welcome
    try:
        seq = await sync_to_async(dispatcher.publish)(Event("scanner_status", {"state": "private"}))
        frame = await socket.receive_json_from(timeout=5)
        assert (frame["seq"], frame["data"]) == (seq, {"state": "private"})
    finally:
        await socket.disconnect()
    await asyncio.sleep(0)


async def test_a_password_change_closes_the_users_sockets_and_no_one_elses(alice, bob):
    from accounts.services.users import SESSIONS_ENDED, user_password_change

    alice_socket, _ = await _signed_in(alice)
    bob_socket, _ = await _signed_in(bob)
    await sync_to_async(user_password_change)(user=alice, new_password="a-new-passphrase-for-alice-7")
    assert await _refused(alice_socket) == SESSIONS_ENDED
    assert await bob_socket.receive_nothing(timeout=0.5)
    await bob_socket.send_json_to({"type": "ping"})
    assert (await bob_socket.receive_json_from(timeout=5))["type"] == "pong"
    await bob_socket.disconnect()
