"""Schemathesis over /api/strategies/... only: generated requests (valid and invalid, signed in)
never get a 5xx.  The project-wide fuzz test covers every API; this one runs in seconds."""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from common.testing import throttles_reset
from common.tests.test_api_fuzz import keep_connection  # noqa: F401 (fixture)


@pytest.mark.django_db
def test_no_strategies_operation_answers_a_server_error(keep_connection):  # noqa: F811
    from django.contrib.auth.models import User
    from django.core.wsgi import get_wsgi_application
    from rest_framework_simplejwt.tokens import AccessToken

    email = f"fuzz-{uuid.uuid4().hex[:6]}@example.com"
    user = User.objects.create_user(username=email, email=email)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/strategies/"):
            continue
        cases = st.one_of(operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
                          operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE))

        @given(case=cases)
        @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            throttles_reset()
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {AccessToken.for_user(user)}"}
            case.call_and_validate(checks=[not_a_server_error])

        check()
        tested.append(f"{operation.method.upper()} {operation.path}")
    assert len(tested) == 17, tested
