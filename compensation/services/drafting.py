"""The bank's side before the bureau: an officer prepares a claim and its evidence, a supervisor (not
the preparer) submits it, or resubmits it after a supplement request."""

from django.db import transaction

from lenders.changes import prepare_again_refusal
from lenders.models import CoveredLoan
from yunfu_ipfund.accounts.roles import PERM_BANK_COUNTERSIGN, PERM_BANK_PREPARE, Role
from yunfu_ipfund.accounts.selectors import is_bank_user, require_perm
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError, ValidationFailed
from yunfu_ipfund.common.money import format_money, to_money
from yunfu_ipfund.common.parsing import parse_text
from yunfu_ipfund.common.uploads import validate_upload
from yunfu_ipfund.common.workdays import add_workdays
from yunfu_ipfund.notices.reminders import reminder_resolve
from yunfu_ipfund.policy.services import policy_mark_used

from .. import actions, reminders
from ..changes import (
    CLAIM_LABELS,
    CLAIM_PREPARE_AGAIN,
    ChangeKind,
    claim_changed,
    claim_changes,
    field_changes,
)
from ..evidence import check_not_applicable, evidence_spec
from ..models import Claim, ClaimEvidence, SupplementRequest
from .common import loan_move, move, now, policy_of, remind, require_bank_member
from .rules import check_window, claim_checklist

MSG_LOAN_NOT_NON_PERFORMING = "该笔在保贷款当前状态为“{status}”，只有已认定为不良的贷款才能申请风险补偿。"
MSG_OPEN_CLAIM = "该笔贷款已有办理中的补偿申请，不能重复申请。"
MSG_PRINCIPAL_OVER_OUTSTANDING = "未收回本金 {claimed} 元超过该笔贷款报告的贷款余额 {outstanding} 元。"
MSG_ACTIONS_REQUIRED = "请说明已采取的催收和追偿措施。"
MSG_NOT_EDITABLE = "补偿申请当前状态为“{status}”，不能修改。"
MSG_EVIDENCE_MISSING = "必备材料尚未齐全，不能提交。"
MSG_REASON_REQUIRED = "请填写理由。"

S = Claim.Status


# --- what a bank user may do besides the moves (the claim page asks these) --------------------------


def claim_can_edit(claim, user):
    """An officer of the claim's bank corrects a claim while it is a draft or returned for supplement."""
    return (
        claim.is_editable
        and is_bank_user(user)
        and user.organisation_id == claim.bank_id
        and user.has_perm(PERM_BANK_PREPARE)
    )


def claim_can_upload(claim, user):
    """Officer or supervisor of the claim's bank attach evidence while the claim is editable."""
    return (
        claim.is_editable
        and is_bank_user(user)
        and user.organisation_id == claim.bank_id
        and (user.has_perm(PERM_BANK_PREPARE) or user.has_perm(PERM_BANK_COUNTERSIGN))
    )


def claim_can_prepare_again(claim, user):
    """Whether the claim page offers "已复查，重新确认经办" (exactly when claim_prepare_again admits it)."""
    return claim_can_edit(claim, user) and _prepare_again_refusal(claim, user) is None


def _prepare_again_refusal(claim, user):
    return prepare_again_refusal(
        claim_changes(claim), user, preparer_id=claim.prepared_by_id, record="该补偿申请"
    )


def claim_can_create(user):
    return is_bank_user(user) and user.has_perm(PERM_BANK_PREPARE)


# --- writes ------------------------------------------------------------------------------------------


def _principal(value, loan):
    amount = to_money(value, allow_zero=False)
    if amount > loan.outstanding_principal:
        raise ValidationFailed(
            MSG_PRINCIPAL_OVER_OUTSTANDING.format(
                claimed=format_money(amount), outstanding=format_money(loan.outstanding_principal)
            ),
            code="principal_over_outstanding",
        )
    return amount


def _actions_taken(value):
    return parse_text(value, field="已采取的催收和追偿措施", message=MSG_ACTIONS_REQUIRED)


