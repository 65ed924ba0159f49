import dataclasses
import socket

import pytest

from common import leakwatch
from notifications.tests.receiver import Receiver

SECRET = leakwatch.secret("whsec-test-0123456789abcdef", "webhook secret")
BOT_TOKEN = leakwatch.secret("123456:telegram-test-token-ABCdefGHI", "Telegram bot token")


@pytest.fixture(autouse=True)
def fast_notifications(settings):
    """Short in-send pauses and timeouts so retry tests take milliseconds; webhooks may go to the
    local receivers these tests start (test_targets.py switches that back off)."""
    settings.NOTIFICATIONS = dataclasses.replace(
        settings.NOTIFICATIONS, http_backoff_ms=5, http_timeout_ms=3000, http_tries=3, max_attempts=5,
        retry_base_s=60, retry_cap_s=1800, send_concurrency=4, telegram_bot_token=BOT_TOKEN,
        webhook_allow_private_targets=True,
    )
    return settings


@pytest.fixture
def receiver():
    server = Receiver(secret=SECRET).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def telegram(settings):
    """A Telegram Bot API stand-in, with TELEGRAM_API_BASE pointing at it."""
    server = Receiver().start()
    server.default = (200, b'{"ok":true,"result":{"message_id":1}}')
    settings.NOTIFICATIONS = dataclasses.replace(settings.NOTIFICATIONS, telegram_api_base=server.url)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def dead_url():
    """A loopback URL with nothing listening: connection refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


@pytest.fixture
def no_builtin_rules(db):
    """Start without the dashboard rule the migration creates, so counts are the test's own."""
    from notifications.models import NotificationRule

    NotificationRule.objects.all().delete()


@pytest.fixture
def publishes(monkeypatch):
    """Every dashboard event published, counted instead of sent (thread-safe appends)."""
    from notifications import senders

    sent = []
    monkeypatch.setattr(senders.dispatcher, "publish", lambda event: sent.append(event) or len(sent))
    return sent
