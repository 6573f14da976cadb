"""A person decides (Rulings, December 2026): once the public notice period has ended and no objection
awaits a ruling, the bureau approver issues the decision from the claim page; the sweep only reminds
the approver and escalates when `decision_workdays` have passed, it never decides."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from compensation import reminders, services
from compensation.models import Claim
from tests.conftest import make_user, postgres_only, run_in_parallel
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common.errors import Conflict, DomainError, Forbidden
from yunfu_ipfund.common.workdays import add_workdays
from yunfu_ipfund.notices.models import Message, Notice
from yunfu_ipfund.notices.reminders import open_reminders
from yunfu_ipfund.notices.services import sweep_reminders

from .conftest import Flow, ensure_policies, make_loan

S = Claim.Status
TZ = timezone.get_current_timezone()
MONDAY = dt.date(2026, 11, 16)  # published: the period runs Mon 16 to Fri 20 Nov 2026
ENDS = dt.date(2026, 11, 20)
OBJECTION = {
    "name": "张三",
    "contact": "13800000000",
    "content": "该企业质押的专利已于去年转让他人，请核实。",
}


def at(day, hour=9):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=TZ), tick=False)


def published(flow, loan):
    with at(MONDAY):
        claim = flow.published(make_loan(loan.bank, loan.enterprise, flow.officer))
    assert claim.batch.ends_on == ENDS
    return claim


def action(claim, name):
    return reverse("compensation:claim_action", args=[claim.pk, name])


def test_the_sweep_never_decides_after_the_period(flow, loan):
    claim = published(flow, loan)
    for day in (dt.date(2026, 11, 23), dt.date(2026, 11, 30), dt.date(2026, 12, 7)):
        with at(day):
            sweep_reminders()
    claim.refresh_from_db()
    assert claim.status == S.PUBLIC_NOTICE and claim.decided_at is None
    assert not AuditEvent.objects.filter(code="compensation.claim.decide").exists()
    assert not Notice.objects.filter(kind="claim_decision").exists()


def test_the_approver_decides_from_the_claim_page_once_the_period_has_ended(client_for, flow, loan):
    claim = published(flow, loan)
    with at(ENDS, 17):
        page = client_for(flow.approver).get(claim.get_absolute_url()).content.decode()
        assert "作出补偿决定</button>" not in page
        assert client_for(flow.approver).post(action(claim, "decide")).status_code == 400
    with at(dt.date(2026, 11, 23)):  # the first working day after the period
        page = client_for(flow.approver).get(claim.get_absolute_url()).content.decode()
        assert "作出补偿决定</button>" in page
        assert (
            "作出补偿决定</button>"
            not in client_for(flow.clerk).get(claim.get_absolute_url()).content.decode()
        )
        todo = client_for(flow.approver).get(reverse("accounts:tasks")).content.decode()
        assert f"作出补偿决定：{claim.reference}" in todo
        assert client_for(flow.approver).post(action(claim, "decide")).status_code == 302
    claim.refresh_from_db()
    assert claim.status == S.DECIDED and claim.commitment is not None
    event = AuditEvent.objects.get(code="compensation.claim.decide")
    assert event.actor == flow.approver and event.actor_name != "系统"
    assert event.from_state == S.PUBLIC_NOTICE and event.to_state == S.DECIDED
    decision = Notice.objects.get(kind="claim_decision")
    assert decision.context["amount"] == "192,000.00"
    assert not open_reminders(kind=reminders.PUBLICITY_END, about=claim).exists()


@pytest.mark.parametrize("who", ["clerk", "finance", "bank_supervisor", "none"])
def test_only_the_approver_decides(flow, loan, bank_supervisor, who):
    claim = published(flow, loan)
    user = {"clerk": flow.clerk, "finance": flow.finance, "bank_supervisor": bank_supervisor, "none": None}[
        who
    ]
    with at(dt.date(2026, 11, 23)):
        with pytest.raises(Forbidden):
            services.claim_decide(by=user, claim=claim)
    assert Claim.objects.get(pk=claim.pk).status == S.PUBLIC_NOTICE


def test_the_decision_page_refuses_the_wrong_people_with_their_status(client_for, flow, loan, bank_b_officer):
    claim = published(flow, loan)
    with at(dt.date(2026, 11, 23)):
        assert client_for(flow.clerk).post(action(claim, "decide")).status_code == 403
        assert client_for(flow.finance).post(action(claim, "decide")).status_code == 403
        assert client_for(bank_b_officer).post(action(claim, "decide")).status_code == 404
        assert client_for(flow.approver).post(action(claim, "decide")).status_code == 302
        # Twice (a second tab): the claim moved on, the workflow's conflict.
        assert client_for(flow.approver).post(action(claim, "decide")).status_code == 409


def test_an_objection_awaiting_a_ruling_blocks_the_decision(client_for, flow, loan):
    claim = published(flow, loan)
    with at(ENDS):
        objection = services.objection_submit(claim=claim, **OBJECTION)
    with at(dt.date(2026, 11, 23)):
        with pytest.raises(DomainError) as refused:
            services.claim_decide(by=flow.approver, claim=claim)
        assert refused.value.code == "objection_pending" and refused.value.status == 400
        assert "尚有 1 件待" in refused.value.message
        response = client_for(flow.approver).post(action(claim, "decide"))
        assert response.status_code == 400 and "全部认定后方可作出补偿决定" in response.content.decode()
        back = client_for(flow.approver).post(action(claim, "decide"), HTTP_REFERER=claim.get_absolute_url())
        assert back.status_code == 302  # back to the claim page, with the message
        assert (
            f"作出补偿决定：{claim.reference}"
            not in client_for(flow.approver).get(reverse("accounts:tasks")).content.decode()
        )
        services.objection_rule(
            by=flow.clerk, objection=objection, outcome="unfounded", reason="经核实不成立"
        )
        claim = services.claim_decide(by=flow.approver, claim=claim)
    assert claim.status == S.DECIDED
    paragraph = Notice.objects.get(kind="claim_decision").context["paragraphs"][0]
    assert "异议经核实不成立" in paragraph and "无异议" not in paragraph
    assert AuditEvent.objects.get(code="compensation.claim.decide").reason == "公示期满，异议均已认定不成立"


def test_the_decision_is_due_decision_workdays_after_the_period_and_then_escalated(flow, loan, policy):
    policy.decision_workdays = 2
    policy.save()
    claim = published(flow, loan)
    (todo,) = open_reminders(kind=reminders.PUBLICITY_END, about=claim)
    # Two working days after Fri 20 Nov: Mon 23, Tue 24 (not five, not Wed 25).
    assert todo.due_date == dt.date(2026, 11, 24) == add_workdays(ENDS, policy.decision_workdays)
    assert todo.recipient_role == Role.BUREAU_APPROVER and not todo.action
    Message.objects.all().delete()
    with at(dt.date(2026, 11, 23)):
        sweep_reminders()
    assert Message.objects.filter(recipient=flow.approver, title__startswith="【提醒】").count() == 1
    with at(dt.date(2026, 11, 24)):  # the due day: reminded, not escalated
        sweep_reminders()
    todo.refresh_from_db()
    assert todo.escalated_at is None
    with at(dt.date(2026, 11, 25)):  # one day late: escalated, still not decided
        sweep_reminders()
    todo.refresh_from_db()
    assert todo.escalated_at is not None and todo.resolved_at is None
    assert Message.objects.filter(title__startswith="【逾期督办】").exists()
    assert Claim.objects.get(pk=claim.pk).status == S.PUBLIC_NOTICE


def test_a_published_demo_day_in_the_past_is_audited_and_not_in_the_future(flow, loan):
    claim = flow.approved(loan)
    from yunfu_ipfund.common.dates import today

    with pytest.raises(DomainError):
        services.notice_batch_publish(by=flow.clerk, claims=[claim], on=today() + dt.timedelta(days=1))
    day = add_workdays(today(), -8)
    batch = services.notice_batch_publish(by=flow.clerk, claims=[claim], on=day)
    assert batch.starts_on == day and batch.ends_on < today()
    event = AuditEvent.objects.get(code="compensation.publicnoticebatch.publish")
    assert event.data["published_on"] == day.isoformat() and day.isoformat() in event.reason
    claim = services.claim_decide(by=flow.approver, claim=claim)
    assert claim.status == S.DECIDED


# --- twice at once ----------------------------------------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_approvers_deciding_at_once_decide_once(
    bank_a, enterprise_a, bank_officer, bank_supervisor, bureau_clerk, bureau_approver, finance_user, bureau
):
    from fund.models import Commitment

    ensure_policies()
    flow = Flow(bank_officer, bank_supervisor, bureau_clerk, bureau_approver, finance_user)
    other = make_user("approver2", bureau, Role.BUREAU_APPROVER)
    claim = flow.approved(make_loan(bank_a, enterprise_a, bank_officer))
    from yunfu_ipfund.common.dates import today

    services.notice_batch_publish(by=flow.clerk, claims=[claim], on=add_workdays(today(), -8))
    results = run_in_parallel(
        lambda: services.claim_decide(by=flow.approver, claim=claim),
        lambda: services.claim_decide(by=other, claim=claim),
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], Conflict) and refused[0].status == 409
    assert Claim.objects.get(pk=claim.pk).status == S.DECIDED
    assert AuditEvent.objects.filter(code="compensation.claim.decide").count() == 1
    assert Notice.objects.filter(kind="claim_decision").count() == 1
    assert Commitment.objects.filter(key=f"claim-{claim.pk}-commitment").count() == 1


def test_the_commitment_made_by_the_decision_names_the_approver(flow, loan):
    """The fund journal's 登记人 of the commitment a decision makes is the approver who decided, not 系统."""
    from fund.models import Commitment

    claim = flow.decided(loan)
    commitment = Commitment.objects.get(pk=claim.commitment_id)
    assert commitment.created_by == flow.approver
