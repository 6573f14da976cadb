"""Filing confirmation while the fund's new cover is paused (fund.cover_pause / cover_resume)."""

import pytest

from fund import services as fund_services
from lenders import services
from lenders.models import CoveredLoan, LoanFiling
from yunfu_ipfund.common.errors import DomainError


def test_confirmation_is_refused_during_a_pause_and_allowed_after_resume(first_reviewed, bureau_approver):
    submitted = first_reviewed  # past the clerk's first review: only the pause stands in the way
    fund_services.cover_pause(by=bureau_approver, reason="累计净代偿已达资金规模50%")
    with pytest.raises(DomainError, match="暂停新增纳入风险补偿") as exc:
        services.filing_confirm(by=bureau_approver, filing=submitted)
    assert exc.value.code == "cover_paused" and "累计净代偿已达资金规模50%" in exc.value.message
    submitted.refresh_from_db()
    assert submitted.status == LoanFiling.Status.FIRST_REVIEWED and not CoveredLoan.objects.exists()

    fund_services.cover_resume(by=bureau_approver, reason="已补充资金")
    confirmed = services.filing_confirm(by=bureau_approver, filing=submitted)
    assert confirmed.status == LoanFiling.Status.CONFIRMED and CoveredLoan.objects.count() == 1


def test_the_confirm_button_shows_the_pause_message(client_for, first_reviewed, bureau_approver):
    submitted = first_reviewed
    fund_services.cover_pause(by=bureau_approver, reason="研究暂停")
    response = client_for(bureau_approver).post(
        f"/lenders/filings/{submitted.pk}/confirm/", {"reason": ""}, follow=True
    )
    assert response.status_code == 400  # the refusal (cover_paused) shown on the page, nothing moved
    assert "暂停新增纳入风险补偿" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == LoanFiling.Status.FIRST_REVIEWED
