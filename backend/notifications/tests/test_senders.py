"""Senders against a local receiver: signature, headers, retries inside one send, error texts."""
import hashlib
import hmac
import json
import time

import pytest
from django.conf import settings
from django.core import mail

from notifications import senders
from notifications.errors import PermanentDeliveryError, TemporaryDeliveryError
from notifications.tests.conftest import BOT_TOKEN, SECRET


def _outbound(kind="webhook", target="", secret=SECRET, **overrides):
    fields = dict(
        delivery_id=42,
        kind=kind,
        target=target,
        secret=secret,
        signal={"id": 7, "key": "BTCUSDT:5m:LONG:1", "symbol": "BTCUSDT", "timeframe": "5m", "direction": "LONG",
                "score": 91.5, "entry": 65000.0, "stop_loss": 64500.0, "take_profit": 65833.33},
        message="LONG BTCUSDT 5m, score 92",
        subject="LONG BTCUSDT 5m - score 92",
    )
    fields.update(overrides)
    return senders.Outbound(**fields)


def test_webhook_is_signed_over_the_raw_body(receiver):
    before = int(time.time())
    senders.send(_outbound(target=f"{receiver.url}/hook"), config=settings.NOTIFICATIONS)
    [request] = receiver.requests
    assert request["signature_valid"] is True
    headers, body = request["headers"], request["body"]
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Signature"] == f"sha256={expected}"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Delivery-Id"] == "42"
    timestamp = int(headers["X-Timestamp"])
    assert before <= timestamp <= int(time.time())
    document = json.loads(body)
    assert document["timestamp"] == timestamp  # signed along with the rest
    assert document["type"] == "signal_notification" and document["delivery_id"] == 42
    assert document["signal"]["symbol"] == "BTCUSDT"
    assert SECRET not in body.decode()


def test_a_tampered_body_fails_verification():
    body = senders.webhook_body(_outbound(), timestamp=1_700_000_000)
    header = senders.webhook_signature(SECRET, body)
    from notifications.tests.receiver import signature_valid

    assert signature_valid(SECRET, body, header)
    assert not signature_valid(SECRET, body.replace(b"65000", b"66000"), header)
    assert not signature_valid("another-secret", body, header)


def test_webhook_retries_5xx_within_the_send(receiver):
    receiver.respond((503, "busy"), (500, "oops"))
    senders.send(_outbound(target=receiver.url), config=settings.NOTIFICATIONS)
    assert [r["status"] for r in receiver.requests] == [503, 500, 200]
    # The same signed body each time.
    assert len({r["body"] for r in receiver.requests}) == 1
    assert all(r["signature_valid"] for r in receiver.requests)


def test_webhook_gives_up_after_its_tries_with_a_temporary_error(receiver):
    receiver.default = (502, b"bad gateway")
    with pytest.raises(TemporaryDeliveryError, match="HTTP 502"):
        senders.send(_outbound(target=receiver.url), config=settings.NOTIFICATIONS)
    assert len(receiver.requests) == settings.NOTIFICATIONS.http_tries


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_webhook_4xx_is_permanent_and_not_retried(receiver, status):
    receiver.default = (status, b'{"error":"no"}')
    with pytest.raises(PermanentDeliveryError, match=f"HTTP {status}"):
        senders.send(_outbound(target=receiver.url), config=settings.NOTIFICATIONS)
    assert len(receiver.requests) == 1


def test_429_is_temporary(receiver):
    receiver.respond((429, "slow down"))
    senders.send(_outbound(target=receiver.url), config=settings.NOTIFICATIONS)
    assert [r["status"] for r in receiver.requests] == [429, 200]


def test_redirects_are_not_followed(receiver):
    receiver.default = (302, b"")
    with pytest.raises(PermanentDeliveryError, match="redirects are not followed"):
        senders.send(_outbound(target=receiver.url), config=settings.NOTIFICATIONS)
    assert len(receiver.requests) == 1


def test_connection_refused_is_temporary(dead_url):
    with pytest.raises(TemporaryDeliveryError, match="connection failed"):
        senders.send(_outbound(target=dead_url), config=settings.NOTIFICATIONS)


def test_secret_echoed_by_a_receiver_is_masked(receiver):
    receiver.default = (400, f"bad signature for key {SECRET}".encode())
    with pytest.raises(PermanentDeliveryError) as caught:
        senders.send(_outbound(target=receiver.url), config=settings.NOTIFICATIONS)
    assert SECRET not in str(caught.value) and "***" in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_outbound_repr_hides_the_secret():
    assert SECRET not in repr(_outbound())


