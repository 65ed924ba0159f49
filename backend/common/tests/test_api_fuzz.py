"""Schemathesis: requests generated from the OpenAPI schema never get a 5xx, signed in or not; and
every throttled route answers 429 with Retry-After once its rate is spent."""
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from common.testing import throttles_reset

# /api/health/ is left out: it waits up to 1 s for a Celery ping per request, and takes no input.
SKIPPED = {"/api/health/"}
PASSWORD = "fuzzing is not guessing 123"


@pytest.fixture
def keep_connection():
    # As Django's test client does: requests must not close the test's database connection.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def schema():
    from django.core.wsgi import get_wsgi_application

    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture
def fuzz_user(db):
    from accounts.services.users import user_create

    return user_create(email="fuzz@example.com", password=PASSWORD)


def _fuzz(schema, *, user=None, max_examples: int) -> list[str]:
    """Run every operation with valid and invalid inputs; as `user` (a fresh Bearer token per case) if given."""
    from rest_framework_simplejwt.tokens import AccessToken

    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED:
            continue

        # Valid and invalid inputs alike: a wrong parameter must be a 4xx, never a 5xx.
        cases = st.one_of(operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
                          operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE))

        @given(case=cases)
        @settings(max_examples=max_examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            # Every case starts under every rate: a 429 would hide the handler from the generated input.
            throttles_reset()
            if user is not None:
                # A token per case: the 5-minute access lifetime is shorter than the run.
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {AccessToken.for_user(user)}"}
            case.call_and_validate(checks=[not_a_server_error])

        check()
        tested.append(f"{operation.method.upper()} {operation.path}")
    return tested


@pytest.mark.django_db
def test_no_operation_answers_a_server_error_signed_in(sandbox_process, keep_connection, schema, fuzz_user):
    tested = _fuzz(schema, user=fuzz_user, max_examples=60)

    assert {"GET /api/signals/", "GET /api/klines/", "GET /api/signals/{signal_id}/", "GET /api/auth/me/",
            "POST /api/auth/login/", "POST /api/auth/password/change/"} <= set(tested), tested
    # The fuzzer never guessed the password, so the account still signs in with it.
    fuzz_user.refresh_from_db()
    assert fuzz_user.check_password(PASSWORD)


@pytest.mark.django_db
def test_no_operation_answers_a_server_error_anonymously(sandbox_process, keep_connection, schema):
    tested = _fuzz(schema, max_examples=25)

    assert {"GET /api/signals/", "GET /api/klines/", "POST /api/auth/register/"} <= set(tested), tested


def _throttled_routes() -> list[tuple[str, type]]:
    """(path, view class) of every URL whose DRF view has throttles, found in the URLconf itself so a
    throttle added later is covered without editing this list."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "cls", None)
                if view is not None and getattr(view, "throttle_classes", None):
                    found.append(("/" + prefix + str(pattern.pattern), view))

    walk(get_resolver().url_patterns, "")
    return found


@pytest.mark.django_db
def test_each_throttled_route_answers_429_with_retry_after(sandbox_process, fuzz_user):
    """With the configured rates: a body-less request (counted per IP or per user) repeated until refused."""
    from rest_framework.test import APIClient

    from accounts.services.tokens import token_pair_issue

    throttles_reset()
    routes = _throttled_routes()
    assert {"/api/auth/login/", "/api/auth/register/", "/api/auth/password/reset/",
            "/api/auth/password/reset/confirm/", "/api/auth/password/change/"} <= {path for path, _ in routes}
    for path, view in routes:
        # Path parameters get a value nobody owns: throttles are checked before the view looks anything up.
        path = re.sub(r"<(?:\w+:)?\w+>", "x", re.sub(r"<int:\w+>", "999999", path))
        method = "post" if hasattr(view, "post") else "get"
        limit = max(throttle().num_requests or 0 for throttle in view.throttle_classes)
        client = APIClient()
        if getattr(client, method)(path, {}, format="json").status_code == 401:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_issue(user=fuzz_user)['access']}")
        statuses = [getattr(client, method)(path, {}, format="json") for _ in range(limit + 1)]

        refused = [response for response in statuses if response.status_code == 429]
        assert refused, f"{method.upper()} {path}: no 429 within {limit + 1} requests"
        assert int(refused[0]["Retry-After"]) >= 1, path
        assert all(response.status_code < 500 for response in statuses), path
