"""Deadlines (supplement lapse, the public notice across the National Day week) and the 2020/2025
difference."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.utils import timezone

from compensation import services
from compensation.models import Claim, Objection
from yunfu_ipfund.common.errors import DomainError, ValidationFailed
from yunfu_ipfund.notices.models import Notice
from yunfu_ipfund.notices.services import sweep_reminders

from .conftest import make_loan

TZ = timezone.get_current_timezone()


def at(day, hour=9):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=TZ), tick=False)


def test_a_claim_not_resubmitted_by_the_supplement_deadline_lapses_with_a_notice(flow, loan, policy):
    with at(dt.date(2026, 9, 28)):
        loan = make_loan(loan.bank, loan.enterprise, flow.officer)
        claim = services.claim_request_supplement(
            by=flow.clerk, claim=flow.submitted(loan), items=[{"code": "D02", "note": "还款记录不清晰"}]
        )
        due = claim.supplements.get().due_on
    # 10 working days after Mon 28 Sep 2026 across the National Day week (1-7 Oct off, Sat 10 Oct worked):
    # 29, 30 Sep, 8, 9, 10 (Sat), 12, 13, 14, 15, 16 Oct
    assert due == dt.date(2026, 10, 16) and policy.supplement_workdays == 10
    with at(due):
        sweep_reminders()
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.SUPPLEMENT_REQUESTED
    with at(due + dt.timedelta(days=1)):
        sweep_reminders()
        sweep_reminders()  # a retried sweep does nothing twice
    claim.refresh_from_db()
    assert claim.status == Claim.Status.LAPSED
    assert Notice.objects.filter(kind="claim_lapse").count() == 1
    claim.covered_loan.refresh_from_db()
    assert claim.covered_loan.status == claim.covered_loan.Status.NON_PERFORMING


def test_a_resubmitted_claim_does_not_lapse_and_the_rounds_are_limited(flow, loan, policy):
    claim = services.claim_request_supplement(
        by=flow.clerk, claim=flow.submitted(loan), items=[{"code": "D01"}]
    )
    claim = services.claim_submit(by=flow.supervisor, claim=claim)
    assert claim.supplements.get().resubmitted_at is not None
    with pytest.raises(DomainError, match="补正次数"):
        services.claim_request_supplement(by=flow.clerk, claim=claim, items=[{"code": "D02"}])
    with at(claim.supplements.get().due_on + dt.timedelta(days=1)):
        sweep_reminders()
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.SUBMITTED


@pytest.mark.parametrize("items", [[], [{"code": "D09"}], [{"code": "ZZ"}]])
def test_a_supplement_request_needs_valid_itemised_codes(flow, loan, items):
    with pytest.raises(ValidationFailed):
        services.claim_request_supplement(by=flow.clerk, claim=flow.submitted(loan), items=items)


def test_the_public_notice_runs_five_working_days_across_national_day_then_the_approver_decides(flow, loan):
    with at(dt.date(2026, 9, 28)):
        claim = flow.approved(make_loan(loan.bank, loan.enterprise, flow.officer))
        batch = services.notice_batch_publish(by=flow.clerk)
    # Mon 28, Tue 29, Wed 30 Sep, then 1-7 Oct off, Thu 8 and Fri 9 Oct: the fifth working day is 9 Oct
    assert (batch.starts_on, batch.ends_on) == (dt.date(2026, 9, 28), dt.date(2026, 10, 9))
    with at(dt.date(2026, 10, 9), 18):
        sweep_reminders()
        with pytest.raises(DomainError, match="期满后方可"):
            services.claim_decide(by=flow.approver, claim=claim)
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PUBLIC_NOTICE
    with at(dt.date(2026, 10, 10)):  # Saturday, a make-up working day
        sweep_reminders()
        assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PUBLIC_NOTICE  # the sweep never decides
        services.claim_decide(by=flow.approver, claim=claim)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DECIDED and claim.commitment is not None
    decision = Notice.objects.get(kind="claim_decision")
    assert (
        decision.context["amount"] == "192,000.00"
        and decision.context["amount_capitals"] == "人民币壹拾玖万贰仟元整"
    )


def test_publication_on_a_holiday_starts_the_period_on_the_next_working_day(flow, loan):
    claim = flow.approved(loan)
    with at(dt.date(2026, 10, 3)):
        batch = services.notice_batch_publish(by=flow.clerk, claims=[claim])
    # Thu 8, Fri 9, Sat 10 (make-up working day), Mon 12, Tue 13 Oct
    assert (batch.starts_on, batch.ends_on) == (dt.date(2026, 10, 8), dt.date(2026, 10, 13))


def test_a_founded_objection_sends_the_claim_back_to_second_review(flow, loan):
    claim = flow.published(loan)
    objection = services.objection_submit(
        claim=claim,
        name="张三",
        contact="13800000000",
        content="<script>该企业仍在正常经营，并未停止还款</script>",
        ip="10.0.0.1",
    )
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PUBLIC_NOTICE  # the clerk rules first
    services.objection_rule(
        by=flow.clerk, objection=objection, outcome=Objection.Outcome.FOUNDED, reason="经核实，企业仍在还款"
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.FIRST_REVIEWED and claim.second_reviewer is None
    assert Objection.objects.get().pk == objection.pk
    with pytest.raises(DomainError, match="不在公示期内"):
        services.objection_submit(
            claim=claim, name="李四", contact="x@example.com", content="再次提出异议：该企业仍在正常经营"
        )
    claim = services.claim_approve(by=flow.approver, claim=claim, reason="已核实异议，重新复审")
    assert claim.status == Claim.Status.APPROVED


@pytest.mark.parametrize(
    "field, value", [("name", ""), ("contact", " "), ("content", ""), ("content", "字" * 2001)]
)
def test_an_objection_needs_name_contact_and_bounded_content(flow, loan, field, value):
    claim = flow.published(loan)
    data = {"name": "张三", "contact": "13800000000", "content": "异议", field: value}
    with pytest.raises(ValidationFailed):
        services.objection_submit(claim=claim, **data)


def test_under_the_2020_measures_a_joint_meeting_comes_before_the_decision(
    flow, bank_a, enterprise_a, bank_officer
):
    with at(dt.date(2025, 6, 2)):
        loan = make_loan(bank_a, enterprise_a, bank_officer)
        claim = flow.reviewed(loan)
        assert claim.policy_version.code == "2020" and claim.policy_version.requires_joint_meeting
        with pytest.raises(DomainError, match="联席会议"):
            services.claim_approve(by=flow.approver, claim=claim, reason="同意")
        claim = services.claim_joint_meeting(
            by=flow.approver,
            claim=claim,
            meeting_on=dt.date(2025, 6, 2),
            minutes_reference="云联席〔2025〕3号",
            opinion="同意补偿",
        )
        claim = services.claim_approve(by=flow.approver, claim=claim, reason="同意")
    assert claim.status == Claim.Status.APPROVED and claim.joint_meeting_minutes == "云联席〔2025〕3号"


def test_under_the_2025_measures_there_is_no_joint_meeting(flow, loan):
    claim = flow.reviewed(loan)
    assert not claim.policy_version.requires_joint_meeting
    with pytest.raises(DomainError, match="不设联席会议"):
        services.claim_joint_meeting(
            by=flow.approver, claim=claim, meeting_on=dt.date(2026, 1, 5), minutes_reference="x", opinion="y"
        )
    assert services.claim_approve(by=flow.approver, claim=claim, reason="同意").approved_amount == D(
        "192000.00"
    )


def test_a_claim_submitted_under_2020_is_reviewed_under_2025_after_the_2025_measures_start(
    flow, bank_a, enterprise_a, bank_officer
):
    """The version in force on the day of the step judges the step (DOMAIN, Rulings; docs/adr/0003): a
    2020-version claim still in review after 2025-09-25 needs no joint meeting from that day on."""
    with at(dt.date(2025, 9, 22)):
        loan = make_loan(bank_a, enterprise_a, bank_officer)
        claim = flow.submitted(loan)
    with at(dt.date(2025, 10, 13)):
        claim = services.claim_accept(by=flow.clerk, claim=claim)
        claim = services.claim_first_review(by=flow.clerk, claim=claim, opinion="同意")
        assert services.policy_of(claim).code == "2025"
        with pytest.raises(DomainError, match="不设联席会议"):
            services.claim_joint_meeting(
                by=flow.approver,
                claim=claim,
                meeting_on=dt.date(2025, 10, 13),
                minutes_reference="x",
                opinion="y",
            )
        claim = services.claim_approve(by=flow.approver, claim=claim, reason="同意")
    assert claim.status == Claim.Status.APPROVED and claim.joint_meeting_on is None
    assert claim.policy_version.code == "2020"  # the version at first submission, kept for the record


# --- the per-bank cap period (per_bank_cap_period) -------------------------------------------------------


def approved_on(flow, bank_a, enterprise_a, bank_officer, day):
    with at(day):
        return flow.approved(make_loan(bank_a, enterprise_a, bank_officer))


@pytest.mark.parametrize(
    "period, second_review_on, amount",
    [
        # calendar year: the 2026 claim does not count in 2027
        ("calendar_year", dt.date(2027, 1, 4), D("192000.00")),
        ("calendar_year", dt.date(2026, 12, 31), D("58000.00")),
        # rolling 12 months: 2 Mar 2026 still counts on 1 Mar 2027, no longer on 2 Mar 2027
        ("rolling_12_months", dt.date(2027, 1, 4), D("58000.00")),
        ("rolling_12_months", dt.date(2027, 3, 1), D("58000.00")),
        ("rolling_12_months", dt.date(2027, 3, 2), D("192000.00")),
    ],
)
def test_the_per_bank_cap_counts_the_period_the_version_sets(
    flow, bank_a, enterprise_a, bank_officer, period, second_review_on, amount
):
    from yunfu_ipfund.policy.models import PolicyVersion

    PolicyVersion.objects.filter(code="2025").update(
        per_bank_compensation_cap=D("250000.00"), per_bank_cap_period=period
    )
    first = approved_on(flow, bank_a, enterprise_a, bank_officer, dt.date(2026, 3, 2))
    assert first.approved_amount == D("192000.00")
    second = approved_on(flow, bank_a, enterprise_a, bank_officer, second_review_on)
    # 480,000 x 40 % = 192,000, or what is left of the 250,000 cap: 250,000 - 192,000 = 58,000
    assert second.approved_amount == amount
    assert ("per_bank_cap" in second.computation["capped_by"]) == (amount == D("58000.00"))


def test_the_public_notice_cites_the_measures_its_claims_are_judged_under_by_their_title(flow, loan):
    claim = flow.approved(loan)
    batch = services.notice_batch_publish(by=flow.clerk)
    notice = Notice.objects.get(kind="claim_public_notice", subject_id=str(batch.pk))
    title = services.policy_of(claim).title
    assert notice.context["paragraphs"] == [f"根据《{title}》的规定，现将拟予风险补偿的项目公示如下："]
