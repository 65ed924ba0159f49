"""The hooks leakwatch uses to see what the test process sends out (see common/leakwatch.py).

Each hook wraps a library's single exit point (Django's request handler, the log record factory,
Channels' consumer send, Celery's publish and task signals) and hands a copy of the text to
`leakwatch.inspect`; nothing of ours is replaced and nothing is changed on the way out.
"""
from __future__ import annotations

import functools
import json
import logging
import traceback

from common import leakwatch

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    _capture_responses()
    _capture_log_records()
    _capture_consumer_sends()
    _capture_celery_tasks()
    _register_issued_tokens()


def record_text(record: logging.LogRecord) -> str:
    """What a handler could write of `record`: the message, and the exception with its traceback."""
    try:
        text = record.getMessage()
    except Exception:  # a bad format string must not break the test that logged it
        text = f"{record.msg!r} % {record.args!r}"
    if record.exc_info and record.exc_info[1] is not None:
        text += "\n" + "".join(traceback.format_exception(*record.exc_info))
    return text


def _response_text(response) -> str:
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    body = b"" if getattr(response, "streaming", False) else response.content
    return headers + "\n\n" + body.decode("utf-8", errors="replace")


def _capture_responses() -> None:
    from django.core.handlers.base import BaseHandler

    sync_get, async_get = BaseHandler.get_response, BaseHandler.get_response_async

    def inspect(request, response) -> None:
        where = f"response {request.method} {request.path} ({response.status_code})"
        leakwatch.inspect("response", where, _response_text(response), path=request.path)

    @functools.wraps(sync_get)
    def get_response(self, request):
        response = sync_get(self, request)
        inspect(request, response)
        return response

    @functools.wraps(async_get)
    async def get_response_async(self, request):
        response = await async_get(self, request)
        inspect(request, response)
        return response

    BaseHandler.get_response, BaseHandler.get_response_async = get_response, get_response_async


def _capture_log_records() -> None:
    # The record factory sees every record created, whichever logger made it and whether or not
    # it propagates to the root: a handler on the root would miss `propagate = False` loggers.
    make_record = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        leakwatch.inspect("log", f"log record {record.name} {record.levelname} ({record.pathname}:{record.lineno})",
                          record_text(record))
        return record

    logging.setLogRecordFactory(factory)


def _capture_consumer_sends() -> None:
    from channels.consumer import AsyncConsumer, SyncConsumer

    async_send, sync_send = AsyncConsumer.send, SyncConsumer.send

    def inspect(consumer, message) -> None:
        path = (getattr(consumer, "scope", None) or {}).get("path", "?")
        text = "\n".join(v.decode("utf-8", errors="replace") if isinstance(v, bytes) else str(v)
                         for v in message.values())
        leakwatch.inspect("ws", f"{type(consumer).__name__} {message.get('type')} on {path}", text)

    @functools.wraps(async_send)
    async def send_async(self, message):
        inspect(self, message)
        await async_send(self, message)

    @functools.wraps(sync_send)
    def send_sync(self, message):
        inspect(self, message)
        sync_send(self, message)

    AsyncConsumer.send, SyncConsumer.send = send_async, send_sync


def task_text(args, kwargs) -> str:
    return json.dumps({"args": args, "kwargs": kwargs}, default=repr)


def connect_celery_signals(report) -> None:
    """Hand every published or started task's arguments to `report(where, text)`."""
    from celery.signals import before_task_publish, task_prerun

    @before_task_publish.connect(weak=False)
    def published(sender=None, body=None, headers=None, **_kwargs) -> None:
        # Task protocol 2: body = (args, kwargs, embed); the headers repeat them as argsrepr/kwargsrepr.
        args, kwargs = (body[0], body[1]) if isinstance(body, (list, tuple)) and len(body) >= 2 else (body, None)
        extra = {key: (headers or {}).get(key) for key in ("argsrepr", "kwargsrepr")}
        report(f"celery task {sender} published", task_text(args, kwargs) + json.dumps(extra, default=repr))

    @task_prerun.connect(weak=False)
    def started(sender=None, task_id=None, task=None, args=None, kwargs=None, **_kwargs) -> None:
        report(f"celery task {getattr(task, 'name', sender)} run", task_text(args, kwargs))


def _capture_celery_tasks() -> None:
    connect_celery_signals(lambda where, text: leakwatch.inspect("celery", where, text))


def _register_issued_tokens() -> None:
    from django.contrib.auth.tokens import PasswordResetTokenGenerator
    from rest_framework_simplejwt.tokens import Token

    encode = Token.__str__
    make_token = PasswordResetTokenGenerator.make_token

    @functools.wraps(encode)
    def token_str(self) -> str:
        return leakwatch.token(encode(self), f"{self.token_type or 'jwt'} token")

    @functools.wraps(make_token)
    def reset_token(self, user) -> str:
        value = make_token(self, user)
        # The reset token belongs in the email only, never in a response, log or frame.
        return leakwatch.secret(value, "password reset token") if len(value) >= leakwatch.MIN_LENGTH else value

    Token.__str__ = token_str
    PasswordResetTokenGenerator.make_token = reset_token
