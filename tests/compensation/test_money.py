"""The fund's side: queueing when short, recovery returns capped at the payout, clawback; and the PDFs."""

import subprocess
from decimal import Decimal as D

import pytest
from django.urls import reverse

from applications.models import EnterpriseProfile
from compensation import services
from compensation.models import Claim, Clawback, Recovery
from fund.models import Posting
from fund.selectors import fund_figures
from fund.services import commitment_create
from yunfu_ipfund.common.errors import Conflict, DomainError, NotFound
from yunfu_ipfund.notices.models import Notice
from yunfu_ipfund.notices.services import notice_render, notice_verify

from .conftest import make_loan


def reserve_all_but(amount, approver):
    """Set aside (a treasury commitment) everything the fund has available except `amount`."""
    left = fund_figures().available - D(amount)
    commitment_create(
        by=approver,
        amount=left,
        reference=("test.reserve", "1"),
        key="test-reserve",
        purpose="treasury",
        reason="测试：预留",
    )


def test_a_fund_too_short_queues_the_claim_and_pays_it_when_a_recovery_arrives(
    flow, loan, bank_a, enterprise_a, bank_officer
):
    first = flow.paid(loan)  # 192,000.00 paid
    reserve_all_but("100000.00", flow.approver)  # available 100,000.00
    second = flow.decided(make_loan(bank_a, enterprise_a, bank_officer))
    assert second.status == Claim.Status.QUEUED and second.commitment is None
    # recovery on the first claim: 310,000 - 10,000 costs = 300,000 x 80% x 40% = 96,000.00
    recovery = flow.recovery(first, amount="310000.00", costs="10000.00", description="拍卖质押专利")
    assert recovery.return_amount == D("96000.00")
    assert Claim.objects.get(pk=first.pk).status == Claim.Status.RECOVERY
    services.recovery_confirm_receipt(by=flow.finance, recovery=recovery, voucher="SK-1")
    # available 100,000 + 96,000 = 196,000 >= 192,000: the queue moves
    second.refresh_from_db()
    assert second.status == Claim.Status.PAYMENT_INSTRUCTED and second.commitment is not None
    second = services.claim_confirm_payment(by=flow.finance, claim=second, voucher="ZF-2")
    assert second.status == Claim.Status.PAID
    assert fund_figures().available == D("4000.00")


def test_a_queued_claim_is_instructed_when_a_contribution_arrives(
    flow, loan, django_capture_on_commit_callbacks
):
    reserve_all_but("100000.00", flow.approver)  # available 100,000.00
    claim = flow.decided(loan)  # 192,000.00 does not fit: queued
    assert claim.status == Claim.Status.QUEUED
    from fund.services import contribution_post

    with django_capture_on_commit_callbacks(execute=True):
        contribution_post(by=flow.finance, amount="92000.00", key="test-top-up", reason="测试：追加出资")
    # 100,000 + 92,000 = 192,000: the fund's money_arrived signal paid the queue in order
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAYMENT_INSTRUCTED and claim.commitment is not None
    assert fund_figures().available == D("0.00")


def test_the_queue_is_first_come_first_served(flow, bank_a, enterprise_a, bank_officer, loan):
    reserve_all_but("100000.00", flow.approver)
    big = flow.decided(loan)  # 192,000 queued
    small = flow.decided(
        make_loan(bank_a, enterprise_a, bank_officer), unrecovered="100000.00"
    )  # 32,000 fits but waits
    assert (big.status, small.status) == (Claim.Status.QUEUED, Claim.Status.QUEUED)
    assert services.pay_queue(by=None) == []


