"""The bureau's review: the clerk's first review (one opinion per rule), the joint meeting where the
version in force on the day of the step has one (the 2020 Measures, until 2025-09-24), and the
approver's second review (never the first reviewer): approval in full, in part with itemised
reductions, or refusal, within the caps of the version in force on the day of the second review."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.dates import add_months
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.common.money import to_money
from yunfu_ipfund.common.parsing import parse_text
from yunfu_ipfund.notices.reminders import reminder_resolve
from yunfu_ipfund.policy.models import CapPeriod

from .. import actions, documents, reminders
from ..amounts import Reduction, compute_compensation
from ..evidence import REDUCTION, deficiency
from ..models import Claim, ClaimReduction, ClaimReview
from .common import (
    fund_available,
    issue,
    loan_move,
    move,
    now,
    policy_of,
    remind,
    require_move,
    required_date,
)
from .rules import claim_checks

MSG_PARTIAL_NEEDS_REDUCTIONS = "部分补偿须列明核减事项（问题代码、核减金额和依据条款）。"
MSG_FULL_NO_REDUCTIONS = "全额补偿不应有核减事项；如需核减，请选择部分补偿。"
MSG_REASON_REQUIRED = "请填写理由。"
MSG_OPINION_REQUIRED = "请填写审查意见。"
MSG_BAD_OUTCOME = "复审结论无效。"
MSG_MINUTES_REQUIRED = "请填写会议纪要文号。"
MSG_MEETING_IN_FUTURE = "联席会议日期不能晚于今天。"

S = Claim.Status


def _opinion(value):
    return parse_text(value, field="审查意见", message=MSG_OPINION_REQUIRED)


@transaction.atomic
def claim_first_review(*, by, claim, opinion, rule_opinions=None):
    """The clerk's first review: an overall opinion and one opinion per rule (rule code -> note)."""
    require_move(Claim, "first_review", by)
    opinion = _opinion(opinion)
    notes = rule_opinions or {}
    rows = [
        {
            "rule": c.rule,
            "label": c.label,
            "outcome": c.outcome,
            "message": c.message,
            "article": c.article,
            "opinion": (notes.get(c.rule) or "").strip()[:1000],
        }
        for c in claim_checks(claim)
    ]
    claim = move(claim, "first_review", by=by, reason=opinion, first_reviewer=by, first_reviewed_at=now())
    ClaimReview.objects.create(
        claim=claim, stage=ClaimReview.Stage.FIRST, reviewer=by, opinion=opinion, rule_opinions=rows
    )
    reminder_resolve(kind=reminders.REVIEW, about=claim)
    remind(
        reminders.SECOND_REVIEW,
        claim,
        title=f"补偿申请 {claim.reference} 待复审",
        due_date=claim.review_due_on or local_today(),
        recipient_role=Role.BUREAU_APPROVER,
    )
    return claim


@transaction.atomic
def claim_joint_meeting(*, by, claim, meeting_on, minutes_reference, opinion):
    """Under a policy version with a joint-meeting office (2020 Measures), the approver records its
    deliberation (the move `record_joint_meeting`: who may, and under which version, is declared there)."""
    require_move(Claim, "record_joint_meeting", by)
    meeting_on = required_date(meeting_on, field="会议日期")
    if meeting_on > local_today():
        raise ValidationFailed(MSG_MEETING_IN_FUTURE, code="future_date")
    minutes = parse_text(
        minutes_reference, field="会议纪要文号", message=MSG_MINUTES_REQUIRED, max_length=100
    )
    opinion = _opinion(opinion)
    claim = move(
        claim,
        "record_joint_meeting",
        by=by,
        reason=opinion,
        joint_meeting_on=meeting_on,
        joint_meeting_minutes=minutes,
    )
    ClaimReview.objects.create(
        claim=claim,
        stage=ClaimReview.Stage.JOINT_MEETING,
        reviewer=by,
        opinion=opinion,
        rule_opinions=[{"meeting_on": str(meeting_on), "minutes": minutes}],
    )
    return claim


def cap_period_start(policy, day):
    """The first day of the per-bank cap period that contains `day` (the version's per_bank_cap_period):
    1 January of its year, or the day after the same day twelve months earlier."""
    if policy.per_bank_cap_period == CapPeriod.ROLLING_12_MONTHS:
        return add_months(day, -12) + dt.timedelta(days=1)
    return dt.date(day.year, 1, 1)


def bank_cap_remaining(claim, policy, *, on):
    """What is left of the policy's per-bank compensation cap in the period containing `on` (the day of
    the second review; None when the policy sets no cap): the cap less the amounts of the bank's other
    claims approved at a second review in that period and not refused or rescinded since."""
    if policy.per_bank_compensation_cap is None:
        return None
    start = dt.datetime.combine(
        cap_period_start(policy, on), dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    end = dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone())
    used = Claim.objects.filter(
        bank_id=claim.bank_id, second_reviewed_at__gte=start, second_reviewed_at__lt=end
    ).filter(status__in=(S.APPROVED, S.PUBLIC_NOTICE, *Claim.DECIDED_STATES)).exclude(pk=claim.pk).aggregate(
        s=Sum("approved_amount")
    )["s"] or Decimal("0")
    return policy.per_bank_compensation_cap - used


