"""Two bureau people on every filing (DOMAIN.md Rulings, "Filings have two bureau people"): the clerk's
first review (初审通过, or 退回补正), then the approver, never the same person, confirms or refuses. The
review clock covers both steps; the "核准逾期备案" control only for a filing that was actually late."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from lenders import reminders, services
from lenders.models import CoveredLoan, LoanFiling
from tests.conftest import make_user, postgres_only, run_in_parallel
from tests.factories import ensure_policies
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.audit.workflow import available_move_names
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import Conflict, DomainError, Forbidden
from yunfu_ipfund.common.workdays import add_workdays
from yunfu_ipfund.notices.models import Notice, Reminder

from .conftest import make_filing, make_registration

S = LoanFiling.Status
SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY = dt.date(2026, 12, 1)  # a working day, with ten working days back to Nov 17 (no holiday)


def set_status(filing, status):
    """Put a draft in `status` (as if it had been submitted: with its review deadline)."""
    LoanFiling.objects.filter(pk=filing.pk).update(status=status, review_due_on=add_workdays(today(), 10))
    filing.refresh_from_db()
    return filing


def reminder(kind, filing):
    return Reminder.objects.get(kind=kind.code, subject_type="lenders.loanfiling", subject_id=str(filing.pk))


def url(filing, action=""):
    return f"/lenders/filings/{filing.pk}/{action + '/' if action else ''}"


@pytest.fixture
def both_roles(bureau):
    """One bureau person holding both the clerk's and the approver's roles (the four-eyes case)."""
    return make_user("bureau_both", bureau, Role.BUREAU_CLERK, Role.BUREAU_APPROVER, full_name="钱双岗")


# --- what was wrong: one bureau person confirmed cover -----------------------------------------------


def test_a_submitted_filing_cannot_be_confirmed_before_the_clerks_first_review(submitted, bureau_approver):
    with pytest.raises(DomainError) as exc:
        services.filing_confirm(by=bureau_approver, filing=submitted)
    assert exc.value.code == "wrong_state" and exc.value.status == 400
    assert "确认备案" in exc.value.message
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    assert not CoveredLoan.objects.exists()


def test_nor_refused_by_the_approver_alone(submitted, bureau_approver):
    with pytest.raises(DomainError) as exc:
        services.filing_refuse(by=bureau_approver, filing=submitted, reason="不符合条件")
    assert exc.value.code == "wrong_state"


def test_the_clerk_first_reviews_then_another_person_confirms(submitted, bureau_clerk, bureau_approver):
    reviewed = services.filing_first_review(by=bureau_clerk, filing=submitted, opinion=" 材料齐全 ")
    assert reviewed.status == S.FIRST_REVIEWED
    assert reviewed.get_status_display() == "初审通过，待审核"
    assert reviewed.first_reviewed_by == bureau_clerk and reviewed.first_reviewed_at is not None
    assert reviewed.first_review_opinion == "材料齐全"
    assert reviewed.checks_snapshot
    confirmed = services.filing_confirm(by=bureau_approver, filing=reviewed)
    assert confirmed.status == S.CONFIRMED and confirmed.decided_by == bureau_approver
    assert CoveredLoan.objects.filter(filing=confirmed).count() == 1
    trail = list(
        AuditEvent.objects.filter(object_type="lenders.loanfiling", object_id=str(submitted.pk))
        .exclude(to_state="")
        .order_by("id")
        .values_list("code", "actor_id", "to_state")
    )
    assert trail[-2:] == [
        ("lenders.loanfiling.first_review", bureau_clerk.pk, S.FIRST_REVIEWED),
        ("lenders.loanfiling.confirm", bureau_approver.pk, S.CONFIRMED),
    ]


# --- refusals: wrong role, same person, wrong state ------------------------------------------------


@pytest.mark.parametrize("who", ["bureau_approver", "bank_supervisor", "finance_user"])
def test_only_a_bureau_clerk_first_reviews(submitted, request, who):
    with pytest.raises(Forbidden) as exc:
        services.filing_first_review(by=request.getfixturevalue(who), filing=submitted)
    assert exc.value.status == 403
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_the_clerk_who_first_reviewed_never_confirms_or_refuses_it(submitted, both_roles):
    reviewed = services.filing_first_review(by=both_roles, filing=submitted)
    for decide in (
        lambda: services.filing_confirm(by=both_roles, filing=reviewed),
        lambda: services.filing_refuse(by=both_roles, filing=reviewed, reason="不符合条件"),
    ):
        with pytest.raises(Forbidden, match="四眼") as exc:
            decide()
        assert exc.value.code == "same_person" and exc.value.status == 403
    assert available_move_names(reviewed, both_roles) == set()
    reviewed.refresh_from_db()
    assert reviewed.status == S.FIRST_REVIEWED


def test_the_clerk_who_returned_it_never_refuses_it(submitted, both_roles):
    returned = services.filing_return(by=both_roles, filing=submitted, reasons=["放款凭证不清晰"])
    with pytest.raises(Forbidden, match="四眼"):
        services.filing_refuse(by=both_roles, filing=returned, reason="逾期未补正")


def test_another_approver_refuses_a_returned_filing(submitted, bureau_clerk, bureau_approver):
    returned = services.filing_return(by=bureau_clerk, filing=submitted, reasons=["放款凭证不清晰"])
    assert (
        services.filing_refuse(by=bureau_approver, filing=returned, reason="逾期未补正").status == S.REFUSED
    )


@pytest.mark.parametrize(
    ("source", "error"),
    [
        (S.DRAFT, DomainError),
        (S.SUBMITTED, None),
        (S.FIRST_REVIEWED, Conflict),
        (S.RETURNED, DomainError),
        (S.CONFIRMED, DomainError),
        (S.REFUSED, DomainError),
    ],
)
def test_first_review_from_each_state(draft, bureau_clerk, source, error):
    set_status(draft, source)
    if error:
        with pytest.raises(error) as exc:
            services.filing_first_review(by=bureau_clerk, filing=draft)
        assert type(exc.value) is error
    else:
        assert services.filing_first_review(by=bureau_clerk, filing=draft).status == S.FIRST_REVIEWED


def test_a_first_reviewed_filing_is_no_longer_returned_by_the_clerk(first_reviewed, bureau_clerk):
    """退回补正 is the first review's other outcome: once passed, the filing is the approver's."""
    with pytest.raises(DomainError) as exc:
        services.filing_return(by=bureau_clerk, filing=first_reviewed, reasons=["补正"])
    assert exc.value.code == "wrong_state"


def test_a_first_review_rechecks_the_rules(submitted, bureau_clerk, bureau_approver, bank_a_profile):
    services.bank_suspend(by=bureau_approver, bank=bank_a_profile, reason="整改")
    with pytest.raises(DomainError) as exc:
        services.filing_first_review(by=bureau_clerk, filing=submitted)
    assert "bank_active" in {d["rule"] for d in exc.value.details if "rule" in d}
    assert "不能初审通过" in exc.value.message
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_another_banks_user_cannot_reach_the_filing_page_actions(client_for, submitted, bank_b_officer):
    response = client_for(bank_b_officer).post(url(submitted, "first_review"))
    assert response.status_code == 404


# --- the review clock and the two to-dos -----------------------------------------------------------


def test_the_clerks_to_do_on_submission_the_approvers_after_the_first_review(
    submitted, bureau_clerk, bureau_approver, policy
):
    due = add_workdays(today(), policy.filing_review_workdays)
    clerk_todo = reminder(reminders.FILING_REVIEW, submitted)
    assert clerk_todo.recipient_role == Role.BUREAU_CLERK and clerk_todo.due_date == due
    assert not Reminder.objects.filter(kind=reminders.FILING_DECISION.code).exists()

    reviewed = services.filing_first_review(by=bureau_clerk, filing=submitted)
    assert reminder(reminders.FILING_REVIEW, reviewed).resolved_at is not None
    approver_todo = reminder(reminders.FILING_DECISION, reviewed)
    assert approver_todo.recipient_role == Role.BUREAU_APPROVER and approver_todo.resolved_at is None
    assert approver_todo.due_date == due == reviewed.review_due_on  # one review deadline for both steps

    services.filing_confirm(by=bureau_approver, filing=reviewed)
    assert reminder(reminders.FILING_DECISION, reviewed).resolved_at is not None


def test_a_refusal_resolves_the_approvers_to_do(first_reviewed, bureau_approver):
    services.filing_refuse(by=bureau_approver, filing=first_reviewed, reason="不符合条件")
    assert reminder(reminders.FILING_DECISION, first_reviewed).resolved_at is not None


def test_the_clock_paused_while_returned_carries_into_the_approvers_deadline(
    submitted, bureau_clerk, bank_supervisor, policy, time_machine
):
    time_machine.move_to(add_workdays(today(), 4).plain(), tick=False)
    returned = services.filing_return(by=bureau_clerk, filing=submitted, reasons=["质押合同缺少签章页"])
    time_machine.move_to(add_workdays(today(), 5).plain(), tick=False)
    again = services.filing_submit(by=bank_supervisor, filing=returned)
    left = policy.filing_review_workdays - 4
    assert again.review_due_on == add_workdays(today(), left)
    time_machine.move_to(add_workdays(today(), 1).plain(), tick=False)
    reviewed = services.filing_first_review(by=bureau_clerk, filing=again)
    # The first review does not restart the clock: the approver has what is left of the same deadline.
    assert reminder(reminders.FILING_DECISION, reviewed).due_date == again.review_due_on


@pytest.mark.parametrize(
    ("submitted_on", "due"),
    [
        (dt.date(2026, 12, 1), dt.date(2026, 12, 2)),  # Tuesday: the next working day
        (dt.date(2026, 12, 4), dt.date(2026, 12, 7)),  # Friday: one working day is Monday
    ],
)
def test_one_review_workday_is_the_next_working_day_for_both_to_dos(
    time_machine, draft, bank_supervisor, bureau_clerk, policy, submitted_on, due
):
    """`filing_review_workdays` of the version in force on the disbursement date, at its smallest."""
    from yunfu_ipfund.policy.models import PolicyVersion

    PolicyVersion.objects.filter(pk=policy.pk).update(filing_review_workdays=1)
    time_machine.move_to(dt.datetime.combine(submitted_on, dt.time(10), tzinfo=SHANGHAI), tick=False)
    filing = services.filing_submit(by=bank_supervisor, filing=draft)
    assert filing.review_due_on == due and reminder(reminders.FILING_REVIEW, filing).due_date == due
    filing = services.filing_first_review(by=bureau_clerk, filing=filing)
    assert reminder(reminders.FILING_DECISION, filing).due_date == due


def test_the_inbox_gives_the_clerk_the_first_review_and_the_approver_the_decision(
    submitted, bureau_clerk, bureau_approver
):
    from lenders import portal

    def titles(user):
        return [t["title"] for t in portal.tasks(user) if submitted.contract_number in t["title"]]

    assert [t[:4] for t in titles(bureau_clerk)] == ["初审备案"]
    assert titles(bureau_approver) == []
    services.filing_first_review(by=bureau_clerk, filing=submitted)
    assert titles(bureau_clerk) == []
    assert [t[:4] for t in titles(bureau_approver)] == ["审批备案"]


# --- the page: buttons exactly when the service admits the move, exact status codes ----------------


def test_the_clerk_sees_first_review_and_return_but_no_decision(client_for, submitted, bureau_clerk):
    body = client_for(bureau_clerk).get(url(submitted)).content.decode()
    assert url(submitted, "first_review") in body and url(submitted, "return") in body
    assert url(submitted, "confirm") not in body and url(submitted, "refuse") not in body


def test_the_approver_sees_no_button_before_the_first_review(client_for, submitted, bureau_approver):
    body = client_for(bureau_approver).get(url(submitted)).content.decode()
    for action in ("first_review", "return", "confirm", "refuse", "override"):
        assert url(submitted, action) not in body, action


def test_the_approver_sees_confirm_and_refuse_after_the_first_review(
    client_for, first_reviewed, bureau_approver, bureau_clerk
):
    body = client_for(bureau_approver).get(url(first_reviewed)).content.decode()
    assert url(first_reviewed, "confirm") in body and url(first_reviewed, "refuse") in body
    assert "初审通过" in body and bureau_clerk.full_name in body
    clerk_body = client_for(bureau_clerk).get(url(first_reviewed)).content.decode()
    for action in ("first_review", "return", "confirm", "refuse"):
        assert url(first_reviewed, action) not in clerk_body, action


def test_the_first_review_from_the_page(client_for, submitted, bureau_clerk):
    client = client_for(bureau_clerk)
    response = client.post(url(submitted, "first_review"), {"opinion": "材料齐全"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.FIRST_REVIEWED and submitted.first_review_opinion == "材料齐全"
    assert client.post(url(submitted, "first_review")).status_code == 409  # a repeat: somebody did it


@pytest.mark.parametrize(
    ("who", "action", "reviewed", "status"),
    [
        ("bureau_approver", "first_review", False, 403),  # wrong role
        ("bank_supervisor", "first_review", False, 403),
        ("bureau_clerk", "confirm", True, 403),
        ("bureau_clerk", "refuse", True, 403),
        ("bureau_approver", "confirm", False, 400),  # wrong state: no first review yet
        ("bureau_approver", "refuse", False, 400),
        ("bureau_clerk", "return", True, 400),  # wrong state: past the first review
        ("bureau_approver", "confirm", True, 302),
    ],
)
def test_page_refusals_have_exact_status_codes(
    client_for, submitted, bureau_clerk, request, who, action, reviewed, status
):
    if reviewed:
        services.filing_first_review(by=bureau_clerk, filing=submitted)
    response = client_for(request.getfixturevalue(who)).post(
        url(submitted, action), {"reason": "不符合条件", "reasons": "补正"}
    )
    assert response.status_code == status


def test_the_same_person_is_refused_on_the_page_with_403(client_for, submitted, both_roles):
    client = client_for(both_roles)
    assert client.post(url(submitted, "first_review")).status_code == 302
    assert client.post(url(submitted, "confirm")).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == S.FIRST_REVIEWED


# --- "核准逾期备案" only for a filing that was actually late ---------------------------------------


def test_the_approver_is_not_offered_the_late_override_for_a_filing_on_time(
    client_for, submitted, bureau_approver
):
    """The filing was submitted the day it was prepared (well within the filing deadline)."""
    body = client_for(bureau_approver).get(url(submitted)).content.decode()
    assert "核准逾期备案" not in body and url(submitted, "override") not in body
    assert services.filing_can_override_late(submitted, bureau_approver) is False


@pytest.fixture
def on_tuesday(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI), tick=False)


def reviewed_filing(officer, supervisor, clerk, registration, disbursed):
    filing = make_filing(
        officer, registration, disbursed_on=disbursed, maturity_on=disbursed + dt.timedelta(days=300)
    )
    services.filing_submit(by=supervisor, filing=filing)
    return services.filing_first_review(by=clerk, filing=filing)


@pytest.mark.parametrize(("extra_days", "late"), [(0, False), (1, True)])
def test_the_late_override_is_offered_only_past_the_filing_deadline(
    on_tuesday,
    client_for,
    bank_officer,
    bank_supervisor,
    bureau_clerk,
    bureau_approver,
    registration,
    policy,
    extra_days,
    late,
):
    """Submitted exactly `filing_deadline_workdays` working days after disbursement: on time, no control
    and the service refuses; one working day more: late, the control and the override."""
    disbursed = add_workdays(TUESDAY, -(policy.filing_deadline_workdays + extra_days)).plain()
    filing = reviewed_filing(bank_officer, bank_supervisor, bureau_clerk, registration, disbursed)
    body = client_for(bureau_approver).get(url(filing)).content.decode()
    assert (url(filing, "override") in body) is late
    assert ("核准逾期备案" in body) is late
    assert services.filing_can_override_late(filing, bureau_approver) is late
    if late:
        services.filing_override_late(by=bureau_approver, filing=filing, reason="银行系统故障，已核实")
        assert services.filing_confirm(by=bureau_approver, filing=filing).status == S.CONFIRMED
    else:
        with pytest.raises(DomainError, match="未超过") as exc:
            services.filing_override_late(by=bureau_approver, filing=filing, reason="理由")
        assert exc.value.code == "not_late"
        assert str(policy.filing_deadline_workdays) in exc.value.message and "第九条" in exc.value.message
        assert (
            client_for(bureau_approver).post(url(filing, "override"), {"reason": "理由"}).status_code == 400
        )


def test_the_clerk_is_never_offered_the_late_override(
    on_tuesday, client_for, bank_officer, bank_supervisor, bureau_clerk, registration, policy
):
    disbursed = add_workdays(TUESDAY, -(policy.filing_deadline_workdays + 1)).plain()
    filing = make_filing(
        bank_officer, registration, disbursed_on=disbursed, maturity_on=disbursed + dt.timedelta(days=300)
    )
    services.filing_submit(by=bank_supervisor, filing=filing)
    assert services.filing_can_override_late(filing, bureau_clerk) is False
    assert url(filing, "override") not in client_for(bureau_clerk).get(url(filing)).content.decode()
    assert client_for(bureau_clerk).post(url(filing, "override"), {"reason": "理由"}).status_code == 403


def test_a_late_first_reviewed_filing_needs_the_override_before_confirmation(
    on_tuesday, bank_officer, bank_supervisor, bureau_clerk, bureau_approver, registration, policy
):
    disbursed = add_workdays(TUESDAY, -(policy.filing_deadline_workdays + 1)).plain()
    filing = reviewed_filing(bank_officer, bank_supervisor, bureau_clerk, registration, disbursed)
    with pytest.raises(DomainError) as exc:
        services.filing_confirm(by=bureau_approver, filing=filing)
    assert "filing_deadline" in {d["rule"] for d in exc.value.details if "rule" in d}


# --- concurrency: real parallel transactions on PostgreSQL ----------------------------------------


def _outcomes(results):
    return [type(r).__name__ if isinstance(r, Exception) else "ok" for r in results]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_approvers_confirming_at_once_make_one_confirmation(
    enterprise_a, enterprise_a_profile, bank_a, bank_a_profile, enterprise_user, bank_officer,
    bank_supervisor, bureau_clerk, bureau_approver, bureau,
):  # fmt: skip
    ensure_policies()
    second = make_user("bureau_approver_2", bureau, Role.BUREAU_APPROVER, full_name="冯审核")
    filing = make_filing(bank_officer, make_registration(enterprise_a, bank_a, enterprise_user))
    services.filing_submit(by=bank_supervisor, filing=filing)
    services.filing_first_review(by=bureau_clerk, filing=filing)
    results = run_in_parallel(
        *[
            lambda u=u: services.filing_confirm(by=u, filing=LoanFiling.objects.get(pk=filing.pk))
            for u in (bureau_approver, second)
        ]
    )
    assert _outcomes(results) == ["ok", "ok"], results  # the later one is a no-op (the move's repeat)
    assert CoveredLoan.objects.filter(filing_id=filing.pk).count() == 1
    assert Notice.objects.filter(kind="lenders_filing_confirmation").count() == 1
    assert AuditEvent.objects.filter(code="lenders.loanfiling.confirm", object_id=str(filing.pk)).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_clerks_first_reviewing_at_once_one_wins_the_other_gets_a_conflict(
    enterprise_a, enterprise_a_profile, bank_a, bank_a_profile, enterprise_user, bank_officer,
    bank_supervisor, bureau_clerk, bureau,
):  # fmt: skip
    ensure_policies()
    second = make_user("bureau_clerk_2", bureau, Role.BUREAU_CLERK, full_name="陈经办")
    filing = make_filing(bank_officer, make_registration(enterprise_a, bank_a, enterprise_user))
    services.filing_submit(by=bank_supervisor, filing=filing)
    results = run_in_parallel(
        *[
            lambda u=u: services.filing_first_review(by=u, filing=LoanFiling.objects.get(pk=filing.pk))
            for u in (bureau_clerk, second)
        ]
    )
    assert sorted(_outcomes(results)) == ["Conflict", "ok"], results
    assert (
        AuditEvent.objects.filter(code="lenders.loanfiling.first_review", object_id=str(filing.pk)).count()
        == 1
    )
