"""The home page's queries do not grow with the records on it (issue 13): the bank officer's and the
bureau approver's home stay under 15 queries with 5 and with 20 filings of several kinds in their
queues (drafts, submitted, first-reviewed, confirmed), the policy version and the holiday table read
once per request.

Counted as PostgreSQL sees them in service: the test runs inside a transaction, so the session's save
(SESSION_SAVE_EVERY_REQUEST) adds a SAVEPOINT and its RELEASE that a served request does not make.
The raw count, those two included, is pinned too."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lenders import services as lenders_services
from tests.factories import admit, first_review, make_filing, make_profile, make_registration

UNDER = 15
TEST_ONLY = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def queues(bank_a, enterprise_a, enterprise_user, bank_officer, bank_supervisor, bureau_approver):
    """add(n): n more filings of bank A, a quarter each still drafts, submitted to the bureau (the clerk's
    first review due), first-reviewed (the approver's decision due), confirmed."""
    admit(bank_a, bureau_approver)
    make_profile(enterprise_a)

    def add(n):
        for i in range(n):
            filing = make_filing(bank_officer, make_registration(enterprise_a, bank_a, enterprise_user))
            if i % 4 >= 1:
                lenders_services.filing_submit(by=bank_supervisor, filing=filing)
            if i % 4 >= 2:
                first_review(filing, bureau_approver)
            if i % 4 == 3:
                lenders_services.filing_confirm(by=bureau_approver, filing=filing)

    return add


def _home_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(UNDER + 1):  # raw: + SAVEPOINT and RELEASE - 1
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("accounts:home"))
    assert response.status_code == 200
    assert "备案" in response.content.decode()
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(TEST_ONLY)]


@pytest.mark.parametrize("persona", ["bank_officer", "bureau_approver"])
def test_the_home_page_stays_under_15_queries_at_5_and_at_20_filings(
    request, client_for, queues, django_assert_max_num_queries, persona
):
    client = client_for(request.getfixturevalue(persona))
    queues(5)
    at_5 = _home_queries(client, django_assert_max_num_queries)
    queues(15)
    at_20 = _home_queries(client, django_assert_max_num_queries)
    assert len(at_5) < UNDER, at_5
    assert len(at_20) == len(at_5), at_20
    assert sum("policy_policyversion" in q for q in at_20) <= 1
    assert sum("policy_holiday" in q for q in at_20) <= 2  # this year's days, the declared years


@pytest.mark.parametrize(
    "persona", ["enterprise_user", "bank_supervisor", "bureau_clerk", "finance_user", "administrator"]
)
def test_every_other_role_s_home_stays_under_15_queries_whatever_the_queues_hold(
    request, client_for, queues, django_assert_max_num_queries, persona
):
    client = client_for(request.getfixturevalue(persona))
    counts = []
    for more in (5, 15):
        queues(more)
        with django_assert_max_num_queries(UNDER + 1):  # raw: + SAVEPOINT and RELEASE - 1
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(reverse("accounts:home"))
        assert response.status_code == 200
        queries = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(TEST_ONLY)]
        assert sum("policy_policyversion" in q for q in queries) <= 1, queries
        counts.append(len(queries))
    assert counts[0] < UNDER and counts[1] == counts[0], counts
