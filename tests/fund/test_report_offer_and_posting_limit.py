"""Issue 9: the fund overview offers exactly the reports the services let each role issue (the annual
fund report is the bureau approver's, the monthly statement also finance's), and the largest posting is
the version's max_posting_amount, not the fund's capital."""

from decimal import Decimal

import pytest

from fund import services
from fund.selectors import fund_figures
from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.notices.models import Notice
from yunfu_ipfund.policy.models import PolicyVersion

from .conftest import new_key

pytestmark = [pytest.mark.django_db, pytest.mark.article(4, 5, 6)]

ANNUAL_BUTTON = "出具月度报表/年度报告"
MONTHLY_BUTTON = "出具月度报表</button>"
ANNUAL_LABEL = "月份（年度报告留空）"


def overview(client_for, user):
    response = client_for(user).get("/fund/")
    assert response.status_code == 200
    return response.content.decode()


# --- the offer and the permission agree, role by role -------------------------------------------------


def test_the_approver_is_offered_the_annual_report_and_issues_it(client_for, bureau_approver, finance_bureau):
    page = overview(client_for, bureau_approver)
    assert ANNUAL_BUTTON in page and ANNUAL_LABEL in page
    response = client_for(bureau_approver).post("/fund/reports/", {"year": "2025", "month": ""})
    assert response.status_code == 302
    assert Notice.objects.filter(kind="fund_annual_report").count() == 1


def test_finance_is_offered_only_the_monthly_statement(client_for, finance_user, finance_bureau):
    page = overview(client_for, finance_user)
    assert ANNUAL_BUTTON not in page and ANNUAL_LABEL not in page and "年度报告" not in page
    assert MONTHLY_BUTTON in page
    # the month is required in the form finance sees
    assert 'name="month"' in page and "required" in page.split('name="month"', 1)[1].split(">", 1)[0]


def test_finance_issues_the_monthly_statement(client_for, finance_user, finance_bureau):
    response = client_for(finance_user).post("/fund/reports/", {"year": "2026", "month": "10"})
    assert response.status_code == 302
    assert Notice.objects.filter(kind="fund_monthly_statement").count() == 1


def test_finance_posting_an_annual_report_anyway_is_refused_with_403(
    client_for, finance_user, finance_bureau
):
    response = client_for(finance_user).post("/fund/reports/", {"year": "2025", "month": ""})
    assert response.status_code == 403
    assert "您的角色无权执行此操作" in response.content.decode()
    assert not Notice.objects.exists()


def test_the_clerk_is_offered_no_report_and_may_issue_none(client_for, bureau_clerk, finance_bureau):
    page = overview(client_for, bureau_clerk)
    assert ANNUAL_BUTTON not in page and MONTHLY_BUTTON not in page and "出具报表" not in page
    client = client_for(bureau_clerk)
    assert client.post("/fund/reports/", {"year": "2025", "month": ""}).status_code == 403
    assert client.post("/fund/reports/", {"year": "2026", "month": "10"}).status_code == 403
    assert not Notice.objects.exists()


@pytest.mark.parametrize("persona", ["bank_officer", "enterprise_user", "outsider"])
def test_banks_enterprises_and_outsiders_cannot_issue_reports(client_for, request, persona, finance_bureau):
    client = client_for(request.getfixturevalue(persona))
    assert client.post("/fund/reports/", {"year": "2025", "month": ""}).status_code == 404
    assert not Notice.objects.exists()


def test_report_can_issue_matches_the_services(bureau_approver, bureau_clerk, finance_user):
    from fund.reports import report_can_issue

    assert report_can_issue(bureau_approver, annual=True) and report_can_issue(bureau_approver, annual=False)
    assert not report_can_issue(finance_user, annual=True) and report_can_issue(finance_user, annual=False)
    assert not report_can_issue(bureau_clerk, annual=True) and not report_can_issue(
        bureau_clerk, annual=False
    )


# --- the largest posting is max_posting_amount --------------------------------------------------------


def test_a_later_contribution_above_the_capital_is_accepted(finance_user):
    services.contribution_post(by=finance_user, amount="6000000.00", key=new_key(), reason="市级追加出资")
    assert fund_figures().contributions == Decimal("11000000.00")


def test_a_posting_of_exactly_the_limit_is_accepted_and_one_fen_more_is_refused(finance_user):
    PolicyVersion.objects.update(max_posting_amount=Decimal("6000000.00"))
    services.contribution_post(by=finance_user, amount="6000000.00", key=new_key())
    with pytest.raises(ValidationFailed) as exc:
        services.interest_post(by=finance_user, amount="6000000.01", key=new_key())
    assert exc.value.code == "posting_too_large"
    assert "单笔记账金额上限" in exc.value.message and "6,000,000.00" in exc.value.message
    assert fund_figures().contributions == Decimal("11000000.00")
