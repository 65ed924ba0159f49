"""Run by common/tests/test_leakwatch.py in a pytest of its own: one planted leak per channel.
Named so that the suite itself never collects it (python_files = test_*.py).

With LEAKWATCH_PLANTED=clean the token appears only where it is allowed (its issuer's body) and
the registered secret nowhere, so that run must pass.
"""
import logging
import os

from celery import shared_task
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.http import HttpResponse, JsonResponse
from django.urls import path
from kombu import Connection
from rest_framework_simplejwt.tokens import AccessToken

from common import leakwatch

CLEAN = os.environ.get("LEAKWATCH_PLANTED") == "clean"
IN_RESPONSE = leakwatch.secret("planted-in-a-response-body", "planted response secret")
IN_LOG = leakwatch.secret("planted-in-a-log-record", "planted log secret")
IN_TASK_RUN = leakwatch.secret("planted-in-an-eager-task", "planted eager task secret")
IN_TASK_PUBLISH = leakwatch.secret("planted-in-a-published-task", "planted published task secret")
IN_FRAME = leakwatch.secret("planted-in-a-websocket-frame", "planted frame secret")
IN_PROCESS = leakwatch.secret("planted-in-a-process-log", "planted process secret")
ISSUED = {}


def echo(request):
    return HttpResponse("fine" if CLEAN else f"here it is: {IN_RESPONSE}")


def login(request):
    return JsonResponse({"access": ISSUED["access"]})


def other(request):
    return JsonResponse({"echo": "nothing" if CLEAN else ISSUED["access"]})


urlpatterns = [path("echo/", echo), path("api/auth/login/", login), path("api/other/", other)]


@shared_task(name="leakwatch_planted.echo")
def echo_task(value):
    return len(value)


class Talker(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()
        await self.send(text_data="hello" if CLEAN else f"hello {IN_FRAME}")


def test_response(client, settings):
    settings.ROOT_URLCONF = __name__
    assert client.get("/echo/").status_code == 200


def test_token_outside_its_issuer(client, settings):
    settings.ROOT_URLCONF = __name__
    ISSUED["access"] = str(AccessToken.for_user(User(id=424242)))
    assert client.get("/api/auth/login/").json()["access"] == ISSUED["access"]
    assert client.get("/api/other/").status_code == 200


def test_log():
    logging.getLogger("leaky.but.quiet").debug("never created below the configured level")
    logging.getLogger("leaky").warning("the key is %s", "hidden" if CLEAN else IN_LOG)


def test_eager_task():
    echo_task.apply(args=["hidden" if CLEAN else IN_TASK_RUN])


def test_published_task():
    with Connection("memory://") as connection:
        echo_task.apply_async(args=["hidden" if CLEAN else IN_TASK_PUBLISH], connection=connection)


async def test_frame():
    socket = WebsocketCommunicator(Talker.as_asgi(), "/talk/")
    assert (await socket.connect())[0]
    assert (await socket.receive_from()).startswith("hello")
    await socket.disconnect()


def test_process_log():
    with leakwatch.process_log("planted") as log:
        log.write(b"started\n" if CLEAN else f"started with {IN_PROCESS}\n".encode())
