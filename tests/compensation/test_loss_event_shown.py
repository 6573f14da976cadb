"""The claim page and the claim's notices show the loss event the claim window runs from (issue 9, the
loss event ruling): the earlier of the classification and the day the loan passed the overdue days, not
only the bank's classification day, so the printed deadline can be checked against the printed day."""

import datetime as dt

import pytest

from compensation.documents import claim_facts
from lenders.models import CoveredLoan, LossEventSource

pytestmark = pytest.mark.django_db


def test_the_page_and_the_notice_facts_show_the_loss_event_beside_the_classification(flow, loan, client_for):
    claim = flow.draft(loan)
    loss_day = claim.classified_on - dt.timedelta(days=4)
    CoveredLoan.objects.filter(pk=loan.pk).update(
        loss_event_on=loss_day, loss_event_source=LossEventSource.OVERDUE
    )
    claim.refresh_from_db()
    claim.covered_loan.refresh_from_db()
    body = client_for(flow.officer).get(claim.get_absolute_url()).content.decode()
    assert f"{loss_day:%Y-%m-%d}（逾期达到认定不良天数）" in body
    assert f"{claim.classified_on:%Y-%m-%d}（" in body
    facts = dict(claim_facts(claim))
    assert facts["损失事件日期（申请期限起算）"].startswith(f"{loss_day.year}年")
    assert "银行认定不良日期" in facts