@transaction.atomic
def claim_create(*, by, covered_loan, unrecovered_principal, enforcement_actions):
    """A bank officer prepares a claim for a NON_PERFORMING covered loan of their bank, within the window
    (which runs from the loan's loss event, under the version in force on that day)."""
    require_bank_member(by, covered_loan.bank_id)
    require_perm(by, PERM_BANK_PREPARE)
    loan = (
        CoveredLoan.objects.select_for_update(of=("self",))
        .select_related("enterprise", "bank")
        .get(pk=covered_loan.pk)
    )
    if loan.status != CoveredLoan.Status.NON_PERFORMING or loan.non_performing_on is None:
        raise DomainError(
            MSG_LOAN_NOT_NON_PERFORMING.format(status=loan.get_status_display()), code="not_non_performing"
        )
    if Claim.objects.filter(covered_loan=loan, status__in=Claim.OPEN).exists():
        raise DomainError(MSG_OPEN_CLAIM, code="open_claim")
    classification = loan.classification
    if classification not in Claim.Classification.values:
        classification = Claim.Classification.SUBSTANDARD
    claim = Claim(
        covered_loan=loan,
        bank=loan.bank,
        classified_on=loan.non_performing_on,
        classification=classification,
        unrecovered_principal=_principal(unrecovered_principal, loan),
        enforcement_actions=_actions_taken(enforcement_actions),
        prepared_by=by,
    )
    check_window(claim)
    claim.save()
    audit_record(
        by=by,
        action=actions.CLAIM_CREATE,
        obj=claim,
        to_state=claim.status,
        data={"loan": loan.pk, "unrecovered_principal": claim.unrecovered_principal},
    )
    return claim


def _editable(by, claim, *perms):
    """The claim under lock, for a user of its bank holding one of `perms`, while it may be edited."""
    claim = Claim.objects.select_for_update(of=("self",)).select_related("covered_loan").get(pk=claim.pk)
    require_bank_member(by, claim.bank_id)
    require_perm(by, *perms)
    if not claim.is_editable:
        raise DomainError(MSG_NOT_EDITABLE.format(status=claim.get_status_display()), code="not_editable")
    return claim


@transaction.atomic
def claim_update(*, by, claim, unrecovered_principal, enforcement_actions):
    claim = _editable(by, claim, PERM_BANK_PREPARE)
    before = {
        "unrecovered_principal": str(claim.unrecovered_principal),
        "enforcement_actions": claim.enforcement_actions,
    }
    old = {f: getattr(claim, f) for f in CLAIM_LABELS}
    claim.unrecovered_principal = _principal(unrecovered_principal, claim.covered_loan)
    claim.enforcement_actions = _actions_taken(enforcement_actions)
    claim.save(update_fields=["unrecovered_principal", "enforcement_actions", "updated_at"])
    new = {f: getattr(claim, f) for f in CLAIM_LABELS}
    claim_changed(by=by, claim=claim, kind=ChangeKind.CONTENT, fields=field_changes(old, new, CLAIM_LABELS))
    audit_record(by=by, action=actions.CLAIM_UPDATE, obj=claim, data={"before": before})
    return claim


@transaction.atomic
def evidence_upload(*, by, claim, kind, file):
    """Attach a file to one checklist item (PDF/JPEG/PNG by content). Replaces, never deletes, the
    earlier one."""
    claim = _editable(by, claim, PERM_BANK_PREPARE, PERM_BANK_COUNTERSIGN)
    spec = evidence_spec(kind)
    content_type, sha256 = validate_upload(file)
    replaced = ClaimEvidence.objects.filter(claim=claim, kind=spec.code).exists()
    item = ClaimEvidence(
        claim=claim,
        kind=spec.code,
        content_type=content_type,
        sha256=sha256,
        size=file.size,
        original_name=(getattr(file, "name", "") or "")[:200],
        uploaded_by=by,
    )
    item.file.save("upload", file, save=False)
    item.save()
    claim_changed(
        by=by,
        claim=claim,
        kind=ChangeKind.EVIDENCE,
        summary=f"{'更换' if replaced else '上传'}材料“{spec.label}”（{item.original_name}）",
    )
    audit_record(
        by=by,
        action=actions.EVIDENCE_UPLOAD,
        obj=claim,
        reason=spec.label,
        data={"kind": spec.code, "sha256": sha256},
    )
    return item


