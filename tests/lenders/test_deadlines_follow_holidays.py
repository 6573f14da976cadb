"""A deadline kept on a record follows its reminder when staff change the holiday table (issue 9: stored
deadlines recomputed): the filing page's 审核期限 and the clerk's to-do never disagree."""

import pytest

from lenders.models import LoanFiling
from lenders.reminders import FILING_REVIEW
from yunfu_ipfund.notices.reminders import open_reminders
from yunfu_ipfund.policy import services as policy_services

pytestmark = pytest.mark.django_db


def test_a_holiday_on_a_filings_review_deadline_moves_the_filing_and_its_to_do(submitted, administrator):
    due = submitted.review_due_on
    (todo,) = open_reminders(kind=FILING_REVIEW, about=submitted)
    assert todo.due_date == due
    policy_services.holiday_day_save(by=administrator, date=due, kind="holiday", name="临时调整")
    todo.refresh_from_db()
    moved = LoanFiling.objects.get(pk=submitted.pk).review_due_on
    assert moved > due and todo.due_date == moved