def test_telegram_posts_to_the_bot_api(telegram):
    senders.send(_outbound(kind="telegram", target="-1001234567890", secret=""), config=settings.NOTIFICATIONS)
    [request] = telegram.requests
    assert request["path"] == f"/bot{BOT_TOKEN}/sendMessage"
    assert request["json"] == {
        "chat_id": "-1001234567890", "text": "LONG BTCUSDT 5m, score 92", "disable_web_page_preview": True,
    }


def test_telegram_error_never_shows_the_token(telegram):
    telegram.default = (400, json.dumps({"ok": False, "description": f"Bad Request: chat not found (bot{BOT_TOKEN})"}).encode())
    with pytest.raises(PermanentDeliveryError) as caught:
        senders.send(_outbound(kind="telegram", target="42", secret=""), config=settings.NOTIFICATIONS)
    assert "chat not found" in str(caught.value)
    assert BOT_TOKEN not in str(caught.value)


def test_telegram_not_ok_is_permanent(telegram):
    telegram.default = (200, b'{"ok":false,"description":"nope"}')
    with pytest.raises(PermanentDeliveryError, match="did not accept"):
        senders.send(_outbound(kind="telegram", target="42", secret=""), config=settings.NOTIFICATIONS)


def test_telegram_without_a_token_is_permanent(telegram, settings):
    import dataclasses

    config = dataclasses.replace(settings.NOTIFICATIONS, telegram_bot_token="")
    with pytest.raises(PermanentDeliveryError, match="TELEGRAM_BOT_TOKEN is not set"):
        senders.send(_outbound(kind="telegram", target="42", secret=""), config=config)
    assert telegram.requests == []


def test_telegram_unreachable_is_temporary_and_masked(settings, dead_url):
    import dataclasses

    config = dataclasses.replace(settings.NOTIFICATIONS, telegram_api_base=dead_url)
    with pytest.raises(TemporaryDeliveryError) as caught:
        senders.send(_outbound(kind="telegram", target="42", secret=""), config=config)
    assert BOT_TOKEN not in str(caught.value)


def test_email_goes_through_djangos_backend():
    mail.outbox.clear()
    senders.send(_outbound(kind="email", target="trader@example.com", secret=""), config=settings.NOTIFICATIONS)
    [message] = mail.outbox
    assert message.to == ["trader@example.com"]
    assert message.subject == "LONG BTCUSDT 5m - score 92"
    assert "Entry: 65000.0" in message.body and "LONG BTCUSDT 5m, score 92" in message.body
    assert message.from_email == settings.DEFAULT_FROM_EMAIL


def test_email_smtp_failure_is_temporary_and_masks_the_password(settings):
    import dataclasses
    import smtplib
    from unittest import mock

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST_PASSWORD = "smtp-pass-9876"
    error = smtplib.SMTPAuthenticationError(535, b"bad credentials smtp-pass-9876")
    with mock.patch("smtplib.SMTP") as smtp:
        smtp.return_value.login.side_effect = error
        settings.EMAIL_HOST_USER = "user"
        with pytest.raises(TemporaryDeliveryError) as caught:
            senders.send(_outbound(kind="email", target="a@example.com", secret=""), config=dataclasses.replace(settings.NOTIFICATIONS))
    assert "smtp-pass-9876" not in str(caught.value)


def test_unknown_kind_is_permanent():
    with pytest.raises(PermanentDeliveryError):
        senders.send(_outbound(kind="pigeon"), config=settings.NOTIFICATIONS)


def test_an_unexpected_error_becomes_temporary_and_masked(monkeypatch):
    def boom(outbound, *, config):
        raise RuntimeError(f"kaboom {SECRET}")

    monkeypatch.setattr(senders, "webhook_send", boom)
    with pytest.raises(TemporaryDeliveryError, match="unexpected RuntimeError") as caught:
        senders.send(_outbound(target="http://127.0.0.1:9/"), config=settings.NOTIFICATIONS)
    assert SECRET not in str(caught.value)


def test_worst_case_covers_every_try(settings):
    import dataclasses

    config = dataclasses.replace(settings.NOTIFICATIONS, http_tries=3, http_timeout_ms=10_000, http_backoff_ms=500)
    assert senders.send_seconds_worst_case(config) == pytest.approx(30 + 0.5 + 1.0)
