"""Errors that say what happened: JSON under /api/, 400 for bad paging, no browsable-API 500,
and no internal exception text for the public."""
import pytest
from django.test import Client
from rest_framework.test import APIClient

from common.errors import PublicError, error_summary, error_text_summary

LEAKED = "hunter2"


def test_unknown_api_path_is_a_json_404():
    for method in ("get", "post", "delete"):
        response = getattr(Client(), method)("/api/no/such/thing/")
        assert response.status_code == 404, method
        assert response["Content-Type"] == "application/json"
        assert "/api/no/such/thing/" in response.json()["detail"]


def test_api_path_without_its_slash_is_redirected_like_append_slash():
    response = Client().get("/api/signals?page_size=2")
    assert response.status_code == 301
    assert response["Location"] == "/api/signals/?page_size=2"


@pytest.mark.urls("common.tests.crash_urls")
def test_a_crash_under_api_is_a_json_500_without_internals():
    response = Client(raise_request_exception=False).get("/api/crash/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    assert LEAKED not in response.content.decode() and "postgres" not in response.content.decode()
    page = Client(raise_request_exception=False).get("/elsewhere/crash/")
    assert page.status_code == 500 and LEAKED not in page.content.decode()
    assert not page["Content-Type"].startswith("application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, field",
    [("page=abc", "page"), ("page=0", "page"), ("page=-1", "page"), ("page_size=0", "page_size"),
     ("page_size=x", "page_size"), ("page_size=501", "page_size"), ("page_size=2.5", "page_size")],
)
def test_bad_page_or_page_size_is_a_400_naming_it(query, field):
    response = APIClient().get(f"/api/signals/?{query}")
    assert response.status_code == 400, response.content
    message = response.json()[field][0]
    assert "whole number" in message and repr(query.split("=")[1]) in message


@pytest.mark.django_db
def test_page_past_the_end_is_a_404_that_says_so():
    response = APIClient().get("/api/signals/?page=7")
    assert response.status_code == 404
    assert "Page 7 does not exist" in response.json()["detail"]


@pytest.mark.django_db
def test_browsable_api_renders_the_signal_list_in_debug():
    # Was a 500: the renderer asked SignalListApi (no queryset) for a filter form.
    response = Client().get("/api/signals/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"Signal List" in response.content or b"signals" in response.content.lower()


_WITHOUT_DEBUG = """
import django, json
django.setup()
from django.test import Client
only_html = Client().get("/api/signals/", HTTP_ACCEPT="text/html")
browser = Client().get("/api/signals/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
print(json.dumps([[r.status_code, r["Content-Type"], r.content.decode()] for r in (only_html, browser)]))
"""


@pytest.mark.django_db
def test_without_debug_html_is_not_offered_json_or_406_never_500():
    # Renderers are fixed when DRF is imported: a process with debug really off is needed.
    import json
    import os
    import secrets
    import subprocess
    import sys

    from django.db import connection

    from common.testing import BACKEND_DIR, database_url_of

    env = dict(os.environ, DJANGO_DEBUG="false", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
               DJANGO_SETTINGS_MODULE="config.settings.base", DJANGO_ALLOWED_HOSTS="testserver",
               DATABASE_URL=database_url_of(connection.settings_dict))
    result = subprocess.run([sys.executable, "-c", _WITHOUT_DEBUG], cwd=BACKEND_DIR, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    (html_status, html_type, html_body), (status, content_type, body) = json.loads(result.stdout.splitlines()[-1])
    assert html_status == 406 and html_type == "application/json" and "detail" in json.loads(html_body)
    assert status == 200 and content_type == "application/json" and json.loads(body)["results"] == []


def test_error_summary_gives_the_class_and_a_short_reason_only():
    import psycopg

    exc = psycopg.OperationalError(f'connection to "db.internal" failed: password {LEAKED} rejected')
    assert error_summary(exc) == "OperationalError: the database is unavailable"
    assert error_summary(ZeroDivisionError(LEAKED)) == "ZeroDivisionError: an unexpected error (details in the server log)"
    assert error_summary(PublicError("no worker answered")) == "PublicError: no worker answered"
    assert error_text_summary(f"ETHUSDT: TemporaryError: {LEAKED} | HTTP 503 | /fapi/v1/klines") == (
        "ETHUSDT: TemporaryError: the exchange did not answer in time")
    assert error_text_summary(f"postgres://u:{LEAKED}@h: OperationalError: x") == (
        "Error: an unexpected error (details in the server log)")


@pytest.mark.django_db
def test_scanner_status_shows_no_internal_error_text():
    from django.utils import timezone

    from signals.models import ScanRun

    now = timezone.now()
    ScanRun.objects.create(trigger="schedule", timeframe="5m", status="failed", started_at=now, finished_at=now,
                           errors=[f"OperationalError: password {LEAKED} for db.internal",
                                   f"BTCUSDT: RateLimitedError: {LEAKED} | HTTP 429"])
    response = APIClient().get("/api/scanner/status/")
    assert response.status_code == 200
    assert response.json()["last_scan"]["errors"] == [
        "OperationalError: the database is unavailable",
        "BTCUSDT: RateLimitedError: the exchange is rate limiting this IP",
    ]
    assert LEAKED not in response.content.decode()