@transaction.atomic
def evidence_mark_not_applicable(*, by, claim, kind, reason):
    claim = _editable(by, claim, PERM_BANK_PREPARE, PERM_BANK_COUNTERSIGN)
    spec = check_not_applicable(kind, reason)
    reason = parse_text(reason, field="不适用理由", message=MSG_REASON_REQUIRED, max_length=1000)
    item = ClaimEvidence.objects.create(
        claim=claim, kind=spec.code, not_applicable=True, reason=reason, uploaded_by=by
    )
    claim_changed(
        by=by, claim=claim, kind=ChangeKind.EVIDENCE, summary=f"将材料“{spec.label}”标记为不适用：{reason}"
    )
    audit_record(
        by=by, action=actions.EVIDENCE_NOT_APPLICABLE, obj=claim, reason=f"{spec.label}：{item.reason}"
    )
    return item


@transaction.atomic
def claim_prepare_again(*, by, claim):
    """An officer of the claim's bank has reviewed what someone else changed (content or evidence) since
    the claim was last prepared and prepares it again: they become its preparer, and the supervisor who
    made the changes may now submit it (four eyes by last change, lenders.changes)."""
    claim = _editable(by, claim, PERM_BANK_PREPARE)
    error = _prepare_again_refusal(claim, by)
    if error is not None:
        raise error
    previous = claim.prepared_by_id
    claim.prepared_by = by
    claim.save(update_fields=["prepared_by", "updated_at"])
    claim_changed(by=by, claim=claim, kind=ChangeKind.PREPARE)
    audit_record(
        by=by, action=CLAIM_PREPARE_AGAIN, obj=claim, data={"previous_preparer": previous, "preparer": by.pk}
    )
    return claim


@transaction.atomic
def claim_submit(*, by, claim):
    """The bank supervisor (not the preparer) submits, or resubmits after a supplement request."""
    require_bank_member(by, claim.bank_id)
    today = local_today()
    first = claim.first_submitted_on is None

    def check(locked):
        checklist = claim_checklist(locked)
        if checklist.missing_required:
            raise DomainError(
                MSG_EVIDENCE_MISSING,
                code="evidence_missing",
                details=[{"rule": s.code, "message": f"缺少：{s.label}"} for s in checklist.missing_required],
            )
        if locked.first_submitted_on is None:
            check_window(locked, day=today)

    # The intake deadline by the version in force on the day of (re)submission; the version at first
    # submission is recorded on the claim, for the record only (docs/adr/0003).
    policy = policy_of(claim, on=today)
    intake_due = add_workdays(today, policy.completeness_check_workdays)
    stamps = {"submitted_by": by, "submitted_at": now(), "intake_due_on": intake_due}
    if first:
        stamps.update(first_submitted_on=today, policy_version=policy)
    name = "resubmit" if claim.status == S.SUPPLEMENT_REQUESTED else "submit"
    claim = move(claim, name, by=by, check=check, **stamps)
    policy_mark_used(policy)
    if first:
        loan_move(claim, claim.covered_loan.Status.IN_CLAIM, by=by, reason=f"提交补偿申请 {claim.reference}")
    else:
        open_rounds = SupplementRequest.objects.filter(claim=claim, resubmitted_at__isnull=True)
        open_rounds.update(resubmitted_at=now())
        reminder_resolve(kind=reminders.SUPPLEMENT, about=claim)
    remind(
        reminders.INTAKE,
        claim,
        title=f"补偿申请 {claim.reference} 待受理（完整性审查）",
        due_date=intake_due,
        recipient_role=Role.BUREAU_CLERK,
    )
    return claim
