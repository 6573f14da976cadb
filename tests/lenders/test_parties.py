"""Issue 14 item 7: the enterprise is told (inbox and e-mail) when its loan is confirmed, turns overdue
or 不良 (claimed, compensated, recovered: tests/compensation/test_parties.py). Before, nothing reached it."""

import pytest
from django.core import mail

from lenders import services
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.notices.models import Message

pytestmark = pytest.mark.django_db


def inbox(user):
    return list(Message.objects.filter(recipient=user).order_by("id").values_list("title", "body", "url"))


def titles(user):
    return [t for t, _, _ in inbox(user)]


def test_the_enterprise_hears_of_its_loan_being_confirmed_overdue_and_non_performing(
    policy,
    registration,
    first_reviewed,
    bank_a,
    enterprise_user,
    bank_officer,
    bureau_approver,
    django_capture_on_commit_callbacks,
):
    enterprise_user.email = "chen@example.com"
    enterprise_user.save(update_fields=["email"])
    before = len(inbox(enterprise_user))
    loan = services.filing_confirm(by=bureau_approver, filing=first_reviewed).covered_loan
    new = inbox(enterprise_user)[before:]
    # Confirmed: the 备案确认书 is copied to the enterprise, and that message tells it (one message).
    assert len(new) == 1 and new[0][0].startswith("收到文书：备案确认书（")
    assert "请登录" not in new[0][1] and "文书" in new[0][1]  # read by a signed-in user (issue 14)

    services.loan_report_overdue(by=bank_officer, loan=loan, overdue_since=today(), overdue_amount="10000.00")
    title, body, url = inbox(enterprise_user)[-1]
    assert title == "您的贷款已被报告逾期"
    assert bank_a.name in body and loan.contract_number in body
    assert url == registration.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        services.loan_report_classification(
            by=bank_officer, loan=loan, classification="substandard", classified_on=today()
        )
    title, body, _ = inbox(enterprise_user)[-1]
    assert title == "您的贷款已被认定为不良贷款"
    assert "次级" in body and "None" not in body
    # …and by e-mail, to the enterprise's users who gave an address.
    assert "您的贷款已被认定为不良贷款" in [m.subject for m in mail.outbox]
