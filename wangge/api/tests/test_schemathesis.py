"""Schemathesis drives every operation of the OpenAPI document with generated input: none answers 500."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from wangge.accounts.actions import do_issue_api_token
from wangge.accounts.models import User
from wangge.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def token(db, new_ticket):  # type: ignore[no-untyped-def]
    """A token of the community login, with a ticket in its scope, and the request signals that would
    close the test's database connection switched off (as Django's test client does)."""
    new_ticket()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield do_issue_api_token(User.objects.get(username="community"))
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_server_error(case, token) -> None:  # type: ignore[no-untyped-def]
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text[:500])
