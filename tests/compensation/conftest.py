"""Fixtures for compensation: a non-performing covered loan, a claim's path walked with the personas.
The builders are in tests/factories.py (importable from here as before)."""

import pytest

from tests.factories import (  # noqa: F401  (the builders, importable from this module as before)
    PDF,
    Flow,
    attach_all,
    decide_after_publicity,
    ensure_policies,
    pdf_file,
)
from tests.factories import make_non_performing_loan as make_loan
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.policy.models import PolicyVersion


@pytest.fixture
def policy(db):
    return PolicyVersion.objects.get(effective_from__lte=today(), effective_to__gte=today())


@pytest.fixture
def loan(bank_a, enterprise_a, bank_officer, finance_bureau, bureau):
    return make_loan(bank_a, enterprise_a, bank_officer)


@pytest.fixture
def flow(bank_officer, bank_supervisor, bureau_clerk, bureau_approver, finance_user):
    return Flow(bank_officer, bank_supervisor, bureau_clerk, bureau_approver, finance_user)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The personas' passwords need no real hashing here (the platform's tests cover login)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
