"""The bank API, fuzzed from its own OpenAPI schema (schemathesis strategies driven by hypothesis):
whatever a client sends, the answer is never a 500, and every refusal carries the one error shape
with a Chinese message. (schemathesis' own pytest plugin does not support pytest 9; its strategies do.)"""

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.openapi import from_wsgi

from lenders.services.tokens import api_token_issue


def _check(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, (where, response.text[:500])
    if response.status_code >= 400 and response.headers.get("Content-Type", [""])[0].startswith(
        "application/json"
    ):
        error = response.json()["error"]
        assert error["code"] and any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), (
            where,
            response.text[:300],
        )


@pytest.fixture
def keep_the_test_connection():
    """A bare WSGI app closes 'old' database connections at each request's start and end; inside a test
    that is the test's own transaction. Django's test client disconnects these handlers; so do we."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_bank_api_never_answers_500_and_always_explains_in_chinese(
    db, keep_the_test_connection, bank_officer, bank_a
):
    token = api_token_issue(by=bank_officer).key
    schema = from_wsgi(
        "/api/schema/?format=json", get_wsgi_application(), headers={"Authorization": f"Token {token}"}
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case):
            _check(case, token)

        fuzz()
