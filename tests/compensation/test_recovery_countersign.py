"""Recovery reports go through the bank's four eyes: the officer prepares a draft (待复核) that reaches
neither the bureau nor the fund; a supervisor of the same bank, not the preparer, countersigns it, and
only then is the fund's share computed, the return notice issued, the amount owed and reminded."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from compensation import reminders, services
from compensation.models import Claim, Recovery
from fund.models import Posting, ReturnDue
from tests.conftest import make_user
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common.errors import (
    MSG_SAME_PERSON,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from yunfu_ipfund.notices.models import Message, Notice, Reminder
from yunfu_ipfund.notices.reminders import open_reminders

from .conftest import pdf_file

RS = Recovery.Status
TZ = timezone.get_current_timezone()


def recovery_url(recovery, action):
    return reverse("compensation:recovery_action", args=[recovery.pk, action])


def at(day, hour=9):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=TZ), tick=False)


@pytest.fixture
def paid(flow, loan):
    return flow.paid(loan)


def prepare(flow, claim, amount="110000.00", costs="10000.00", **kw):
    return services.recovery_prepare(
        by=flow.officer, claim=claim, received_on=claim.payment_value_date, amount=amount, costs=costs, **kw
    )


def test_a_prepared_report_posts_notifies_and_owes_nothing_until_countersigned(flow, paid):
    notices, messages, reminders = Notice.objects.count(), Message.objects.count(), Reminder.objects.count()
    postings = Posting.objects.count()
    draft = prepare(flow, paid, description="拍卖质押专利", evidence=pdf_file("拍卖成交确认书.pdf"))
    assert draft.status == RS.DRAFT and draft.get_status_display() == "待复核"
    assert draft.net_amount == D("100000.00") and draft.return_amount is None and draft.computation == {}
    assert draft.return_due_on is None and draft.countersigned_by is None and draft.sha256
    assert (Notice.objects.count(), Message.objects.count(), Reminder.objects.count()) == (
        notices,
        messages,
        reminders,
    )
    assert Posting.objects.count() == postings and not ReturnDue.objects.exists()
    paid.refresh_from_db()
    paid.covered_loan.refresh_from_db()
    assert (
        paid.status == Claim.Status.PAID and paid.covered_loan.status == paid.covered_loan.Status.COMPENSATED
    )


def test_the_countersign_computes_the_share_issues_the_notice_and_records_what_is_owed(
    flow, paid, policy, finance_bureau
):
    draft = prepare(flow, paid)
    recovery = services.recovery_countersign(by=flow.supervisor, recovery=draft)
    # (110,000 - 10,000) x 800,000 / 1,000,000 covered x 40 % fund share = 32,000.00
    assert recovery.status == RS.REPORTED and recovery.return_amount == D("32000.00")
    assert recovery.computation["amount"] == "32000.00" and recovery.computation["steps"]
    assert recovery.countersigned_by == flow.supervisor and recovery.countersigned_at is not None
    assert recovery.reported_by == flow.officer and not recovery.reported_late
    due = ReturnDue.objects.get(key=f"claim-{paid.pk}-recovery-{recovery.pk}-due")
    assert due.amount == D("32000.00") and due.due_on == recovery.return_due_on and due.bank == paid.bank
    notice = Notice.objects.get(kind="claim_recovery_return", subject_id=str(recovery.pk))
    assert notice.addressee == paid.bank and finance_bureau in notice.copied_to.all()
    returned = open_reminders(kind=reminders.RECOVERY_RETURN, about=recovery).get()
    assert returned.due_date == recovery.return_due_on and returned.recipient_org == paid.bank
    assert (
        open_reminders(kind=reminders.RECOVERY_RECEIPT, about=recovery).get().recipient_role == Role.FINANCE
    )
    paid.refresh_from_db()
    paid.covered_loan.refresh_from_db()
    assert (
        paid.status == Claim.Status.RECOVERY and paid.covered_loan.status == paid.covered_loan.Status.RECOVERY
    )
    moves = AuditEvent.objects.filter(object_type="compensation.recovery", object_id=str(recovery.pk))
    assert list(moves.values_list("from_state", "to_state", "actor")) == [
        ("draft", "reported", flow.supervisor.pk)
    ]


def test_a_countersigned_report_with_nothing_to_return_is_settled_without_notice(flow, paid):
    recovery = services.recovery_countersign(
        by=flow.supervisor, recovery=prepare(flow, paid, amount="5000.00", costs="5000.00")
    )
    assert recovery.status == RS.SETTLED and recovery.return_amount == 0
    assert not ReturnDue.objects.exists() and not Notice.objects.filter(kind="claim_recovery_return").exists()


def test_a_bank_officer_cannot_countersign(flow, paid, bank_officer):
    other_officer = make_user("officer2", paid.bank, Role.BANK_OFFICER)
    draft = prepare(flow, paid)
    for officer in (bank_officer, other_officer):
        with pytest.raises(Forbidden):
            services.recovery_countersign(by=officer, recovery=draft)
    assert Recovery.objects.get(pk=draft.pk).status == RS.DRAFT


def test_the_preparer_cannot_countersign_their_own_report(flow, paid):
    """Accounts now refuse one person both bank roles (so no such user can be made); the move's guard
    still refuses the preparer."""
    from django.db import transaction

    from compensation import guards

    with pytest.raises(ValidationFailed, match="四眼原则"), transaction.atomic():
        make_user("officer_supervisor", paid.bank, Role.BANK_OFFICER, Role.BANK_SUPERVISOR)
    draft = prepare(flow, paid)
    with pytest.raises(Forbidden, match=MSG_SAME_PERSON[:6]):
        guards.not_the_recovery_preparer(draft, flow.officer)
    guards.not_the_recovery_preparer(draft, flow.supervisor)
    assert services.recovery_countersign(by=flow.supervisor, recovery=draft).status == RS.REPORTED


def test_another_banks_supervisor_gets_404_in_the_service_and_on_the_page(
    flow, paid, bank_b_supervisor, client_for
):
    draft = prepare(flow, paid)
    with pytest.raises(NotFound):
        services.recovery_countersign(by=bank_b_supervisor, recovery=draft)
    c = client_for(bank_b_supervisor)
    for action in ("countersign", "update", "withdraw"):
        assert c.post(recovery_url(draft, action)).status_code == 404
    assert Recovery.objects.get(pk=draft.pk).status == RS.DRAFT


def test_a_supervisor_cannot_prepare_edit_or_withdraw(flow, paid):
    with pytest.raises(Forbidden):
        services.recovery_prepare(
            by=flow.supervisor, claim=paid, received_on=paid.payment_value_date, amount="1.00"
        )
    draft = prepare(flow, paid)
    with pytest.raises(Forbidden):
        services.recovery_update(
            by=flow.supervisor, recovery=draft, received_on=paid.payment_value_date, amount="2.00"
        )
    with pytest.raises(Forbidden):
        services.recovery_withdraw(by=flow.supervisor, recovery=draft)


def test_the_officer_edits_and_withdraws_a_draft(flow, paid):
    draft = prepare(flow, paid)
    draft = services.recovery_update(
        by=flow.officer,
        recovery=draft,
        received_on=paid.payment_value_date,
        amount="210000.00",
        costs="10000.00",
        description="补充：保证人代偿",
    )
    assert (draft.amount, draft.net_amount, draft.description) == (
        D("210000.00"),
        D("200000.00"),
        "补充：保证人代偿",
    )
    with pytest.raises(ValidationFailed):
        services.recovery_update(
            by=flow.officer, recovery=draft, received_on=paid.payment_value_date, amount="-1"
        )
    withdrawn = services.recovery_withdraw(by=flow.officer, recovery=draft)
    assert withdrawn.status == RS.WITHDRAWN
    with pytest.raises(Conflict):
        services.recovery_countersign(by=flow.supervisor, recovery=draft)
    assert not ReturnDue.objects.exists() and Claim.objects.get(pk=paid.pk).status == Claim.Status.PAID


@pytest.mark.parametrize("source", [RS.REPORTED, RS.SETTLED, RS.RECEIVED, RS.WITHDRAWN])
@pytest.mark.parametrize("action", ["countersign", "update", "withdraw"])
def test_only_a_draft_can_be_countersigned_edited_or_withdrawn(flow, paid, source, action):
    draft = prepare(flow, paid)
    Recovery.objects.filter(pk=draft.pk).update(status=source)
    call = {
        "countersign": lambda: services.recovery_countersign(by=flow.supervisor, recovery=draft),
        "update": lambda: services.recovery_update(
            by=flow.officer, recovery=draft, received_on=paid.payment_value_date, amount="1.00"
        ),
        "withdraw": lambda: services.recovery_withdraw(by=flow.officer, recovery=draft),
    }[action]
    with pytest.raises(Conflict):
        call()
    assert Recovery.objects.get(pk=draft.pk).status == source


def test_a_draft_on_a_claim_no_longer_paid_cannot_be_countersigned(flow, paid):
    draft = prepare(flow, paid)
    services.claim_rescind(by=flow.approver, claim=paid, reason="伪造还款记录")
    with pytest.raises(DomainError, match="不能报告追偿"):
        services.recovery_countersign(by=flow.supervisor, recovery=draft)


def test_a_claim_with_a_draft_waiting_for_countersign_cannot_be_closed(flow, paid):
    draft = prepare(flow, paid)
    with pytest.raises(DomainError, match="待银行复核"):
        services.claim_close(by=flow.approver, claim=paid, close_reason="write_off", reason="核销")
    services.recovery_withdraw(by=flow.officer, recovery=draft)
    assert (
        services.claim_close(by=flow.approver, claim=paid, close_reason="write_off", reason="核销").status
        == Claim.Status.CLOSED
    )


@pytest.mark.parametrize(
    "countersigned_on, late", [(dt.date(2026, 10, 10), False), (dt.date(2026, 10, 12), True)]
)
def test_the_report_deadline_is_judged_at_the_countersign_across_national_day(
    flow, paid, policy, countersigned_on, late
):
    Claim.objects.filter(pk=paid.pk).update(payment_value_date=dt.date(2026, 9, 1))
    paid.refresh_from_db()
    with at(dt.date(2026, 9, 29)):  # prepared in good time
        draft = services.recovery_prepare(
            by=flow.officer, claim=paid, received_on=dt.date(2026, 9, 28), amount="1000.00"
        )
    # 5 working days after Mon 28 Sep 2026 (1-7 Oct off, Sat 10 Oct worked): 29, 30 Sep, 8, 9, 10 Oct
    assert draft.report_due_on == dt.date(2026, 10, 10) and policy.recovery_report_workdays == 5
    with at(countersigned_on):
        recovery = services.recovery_countersign(by=flow.supervisor, recovery=draft)
    assert recovery.reported_late is late


def test_the_claim_page_lists_drafts_with_a_countersign_button_for_supervisors_only(flow, paid, client_for):
    draft = prepare(flow, paid, evidence=pdf_file("回单.pdf"))
    url = paid.get_absolute_url()
    supervisor_page = client_for(flow.supervisor).get(url).content.decode()
    assert (
        "待复核的追偿报告" in supervisor_page
        and "复核并报告" in supervisor_page
        and "data-confirm" in supervisor_page
    )
    assert recovery_url(draft, "countersign") in supervisor_page
    officer_page = client_for(flow.officer).get(url).content.decode()
    assert recovery_url(draft, "countersign") not in officer_page
    assert recovery_url(draft, "withdraw") in officer_page
    evidence = reverse("compensation:recovery_evidence", args=[draft.pk])
    assert client_for(flow.supervisor).get(evidence).status_code == 200
    refused = client_for(flow.officer).post(recovery_url(draft, "countersign"))
    assert Recovery.objects.get(pk=draft.pk).status == RS.DRAFT and refused.status_code == 403
    done = client_for(flow.supervisor).post(recovery_url(draft, "countersign"), follow=True)
    assert "追偿报告已复核并报告市监局" in done.content.decode()
    assert Recovery.objects.get(pk=draft.pk).status == RS.REPORTED


def test_supervisors_see_drafts_to_countersign_in_their_tasks(flow, paid, bank_b_supervisor):
    from compensation.portal import tasks

    draft = prepare(flow, paid)
    titles = [t["title"] for t in tasks(flow.supervisor)]
    assert any("复核追偿报告" in t and paid.reference in t for t in titles)
    assert not any("追偿" in t["title"] for t in tasks(flow.officer) + tasks(bank_b_supervisor))
    services.recovery_countersign(by=flow.supervisor, recovery=draft)
    assert not any("复核追偿报告" in t["title"] for t in tasks(flow.supervisor))


# --- the version in force on the day the recovery was received ---------------------------------------


@pytest.mark.parametrize(
    "received_on, report_days, return_days",
    [(dt.date(2025, 9, 24), 3, 7), (dt.date(2025, 9, 25), 5, 10)],
)
def test_recovery_deadlines_come_from_the_version_in_force_on_the_day_received(
    flow, loan, received_on, report_days, return_days
):
    from tests.compensation.test_recovery_pari_passu import paid_claim
    from yunfu_ipfund.common.dates import today
    from yunfu_ipfund.common.workdays import add_workdays
    from yunfu_ipfund.policy.models import PolicyVersion

    old = PolicyVersion.objects.get(effective_to=dt.date(2025, 9, 24))
    PolicyVersion.objects.filter(pk=old.pk).update(recovery_report_workdays=3, recovery_return_workdays=7)
    new = PolicyVersion.objects.get(effective_from=dt.date(2025, 9, 25))
    assert (new.recovery_report_workdays, new.recovery_return_workdays) == (5, 10)
    claim = paid_claim(flow, loan, unrecovered="600000.00", paid="192000.00", value_date=dt.date(2025, 9, 1))
    # the claim was first submitted under the old version: that does not pin its recovery deadlines
    Claim.objects.filter(pk=claim.pk).update(policy_version=old if received_on > old.effective_to else new)
    recovery = flow.recovery(Claim.objects.get(pk=claim.pk), amount="110000.00", received_on=received_on)
    assert recovery.report_due_on == add_workdays(received_on, report_days)
    assert recovery.return_due_on == add_workdays(today(), return_days)
    notice = Notice.objects.get(kind="claim_recovery_return", subject_id=str(recovery.pk))
    assert f"{return_days}个工作日内" in "".join(notice.context["paragraphs"])