def test_a_recovery_return_is_capped_at_the_payout_and_the_claim_closes(flow, loan):
    claim = flow.paid(loan)
    # net 900,000 x 800,000 / 1,000,000 x 192,000 / 480,000 = 288,000 > paid 192,000: 192,000.00
    # (900,000 is above the 600,000 unrecovered plus interest: the officer confirms it with a reason)
    recovery = flow.recovery(claim, amount="900000.00", confirm_reason="含保证人代偿的利息和罚息")
    assert recovery.return_amount == D("192000.00")
    with pytest.raises(DomainError, match="尚有追偿款未返还"):
        services.claim_close(by=flow.approver, claim=claim, close_reason="full_recovery", reason="全额收回")
    services.recovery_confirm_receipt(by=flow.finance, recovery=recovery, voucher="SK-9")
    with pytest.raises(Conflict):
        services.recovery_confirm_receipt(by=flow.finance, recovery=recovery, voucher="SK-9")
    assert Posting.objects.filter(kind="recovery").count() == 1
    later = flow.recovery(claim, amount="50000.00", confirm_reason="拍卖尾款")
    assert later.return_amount == 0 and later.status == Recovery.Status.SETTLED
    claim = services.claim_close(
        by=flow.approver, claim=claim, close_reason="full_recovery", reason="全额收回"
    )
    assert claim.status == Claim.Status.CLOSED
    claim.covered_loan.refresh_from_db()
    assert claim.covered_loan.status == claim.covered_loan.Status.CLOSED


def test_another_bank_cannot_prepare_a_recovery_report(flow, loan, bank_b_officer):
    claim = flow.paid(loan)
    with pytest.raises(NotFound):
        services.recovery_prepare(
            by=bank_b_officer, claim=claim, received_on=claim.payment_value_date, amount="1.00"
        )


def test_a_clawback_demands_the_payout_excludes_the_loan_and_blacklists_the_enterprise(flow, loan, policy):
    claim = flow.paid(loan)
    clawback = services.claim_rescind(by=flow.approver, claim=claim, reason="伪造还款记录")
    assert clawback.amount == D("192000.00") and clawback.status == Clawback.Status.DEMANDED
    claim.refresh_from_db()
    assert claim.status == Claim.Status.RESCINDED
    loan.refresh_from_db()
    assert loan.status == loan.Status.EXCLUDED
    profile = EnterpriseProfile.objects.get(organisation=loan.enterprise)
    assert profile.blacklisted_until == clawback.blacklisted_until
    assert profile.blacklisted_until.year == clawback.decided_at.year + policy.blacklist_years
    services.clawback_confirm_receipt(by=flow.finance, clawback=clawback, voucher="ZH-1")
    with pytest.raises(Conflict):
        services.clawback_confirm_receipt(by=flow.finance, clawback=clawback, voucher="ZH-1")
    assert Posting.objects.filter(kind="clawback", key=f"claim-{claim.pk}-clawback").count() == 1


def test_rescinding_before_payment_releases_the_commitment(flow, loan):
    claim = flow.decided(loan)
    committed = fund_figures().committed
    clawback = services.claim_rescind(by=flow.approver, claim=claim, reason="虚假材料")
    assert clawback.status == Clawback.Status.NOTHING_DUE and clawback.amount == 0
    assert fund_figures().committed == committed - D("192000.00")


def pdf_text(notice):
    notice = notice_render(notice.pk)
    assert notice.render_status == "rendered", notice.render_error
    with notice.pdf.open("rb") as fh:
        data = fh.read()
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def squash(text):
    return "".join(text.split())


@pytest.mark.parametrize(
    "kind, figures",
    [
        ("claim_decision", ["192,000.00", "人民币壹拾玖万贰仟元整", "第十三条", "480,000.00", "返还"]),
        ("claim_payment_instruction", ["192,000.00", "人民币壹拾玖万贰仟元整"]),
    ],
)
def test_decision_and_payment_instruction_pdfs_carry_the_figures_and_verify(
    flow, loan, client, kind, figures
):
    claim = flow.paid(loan)
    notice = Notice.objects.get(kind=kind, subject_id=str(claim.pk))
    text = squash(pdf_text(notice))
    for figure in figures:
        assert figure in text
    assert notice.number.startswith("云市监知补〔") and squash(notice.number) in text
    assert notice_verify(notice.number, notice.verification_code) == notice
    response = client.post(
        reverse("public:verify"), {"number": notice.number, "code": notice.verification_code}
    )
    assert notice.number in response.content.decode()


