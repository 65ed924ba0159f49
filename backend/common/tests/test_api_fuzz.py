"""Schemathesis: requests generated from the OpenAPI schema never get a 5xx."""
import pytest
import schemathesis
from hypothesis import strategies as st
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

# /api/health/ is left out: it waits up to 1 s for a Celery ping per request, and takes no input.
SKIPPED = {"/api/health/"}


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


@pytest.mark.django_db
def test_no_operation_answers_a_server_error(sandbox_process, keep_connection):
    from django.core.wsgi import get_wsgi_application

    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED:
            continue

        # Valid and invalid inputs alike: a wrong parameter must be a 4xx, never a 5xx.
        cases = st.one_of(operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
                          operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE))

        @given(case=cases)
        @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(checks=[not_a_server_error])

        check()
        tested.append(f"{operation.method.upper()} {operation.path}")
    assert {"GET /api/signals/", "GET /api/klines/", "GET /api/signals/{signal_id}/"} <= set(tested), tested
