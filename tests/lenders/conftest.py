"""Fixtures for the bank side: cooperating banks, accepted registrations, filings ready to submit,
covered loans. The builders are in tests/factories.py (importable from here as before)."""

import pytest

from lenders import services
from tests.factories import (  # noqa: F401  (the builders, importable from this module as before)
    PDF,
    admit,
    attach_documents,
    filing_values,
    first_review,
    make_filing,
    make_patent,
    make_profile,
    make_registration,
    pdf_file,
    pledges_for,
)
from tests.factories import make_covered_loan as make_loan  # noqa: F401
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.policy.models import PolicyVersion


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The personas' passwords are hashed once each; PBKDF2 at full strength would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def policy(db):
    return PolicyVersion.objects.get(effective_from__lte=today(), effective_to__gte=today())


@pytest.fixture
def bank_a_profile(bank_a, bureau_approver):
    return admit(bank_a, bureau_approver)


@pytest.fixture
def bank_b_profile(bank_b, bureau_approver):
    return admit(bank_b, bureau_approver)


@pytest.fixture
def enterprise_a_profile(enterprise_a):
    return make_profile(enterprise_a)


@pytest.fixture
def enterprise_b_profile(enterprise_b):
    return make_profile(enterprise_b, district="luoding")


@pytest.fixture
def registration(enterprise_a, enterprise_a_profile, bank_a, bank_a_profile, enterprise_user):
    return make_registration(enterprise_a, bank_a, enterprise_user)


@pytest.fixture
def draft(bank_officer, registration):
    return make_filing(bank_officer, registration)


@pytest.fixture
def submitted(draft, bank_supervisor):
    return services.filing_submit(by=bank_supervisor, filing=draft)


@pytest.fixture
def first_reviewed(submitted, bureau_clerk):
    """A submitted filing the bureau clerk has first-reviewed (初审通过): waiting for the approver."""
    return services.filing_first_review(by=bureau_clerk, filing=submitted)


@pytest.fixture
def loan(first_reviewed, bureau_approver):
    filing = services.filing_confirm(by=bureau_approver, filing=first_reviewed)
    return filing.covered_loan


@pytest.fixture
def bank_b_loan(
    enterprise_b,
    enterprise_b_profile,
    bank_b,
    bank_b_profile,
    enterprise_b_user,
    bank_b_officer,
    bank_b_supervisor,
    bureau_approver,
):
    registration = make_registration(enterprise_b, bank_b, enterprise_b_user)
    filing = make_filing(bank_b_officer, registration)
    services.filing_submit(by=bank_b_supervisor, filing=filing)
    first_review(filing, bureau_approver)
    return services.filing_confirm(by=bureau_approver, filing=filing).covered_loan
