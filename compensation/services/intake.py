"""The bureau's intake (completeness check): the clerk accepts a submitted claim or returns it for
supplement with itemised deficiencies; a claim not resubmitted by the deadline lapses (the sweep)."""

from django.db import transaction
from django.utils import timezone

from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError, ValidationFailed
from yunfu_ipfund.common.workdays import add_workdays
from yunfu_ipfund.notices.reminders import reminder_resolve
from yunfu_ipfund.notices.services import register_action

from .. import documents, reminders
from ..evidence import SUPPLEMENT, deficiency
from ..models import Claim, SupplementRequest
from .common import issue, loan_move, move, now, policy_of, remind, require_move

MSG_SUPPLEMENT_ITEMS = "请至少列出一项需补充的材料或问题。"
MSG_NOT_DUE = "补正期限为 {due}，尚未届满。"

S = Claim.Status


@transaction.atomic
def claim_accept(*, by, claim):
    policy = policy_of(claim)
    due = add_workdays(local_today(), policy.substantive_review_workdays)
    claim = move(claim, "accept", by=by, accepted_by=by, accepted_at=now(), review_due_on=due)
    reminder_resolve(kind=reminders.INTAKE, about=claim)
    submitted_on = timezone.localtime(claim.submitted_at).date()
    context = documents.acceptance(claim, policy=policy, submitted_on=submitted_on, review_due=due)
    issue(documents.ACCEPTANCE, claim, context, by=by, addressee=claim.bank)
    remind(
        reminders.REVIEW,
        claim,
        title=f"补偿申请 {claim.reference} 待审查",
        due_date=due,
        recipient_role=Role.BUREAU_CLERK,
    )
    return claim


@transaction.atomic
def claim_request_supplement(*, by, claim, items):
    """Return the claim for supplement with itemised deficiency codes: [{"code": "D01", "note": "..."}]."""
    require_move(Claim, "request_supplement", by)
    policy = policy_of(claim)
    rows = []
    for item in items or ():
        d = deficiency(item.get("code"), use=SUPPLEMENT)
        rows.append(
            {
                "code": d.code,
                "label": d.label,
                "article": d.article,
                "note": (item.get("note") or "").strip()[:500],
            }
        )
    if not rows:
        raise ValidationFailed(MSG_SUPPLEMENT_ITEMS, code="items_required")
    due = add_workdays(local_today(), policy.supplement_workdays)
    claim = move(
        claim,
        "request_supplement",
        by=by,
        reason="；".join(f"{r['code']} {r['label']}" for r in rows),
        data={"items": rows, "due_on": due},
    )
    round_number = SupplementRequest.objects.filter(claim=claim).count() + 1
    SupplementRequest.objects.create(claim=claim, round=round_number, items=rows, due_on=due, requested_by=by)
    reminder_resolve(kind=reminders.INTAKE, about=claim)
    context = documents.supplement(claim, policy=policy, due=due, rows=rows, round_number=round_number)
    issue(documents.SUPPLEMENT, claim, context, by=by, addressee=claim.bank)
    remind(
        reminders.SUPPLEMENT,
        claim,
        title=f"补偿申请 {claim.reference} 须在期限内补充材料",
        due_date=due,
        recipient_role=Role.BANK_OFFICER,
        recipient_org=claim.bank,
        action=reminders.ACTION_SUPPLEMENT_LAPSE,
    )
    return claim


@register_action(reminders.ACTION_SUPPLEMENT_LAPSE)
def _supplement_lapse_action(reminder):
    claim = Claim.objects.filter(pk=reminder.subject_id).first()
    if claim is None or claim.status != S.SUPPLEMENT_REQUESTED:
        return True
    claim_lapse(by=None, claim=claim)
    return True


@transaction.atomic
def claim_lapse(*, by, claim):
    """A claim not resubmitted by the supplement deadline lapses (run by the reminder sweep)."""
    supplement = SupplementRequest.objects.filter(claim=claim).order_by("-round").first()
    if supplement is None or local_today() <= supplement.due_on:
        raise DomainError(MSG_NOT_DUE.format(due=supplement.due_on if supplement else "—"), code="not_due")
    claim = move(claim, "lapse", by=by, reason=f"补正期限 {supplement.due_on} 已届满")
    loan_move(
        claim, claim.covered_loan.Status.NON_PERFORMING, by=by, reason=f"补偿申请 {claim.reference} 终止办理"
    )
    context = documents.lapse(
        claim, requested_on=timezone.localtime(supplement.requested_at).date(), due=supplement.due_on
    )
    issue(documents.LAPSE, claim, context, by=by, addressee=claim.bank)
    return claim