def claim_compute(claim, reductions=(), *, on=None):
    """The computation for `claim` with `reductions` (Reduction tuples), as of a second review on `on`
    (today by default).

    The fund's share is the one the filing confirmation (备案确认书) fixed for this loan, under the version
    in force on its disbursement (stored on the covered loan); the caps come from the version in force on
    the day of the second review (docs/adr/0003-which-policy-version-judges-what.md)."""
    on = on or local_today()
    policy = policy_of(claim, on=on)
    loan = claim.covered_loan
    return compute_compensation(
        unrecovered_principal=claim.unrecovered_principal,
        loan_amount=loan.amount,
        covered_amount=loan.covered_amount,
        fund_share=loan.fund_share,
        per_loan_cap=policy.per_loan_compensation_cap,
        per_bank_cap_remaining=bank_cap_remaining(claim, policy, on=on),
        available=fund_available(),
        reductions=reductions,
    )


def _reductions(outcome, rows):
    items = []
    for row in rows or ():
        d = deficiency(row.get("code"), use=REDUCTION)
        items.append(Reduction(d.code, to_money(row.get("amount"), allow_zero=False), d.article, d.label))
    if outcome == Claim.Outcome.PARTIAL and not items:
        raise ValidationFailed(MSG_PARTIAL_NEEDS_REDUCTIONS, code="reductions_required")
    if outcome != Claim.Outcome.PARTIAL and items:
        raise ValidationFailed(MSG_FULL_NO_REDUCTIONS, code="no_reductions")
    return items


def _note_of(rows, code):
    return next((x.get("note", "") for x in rows if (x.get("code") or "").upper() == code), "")


@transaction.atomic
def claim_second_review(*, by, claim, outcome, reason, reductions=()):
    """The approver (never the first reviewer) approves in full, in part (itemised reductions), or rejects.

    reductions: [{"code": "D05", "amount": "30000.00", "note": "..."}] (partial approval only).
    """
    require_move(Claim, "approve", by)
    reason = parse_text(reason, field="复审意见或理由", message=MSG_REASON_REQUIRED)
    if outcome not in Claim.Outcome.values:
        raise ValidationFailed(MSG_BAD_OUTCOME, code="bad_outcome")
    today = local_today()
    policy = policy_of(claim, on=today)  # the caps: the version in force on the day of the second review
    items = _reductions(outcome, reductions)
    stamps = {
        "second_reviewer": by,
        "second_reviewed_at": now(),
        "outcome": outcome,
        "outcome_reason": reason,
    }
    if outcome == Claim.Outcome.REJECT:
        claim = move(claim, "reject", by=by, reason=reason, **stamps)
        ClaimReview.objects.create(
            claim=claim, stage=ClaimReview.Stage.SECOND, reviewer=by, outcome=outcome, opinion=reason
        )
        loan_move(
            claim,
            claim.covered_loan.Status.NON_PERFORMING,
            by=by,
            reason=f"补偿申请 {claim.reference} 不予补偿",
        )
        reminder_resolve(kind=reminders.SECOND_REVIEW, about=claim)
        issue(
            documents.REFUSAL,
            claim,
            documents.refusal(claim, policy=policy, reason=reason),
            by=by,
            addressee=claim.bank,
        )
        return claim

    computation = claim_compute(claim, items, on=today)
    claim = move(
        claim,
        "approve",
        by=by,
        action=actions.APPROVE_BY_OUTCOME[outcome],
        reason=reason,
        computation=computation.as_dict(),
        approved_amount=computation.amount,
        data={"amount": computation.amount, "reductions": [r.code for r in items]},
        **stamps,
    )
    review = ClaimReview.objects.create(
        claim=claim, stage=ClaimReview.Stage.SECOND, reviewer=by, outcome=outcome, opinion=reason
    )
    # A second review after an objection replaces the earlier reductions.
    ClaimReduction.objects.filter(claim=claim).delete()
    ClaimReduction.objects.bulk_create(
        ClaimReduction(
            claim=claim,
            review=review,
            code=r.code,
            label=r.label,
            article=r.article,
            amount=r.amount,
            note=_note_of(reductions, r.code),
        )
        for r in items
    )
    reminder_resolve(kind=reminders.SECOND_REVIEW, about=claim)
    return claim


def claim_approve(*, by, claim, reason, reductions=()):
    outcome = Claim.Outcome.PARTIAL if reductions else Claim.Outcome.FULL
    return claim_second_review(by=by, claim=claim, outcome=outcome, reason=reason, reductions=reductions)


def claim_reject(*, by, claim, reason):
    return claim_second_review(by=by, claim=claim, outcome=Claim.Outcome.REJECT, reason=reason)
