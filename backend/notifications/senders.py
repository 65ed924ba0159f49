"""Sending one notification: webhook, email, Telegram or the dashboard's WebSocket event.

Senders run in worker threads and touch no database: they get an `Outbound` (everything the
send needs, built by the service) and either return or raise a `DeliveryError` whose message is
safe to store and log. HTTP goes through `urllib.request` (the task runs in a sync Celery worker;
no extra dependency), with a timeout, no redirects, and a few quick retries for temporary errors.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.client import HTTPException

from django.conf import settings
from django.core.mail import EmailMessage

from config.env import NotificationsEnv
from notifications.errors import DeliveryError, PermanentDeliveryError, TemporaryDeliveryError
from notifications.models import Kind
from notifications.targets import TargetRefused, guarded_opener
from realtime import dispatcher
from realtime.events import Event

logger = logging.getLogger(__name__)

USER_AGENT = "binance-signal-scanner-notifications/1"
MAX_ERROR_BODY = 300


@dataclass(frozen=True)
class Outbound:
    """One delivery, ready to send. `secret` is left out of repr so it never reaches a log."""

    delivery_id: int
    kind: str
    target: str
    signal: dict
    message: str
    subject: str
    secret: str = field(default="", repr=False)


def send(outbound: Outbound, *, config: NotificationsEnv) -> None:
    """Deliver `outbound`; raise `TemporaryDeliveryError` or `PermanentDeliveryError` on failure.

    Every error leaving here has the rule's secret, the bot token and the SMTP password masked,
    and no chained cause (a traceback printed later could otherwise show them).
    """
    secrets = [outbound.secret, config.telegram_bot_token, settings.EMAIL_HOST_PASSWORD]
    try:
        if outbound.kind == Kind.WEBHOOK:
            webhook_send(outbound, config=config)
        elif outbound.kind == Kind.EMAIL:
            email_send(outbound)
        elif outbound.kind == Kind.TELEGRAM:
            telegram_send(outbound, config=config)
        elif outbound.kind == Kind.WEBSOCKET:
            websocket_send(outbound)
        else:
            raise PermanentDeliveryError(f"unknown rule kind {outbound.kind!r}")
    except DeliveryError as exc:
        raise type(exc)(redact(str(exc), secrets)) from None
    except Exception as exc:  # a bug or an unforeseen library error: retried like a temporary one
        raise TemporaryDeliveryError(redact(f"unexpected {type(exc).__name__}: {exc}", secrets)) from None


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def send_seconds_worst_case(config: NotificationsEnv) -> float:
    """The longest one send may take: every HTTP try timing out, plus the pauses between them."""
    pauses = sum(config.http_backoff_ms * 2**i for i in range(config.http_tries - 1)) / 1000
    http = config.http_tries * config.http_timeout_ms / 1000 + pauses
    return max(http, float(settings.EMAIL_TIMEOUT or 0))


# --- webhook ----------------------------------------------------------------------------------
def webhook_body(outbound: Outbound, *, timestamp: int) -> bytes:
    """The exact bytes signed and sent. The timestamp is inside the signed body too."""
    document = {
        "type": "signal_notification",
        "delivery_id": outbound.delivery_id,
        "timestamp": timestamp,
        "signal": outbound.signal,
        "message": outbound.message,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def webhook_signature(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the raw body keyed with the rule's secret>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_send(outbound: Outbound, *, config: NotificationsEnv) -> None:
    if not outbound.secret:
        raise PermanentDeliveryError("the webhook has no secret; set one in the admin")
    timestamp = int(time.time())
    body = webhook_body(outbound, timestamp=timestamp)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Timestamp": str(timestamp),
        "X-Signature": webhook_signature(outbound.secret, body),
        # Lets a receiver drop a repeat: a send whose outcome was lost may be made once more.
        "X-Delivery-Id": str(outbound.delivery_id),
    }
    # Unless private targets are allowed, the connection goes to a public address checked as it is made.
    opener = _opener if config.webhook_allow_private_targets else _guarded_opener
    _post_with_retries(outbound.target, body, headers, config=config, opener=opener)


# --- Telegram ---------------------------------------------------------------------------------
def telegram_send(outbound: Outbound, *, config: NotificationsEnv) -> None:
    if not config.telegram_bot_token:
        raise PermanentDeliveryError("TELEGRAM_BOT_TOKEN is not set")
    url = f"{config.telegram_api_base}/bot{config.telegram_bot_token}/sendMessage"
    body = json.dumps(
        {"chat_id": outbound.target, "text": outbound.message, "disable_web_page_preview": True}
    ).encode()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    reply = _post_with_retries(url, body, headers, config=config)
    try:
        ok = json.loads(reply).get("ok")
    except (ValueError, AttributeError):
        ok = None
    if ok is not True:
        raise PermanentDeliveryError(f"Telegram did not accept the message: {_snippet(reply)}")


# --- email ------------------------------------------------------------------------------------
def email_send(outbound: Outbound) -> None:
    details = "\n".join(
        f"{label}: {outbound.signal[name]}"
        for label, name in (
            ("Symbol", "symbol"), ("Timeframe", "timeframe"), ("Direction", "direction"),
            ("Score", "score"), ("Entry", "entry"), ("Stop-loss", "stop_loss"),
            ("Take-profit", "take_profit"), ("Signal", "key"),
        )
    )
    message = EmailMessage(subject=outbound.subject, body=f"{outbound.message}\n\n{details}\n", to=[outbound.target])
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        raise PermanentDeliveryError(f"the mail server refused the message: {type(exc).__name__}") from None
    except (smtplib.SMTPException, OSError) as exc:  # OSError: refused, reset, timeout
        raise TemporaryDeliveryError(f"email failed: {type(exc).__name__}: {exc}") from None


# --- WebSocket --------------------------------------------------------------------------------
def websocket_send(outbound: Outbound) -> None:
    # A Redis error surfaces as an unexpected exception in send(): temporary, retried.
    dispatcher.publish(Event("signal_notification", {"signal": outbound.signal, "message": outbound.message}))


# --- HTTP -------------------------------------------------------------------------------------
class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirected POST would be replayed as a GET, or sent somewhere the rule never named.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)
_guarded_opener = guarded_opener(_NoRedirects)


def _post_with_retries(url: str, body: bytes, headers: dict, *, config: NotificationsEnv,
                       opener: urllib.request.OpenerDirector | None = None) -> bytes:
    """POST; retry temporary failures up to `http_tries` in all with doubling pauses; return the body."""
    for attempt in range(1, config.http_tries + 1):
        try:
            return _post_once(url, body, headers, timeout=config.http_timeout_ms / 1000, opener=opener or _opener)
        except TemporaryDeliveryError:
            if attempt == config.http_tries:
                raise
            time.sleep(config.http_backoff_ms * 2 ** (attempt - 1) / 1000)
    raise AssertionError("unreachable")


def _post_once(url: str, body: bytes, headers: dict, *, timeout: float, opener: urllib.request.OpenerDirector) -> bytes:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        detail = _snippet(_read_quietly(exc))
        if exc.code >= 500 or exc.code in (408, 429):
            raise TemporaryDeliveryError(f"HTTP {exc.code}: {detail}") from None
        if 300 <= exc.code < 400:
            raise PermanentDeliveryError(f"HTTP {exc.code}: redirects are not followed") from None
        raise PermanentDeliveryError(f"HTTP {exc.code}: {detail}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TargetRefused):  # names the host only
            raise PermanentDeliveryError(f"target refused: {exc.reason}") from None
        # Only the reason (e.g. "Connection refused"), never the URL: it may carry a token.
        raise TemporaryDeliveryError(f"connection failed: {_reason(exc.reason)}") from None
    except (TimeoutError, ConnectionError, HTTPException) as exc:
        raise TemporaryDeliveryError(f"connection failed: {_reason(exc)}") from None
    except ValueError:
        raise PermanentDeliveryError("the target is not a valid URL") from None


def _read_quietly(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read(MAX_ERROR_BODY)
    except Exception:  # the body is only a hint for the error text
        return b""


def _reason(reason) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return type(reason).__name__ if not isinstance(reason, str) else reason


def _snippet(raw: bytes) -> str:
    text = raw[:MAX_ERROR_BODY].decode("utf-8", "replace")
    try:  # Telegram and many webhooks answer JSON with a human-readable description
        description = json.loads(text).get("description")
        if isinstance(description, str):
            text = description
    except (ValueError, AttributeError):
        pass
    return " ".join(text.split())[:200] or "(empty body)"