def test_refusal_recovery_return_and_clawback_pdfs(flow, loan, bank_a, enterprise_a, bank_officer):
    refused = flow.reviewed(make_loan(bank_a, enterprise_a, bank_officer))
    services.claim_reject(by=flow.approver, claim=refused, reason="不良认定依据不足")
    assert "不良认定依据不足" in squash(pdf_text(Notice.objects.get(kind="claim_refusal")))
    claim = flow.paid(loan)
    flow.recovery(claim, amount="110000.00", costs="10000.00")
    text = squash(pdf_text(Notice.objects.get(kind="claim_recovery_return")))
    assert "32,000.00" in text and "人民币叁万贰仟元整" in text
    notice = Notice.objects.get(kind="claim_recovery_return")
    assert notice.number.startswith("云市监知追〔")
    services.claim_rescind(by=flow.approver, claim=claim, reason="伪造还款记录")
    text = squash(pdf_text(Notice.objects.get(kind="claim_clawback")))
    assert "192,000.00" in text and "人民币壹拾玖万贰仟元整" in text and "黑名单" in text


def test_open_paid_claims_get_a_quarterly_recovery_report_reminder_until_closed(flow, loan):
    import datetime as dt

    from compensation import reminders
    from compensation.checks import run_daily_checks
    from yunfu_ipfund.notices.reminders import open_reminders

    claim = flow.paid(loan)
    assert run_daily_checks(dt.date(2027, 2, 1)) == 1
    run_daily_checks(dt.date(2027, 2, 2))
    reminder = open_reminders(kind=reminders.RECOVERY_REPORT, about=claim, discriminator="2027Q1").get()
    assert reminder.due_date == dt.date(2027, 3, 31) and reminder.recipient_org == claim.bank
    services.claim_close(by=flow.approver, claim=claim, close_reason="write_off", reason="核销")
    reminder.refresh_from_db()
    assert reminder.resolved_at is not None
    assert run_daily_checks(dt.date(2027, 4, 1)) == 0


# --- the clawback's deadline and blacklist years: the version in force on the rescission day ----------


@pytest.mark.parametrize("workdays", [1, 3])
def test_the_clawback_deadline_is_the_versions_clawback_return_workdays_of_the_rescission_day(
    flow, loan, policy, workdays
):
    import datetime as dt

    from tests.compensation.test_recovery_pari_passu import paid_claim
    from yunfu_ipfund.common.dates import today
    from yunfu_ipfund.common.workdays import add_workdays
    from yunfu_ipfund.policy.models import PolicyVersion

    PolicyVersion.objects.filter(pk=policy.pk).update(
        clawback_return_workdays=workdays, recovery_return_workdays=10, blacklist_years=3
    )
    # the claim was first submitted under the 2020 version, with other numbers: they do not apply
    old = PolicyVersion.objects.get(effective_to=dt.date(2025, 9, 24))
    PolicyVersion.objects.filter(pk=old.pk).update(clawback_return_workdays=20, blacklist_years=5)
    claim = paid_claim(flow, loan, unrecovered="600000.00", paid="192000.00")
    Claim.objects.filter(pk=claim.pk).update(policy_version=old)
    clawback = services.claim_rescind(
        by=flow.approver, claim=Claim.objects.get(pk=claim.pk), reason="伪造还款记录"
    )
    assert clawback.due_on == add_workdays(today(), workdays) != add_workdays(today(), 10)
    assert clawback.blacklisted_until.year == today().year + 3
    notice = Notice.objects.get(kind="claim_clawback")
    paragraphs = "".join(notice.context["paragraphs"])
    assert f"（{workdays}个工作日内）" in paragraphs and "（3年）" in paragraphs
