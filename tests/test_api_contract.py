"""The OpenAPI schema is the contract: schemathesis runs every one of its checks (server errors, status
codes, content types, headers, response bodies, negative data refused, valid data accepted, …) over
every operation of the generated schema, positive and negative data, against the WSGI app, as each bank
role with its own API key; and every refusal explains itself in the one error shape, in Chinese.
0 failures and 0 server errors (issue 12 item 8). (schemathesis' own pytest plugin does not support
pytest 9; its strategies and checks do.)"""

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi import from_wsgi

from lenders.services.tokens import api_token_issue
from tests.factories import make_non_performing_loan

# Bounded: the whole run (both roles, every operation, positive and negative data) stays near a minute.
EXAMPLES_PER_MODE = 10


def api_key_for(user):
    """The plain API key a bank user presents (`Authorization: Token <key>`). The one place that knows
    how a key is issued: adapt here when the keys change."""
    issued = api_token_issue(by=user)
    return getattr(issued, "key", issued)


@pytest.fixture
def keep_the_test_connection():
    """A bare WSGI app closes 'old' database connections at each request's start and end; inside a test
    that is the test's own transaction. Django's test client disconnects these handlers; so do we."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def all_checks():
    load_all_checks()
    return list(CHECKS.get_all())


def explains_in_chinese(response):
    """A refusal carries the one error shape with a code and a Chinese message (None if it does)."""
    if response.status_code < 400:
        return None
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return f"{response.status_code} without the one error shape: {response.text[:300]}"
    if not (error.get("code") and any("\u4e00" <= ch <= "\u9fff" for ch in error.get("message", ""))):
        return f"{response.status_code} without a code and a Chinese message: {response.text[:300]}"
    return None


def check_operation(operation, mode, headers, checks, failures):
    """Up to EXAMPLES_PER_MODE cases of one operation; each distinct failure (by its title) kept once."""
    titles = set()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_MODE,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    def contract(case):
        try:
            response = case.call_and_validate(headers=headers, checks=checks)
        except FailureGroup as group:
            for failure in group.exceptions:
                if failure.title not in titles:
                    titles.add(failure.title)
                    failures.append(f"{operation.label} [{mode.value}] {failure.title}: {group}"[:2500])
            return
        problem = explains_in_chinese(response)
        if problem and problem not in titles:
            titles.add(problem)
            failures.append(f"{operation.label} [{mode.value}] {problem}")

    contract()


def run_contract(user):
    headers = {"Authorization": f"Token {api_key_for(user)}"}
    schema = from_wsgi("/api/schema/?format=json", get_wsgi_application(), headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18
    checks = all_checks()
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            check_operation(operation, mode, headers, checks, failures)
    assert not failures, "\n\n".join(failures[:20]) + f"\n\n{len(failures)} failures"


@pytest.fixture
def some_records(bank_a, enterprise_a, bank_officer, finance_bureau, bureau):
    """A covered loan of the bank, so that the generated ids sometimes find a real record."""
    return make_non_performing_loan(bank_a, enterprise_a, bank_officer)


@pytest.mark.parametrize("role", ["bank_officer", "bank_supervisor"])
def test_every_operation_conforms_to_the_schema_for_each_bank_role(
    db, keep_the_test_connection, some_records, role, request
):
    run_contract(request.getfixturevalue(role))
