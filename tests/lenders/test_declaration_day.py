"""The enterprise's credit declaration is judged against the day its registration was submitted, not the
day the bank disbursed or files: a filing made weeks after a registration submitted in time does not
fail Art 7 because the declaration has since aged past `declaration_valid_days` (issue 9)."""

import datetime as dt

import pytest
from django.utils import timezone

from applications.models import EnterpriseProfile
from lenders.rules import filing_checks

pytestmark = pytest.mark.django_db


def credit_record(filing):
    return next(c for c in filing_checks(filing, on=filing.disbursed_on) if c.rule == "credit_record")


@pytest.mark.parametrize(("declared_before_submission", "passes"), [(30, True), (31, False)])
def test_the_declaration_counts_against_the_registrations_submission_day(
    draft, declared_before_submission, passes
):
    submitted_on = draft.disbursed_on - dt.timedelta(days=40)
    registration = draft.registration
    registration.submitted_at = timezone.make_aware(dt.datetime.combine(submitted_on, dt.time(10)))
    registration.save(update_fields=["submitted_at"])
    EnterpriseProfile.objects.filter(organisation=draft.enterprise).update(
        credit_declared_on=submitted_on - dt.timedelta(days=declared_before_submission)
    )
    draft.refresh_from_db()
    check = credit_record(draft)
    assert check.passed is passes, check.message
