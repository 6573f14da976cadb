"""Issue 14 item 7: the enterprise is told (inbox and e-mail) is claimed, compensated and recovered
(tests/lenders/test_parties.py: confirmed, overdue, 不良). Before, none of these reached the enterprise."""

import pytest

from yunfu_ipfund.notices.models import Message

pytestmark = pytest.mark.django_db


def inbox(user):
    return list(Message.objects.filter(recipient=user).order_by("id").values_list("title", "body", "url"))


def titles(user):
    return [t for t, _, _ in inbox(user)]


def test_the_enterprise_hears_of_the_claim_the_compensation_and_a_recovery(flow, loan, enterprise_user):
    claim = flow.paid(loan)
    got = titles(enterprise_user)
    assert "合作银行已就您的贷款申请风险补偿" in got
    assert "风险补偿资金已就您的贷款向合作银行拨付补偿" in got
    assert got.index("合作银行已就您的贷款申请风险补偿") < got.index(
        "风险补偿资金已就您的贷款向合作银行拨付补偿"
    )

    flow.recovery(claim, amount="50000.00")
    title, body, _ = inbox(enterprise_user)[-1]
    assert title == "合作银行已报告追回您的贷款款项"
    assert "50,000.00 元" in body


def test_other_enterprises_hear_nothing(flow, loan, enterprise_b_user):
    flow.paid(loan)
    assert inbox(enterprise_b_user) == []
