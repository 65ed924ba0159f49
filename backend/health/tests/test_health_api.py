"""GET /api/health/ against the real database, Redis, channel layer and a real Celery worker."""
import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db(transaction=True)


def test_all_parts_healthy_with_a_running_worker(celery_worker_process):
    response = APIClient().get("/api/health/")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok" and body["failed"] == []
    assert set(body["checks"]) == {"database", "redis", "channel_layer", "celery"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["celery"]["detail"]["workers"], "the worker's name is reported"


def test_stopped_redis_is_reported_as_503(settings, redis_server, celery_worker_process):
    settings.REDIS_URL = redis_server.url
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [redis_server.url]}}
    }
    assert APIClient().get("/api/health/").status_code == 200

    redis_server.stop()
    response = APIClient().get("/api/health/")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "error"
    assert "redis" in body["failed"] and "channel_layer" in body["failed"]
    assert "Connection" in body["checks"]["redis"]["error"]
    # The parts that still work say so: a failure names only what failed.
    assert body["checks"]["database"]["ok"] is True


def test_no_worker_is_reported_as_503(monkeypatch, redis_server):
    # A Celery app on a broker nobody consumes from: the ping gets no answer.
    from celery import Celery

    from health import checks

    lonely = Celery("lonely", broker=redis_server.url, set_as_current=False)
    monkeypatch.setattr(checks, "celery_app", lonely)
    response = APIClient().get("/api/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["celery"]
    assert "no Celery worker answered" in body["checks"]["celery"]["error"]
