"""Filings (Art 9-10): the bank prepares and countersigns; two bureau people decide (DOMAIN.md Rulings,
"Filings have two bureau people"): the clerk's first review passes the filing (初审通过) or returns it
for correction (退回补正); the approver, never the same person, allows a late filing, confirms (the
loan becomes covered) or refuses. The review clock (`filing_review_workdays` of the version in force on
the disbursement date, paused while returned) covers both steps: the clerk's to-do from submission,
the approver's from the first review, each resolved when acted on."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.models import LoanRegistration
from yunfu_ipfund.accounts.roles import (
    PERM_BANK_COUNTERSIGN,
    PERM_BANK_PREPARE,
    PERM_BUREAU_APPROVE,
    PERM_BUREAU_REVIEW,
    Role,
)
from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.audit.workflow import lock, transition
from yunfu_ipfund.common.articles import ARTICLE_10, implements
from yunfu_ipfund.common.checks import FAIL, raise_if_failed
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import (
    MSG_NO_ROLE,
    DomainError,
    Forbidden,
    ValidationFailed,
)
from yunfu_ipfund.common.uploads import validate_upload
from yunfu_ipfund.common.workdays import add_workdays, workdays_between
from yunfu_ipfund.notices.services import notice_issue, reminder_resolve, reminder_schedule
from yunfu_ipfund.policy.services import lpr_mark_used, policy_in_force, policy_mark_used, rate_cap

from .. import actions, documents, reminders
from ..changes import FILING_PREPARE_AGAIN, ChangeKind, field_changes, labels_of, prepare_again_refusal
from ..changes import record as record_change
from ..models import (
    CoveredLoan,
    FilingChange,
    FilingDocument,
    LoanEvent,
    LoanFiling,
)
from ..risk import assert_new_cover_allowed
from ..rules import STAGE_CONFIRM, STAGE_SUBMIT, filing_checks, filing_lateness
from .base import (
    MSG_CONFIRM_FAILED,
    MSG_CONTRACT_TAKEN,
    MSG_FILING_FAILED,
    MSG_NOT_EDITABLE,
    MSG_REGISTRATION_FILED,
    MSG_REGISTRATION_NOT_ACCEPTED,
    MSG_RETURN_REASONS,
    _own,
    _require_bank_user,
    _required_reason,
)
from .filing_terms import (
    _check_contract_free,
    _clean_pledges,
    _clean_terms,
    _save_pledges,
    _schedule_filing_deadline,
)
from .loans import _schedule_maturity

MSG_FIRST_REVIEW_FAILED = "备案未通过规则核验，不能初审通过；请退回银行补正，或提请审核人作出不予备案决定。"
MSG_NOT_LATE = (
    "该备案于 {filed_on} 报送，未超过放款后 {days} 个工作日的备案期限（{deadline}，第九条），"
    "无需核准逾期备案。"
)
MSG_OVERRIDE_STATE = "备案当前状态为“{status}”，不能核准逾期备案。"

TERMS = (
    "contract_number",
    "amount",
    "ip_amount",
    "disbursed_on",
    "maturity_on",
    "annual_rate",
    "repayment_method",
    "other_collateral",
)
TERM_LABELS = labels_of(LoanFiling, TERMS)


@transaction.atomic
def filing_create(*, by, registration, pledges, **values):
    """Prepare a filing (DRAFT) for an accepted registration of the officer's own bank."""
    _require_bank_user(by, PERM_BANK_PREPARE)
    # Lock the registration row only; its enterprise and bank come along for the filing (no further reads).
    registration = (
        LoanRegistration.objects.select_related("enterprise", "bank")
        .select_for_update(of=("self",))
        .get(pk=registration.pk)
    )
    _own(by, registration)
    if registration.status != LoanRegistration.Status.ACCEPTED:
        raise DomainError(
            MSG_REGISTRATION_NOT_ACCEPTED.format(status=registration.get_status_display()), code="wrong_state"
        )
    existing = registration.filings.exclude(status=LoanFiling.Status.REFUSED).first()
    if existing is not None:
        raise DomainError(
            MSG_REGISTRATION_FILED.format(
                contract=existing.contract_number, status=existing.get_status_display()
            ),
            code="already_filed",
        )
    terms = _clean_terms(values)
    clean_pledges = _clean_pledges(registration, pledges)
    _check_contract_free(by.organisation_id, terms["contract_number"])
    try:
        with transaction.atomic():
            filing = LoanFiling.objects.create(
                registration=registration,
                bank=registration.bank,
                enterprise=registration.enterprise,
                prepared_by=by,
                **terms,
            )
    except IntegrityError:
        raise ValidationFailed(
            MSG_CONTRACT_TAKEN.format(number=terms["contract_number"]), code="contract_taken"
        ) from None
    _save_pledges(filing, clean_pledges, replace=False)
    audit_record(
        by=by,
        action=actions.FILING_CREATE,
        obj=filing,
        to_state=filing.status,
        data={**terms, "pledges": [{"asset": a.number, "pledge": n, "on": d} for a, n, d in clean_pledges]},
    )
    _schedule_filing_deadline(filing)
    return filing


@transaction.atomic
def filing_update(*, by, filing, pledges=None, **values):
    """Correct a DRAFT or RETURNED filing (the officer)."""
    _require_bank_user(by, PERM_BANK_PREPARE)
    filing = lock(LoanFiling, filing.pk)
    _own(by, filing)
    if not filing.is_editable:
        raise DomainError(MSG_NOT_EDITABLE.format(status=filing.get_status_display()), code="wrong_state")
    current = {f: getattr(filing, f) for f in TERMS}
    terms = _clean_terms({**current, **{k: v for k, v in values.items() if k in current}})
    _check_contract_free(filing.bank_id, terms["contract_number"], exclude_pk=filing.pk)
    changed = {k: {"from": current[k], "to": v} for k, v in terms.items() if current[k] != v}
    for field, value in terms.items():
        setattr(filing, field, value)
    filing.save()
    fields = field_changes(current, terms, TERM_LABELS)
    if pledges is not None:
        before = _pledge_text(filing)
        _save_pledges(filing, _clean_pledges(filing.registration, pledges))
        after = _pledge_text(filing)
        changed["pledges"] = "已更新"
        if before != after:
            fields.append({"field": "pledges", "label": "质押知识产权", "from": before, "to": after})
    record_change(FilingChange, by=by, kind=ChangeKind.CONTENT, fields=fields, filing=filing)
    audit_record(by=by, action=actions.FILING_UPDATE, obj=filing, data=changed)
    if "disbursed_on" in changed and filing.status == LoanFiling.Status.DRAFT:
        _schedule_filing_deadline(filing)
    return filing


def _pledge_text(filing):
    return "；".join(
        f"{p.asset} 质押登记 {p.pledge_registration_number}（{p.pledge_registered_on:%Y-%m-%d}）"
        for p in filing.pledges.select_related("asset").order_by("asset_id")
    )


@transaction.atomic
def filing_document_add(*, by, filing, kind, file):
    """Attach one document (validated by content; stored privately; served only after an access check)."""
    _require_bank_user(by, PERM_BANK_PREPARE)
    filing = lock(LoanFiling, filing.pk)
    _own(by, filing)
    if not filing.is_editable:
        raise DomainError(MSG_NOT_EDITABLE.format(status=filing.get_status_display()), code="wrong_state")
    if kind not in FilingDocument.Kind.values:
        raise ValidationFailed(
            f"材料类型“{kind}”无效，可选：{'、'.join(FilingDocument.Kind.labels)}。",
            code="invalid",
            details=[{"field": "kind", "message": "材料类型无效。"}],
        )
    content_type, digest = validate_upload(file)
    doc = FilingDocument(
        filing=filing,
        kind=kind,
        content_type=content_type,
        sha256=digest,
        size=file.size,
        original_name=str(getattr(file, "name", "") or "")[:200],
        uploaded_by=by,
    )
    replaced = filing.documents.filter(kind=kind).exists()
    doc.file.save("upload", file, save=False)
    doc.save()
    record_change(
        FilingChange,
        by=by,
        kind=ChangeKind.EVIDENCE,
        summary=f"{'更换' if replaced else '上传'}材料“{doc.get_kind_display()}”（{doc.original_name}）",
        filing=filing,
    )
    audit_record(
        by=by,
        action=actions.FILING_DOCUMENT_ADD,
        obj=filing,
        data={"kind": kind, "sha256": digest, "document": doc.pk},
    )
    return doc


def filing_can_prepare_again(filing, user):
    """Whether the page offers "已复查，重新确认经办": to an officer of the bank, on an editable filing that
    someone changed since it was last prepared (exactly when filing_prepare_again admits it)."""
    return filing_can_edit(filing, user) and _prepare_again_refusal(filing, user) is None


def _prepare_again_refusal(filing, user):
    return prepare_again_refusal(
        filing.changes.all(), user, preparer_id=filing.prepared_by_id, record="该备案"
    )


@transaction.atomic
def filing_prepare_again(*, by, filing):
    """An officer of the filing's bank has reviewed what someone else changed since the filing was last
    prepared and prepares it again: they become its preparer, and the supervisor who made the changes
    may now submit it (four eyes by last change, lenders.changes). Refused when nobody changed it."""
    _require_bank_user(by, PERM_BANK_PREPARE)
    filing = lock(LoanFiling, filing.pk)
    _own(by, filing)
    if not filing.is_editable:
        raise DomainError(MSG_NOT_EDITABLE.format(status=filing.get_status_display()), code="wrong_state")
    error = _prepare_again_refusal(filing, by)
    if error is not None:
        raise error
    previous = filing.prepared_by
    filing.prepared_by = by
    filing.save(update_fields=["prepared_by", "updated_at"])
    record_change(FilingChange, by=by, kind=ChangeKind.PREPARE, filing=filing)
    audit_record(
        by=by,
        action=FILING_PREPARE_AGAIN,
        obj=filing,
        data={"previous_preparer": previous.pk, "preparer": by.pk},
    )
    return filing


def _review_due(filing, policy, today):
    if filing.review_days_left is not None:
        return add_workdays(today, filing.review_days_left)
    return add_workdays(today, policy.filing_review_workdays)


@transaction.atomic
def filing_submit(*, by, filing):
    """The supervisor countersigns and submits (first time or after correction). Never the preparer (the
    move's guards); a second submit is a 409."""
    _require_bank_user(by, PERM_BANK_COUNTERSIGN)
    _own(by, filing)  # another bank's filing is not found, whatever its state
    today = local_today()
    policy = policy_in_force(filing.disbursed_on)

    def check(locked):
        checks = filing_checks(locked, on=today, stage=STAGE_SUBMIT, policy=policy)
        raise_if_failed(checks, MSG_FILING_FAILED)
        locked.checks_snapshot = [c.as_dict() for c in checks]
        locked.review_due_on = _review_due(locked, policy, today)
        locked.review_days_left = None
        if locked.first_submitted_on is None:
            locked.first_submitted_on = today

    resubmission = filing.status == LoanFiling.Status.RETURNED
    locked, _ = transition(filing, "submit", by=by, check=check, submitted_by=by, submitted_at=timezone.now())
    reminder_resolve(kind=reminders.FILING_DEADLINE, about=locked)
    reminder_resolve(kind=reminders.FILING_CORRECTION, about=locked)
    reminder_schedule(
        kind=reminders.FILING_REVIEW,
        about=locked,
        due_date=locked.review_due_on,
        title=f"初审备案：{locked.bank.name} {locked.enterprise.name} 借款合同 {locked.contract_number}",
        recipient_role=Role.BUREAU_CLERK,
        url=locked.get_absolute_url(),
        body=f"{'补正后重新报送，' if resubmission else ''}"
        f"审核期限至 {locked.review_due_on}（退回补正期间暂停计算）。",
    )
    return locked


@transaction.atomic
def filing_first_review(*, by, filing, opinion=""):
    """The bureau clerk's first review passes the filing (初审通过): every rule is checked again (a late
    filing stays a warning: the approver's override decides it); the approver's to-do starts, due on the
    same review deadline. A second first review is a 409 (the move's repeat)."""
    require_perm(by, PERM_BUREAU_REVIEW)
    opinion = str(opinion or "").strip()
    today = local_today()
    policy = policy_in_force(filing.disbursed_on)

    def check(locked):
        checks = filing_checks(locked, on=today, stage=STAGE_SUBMIT, policy=policy)
        raise_if_failed(checks, MSG_FIRST_REVIEW_FAILED)
        locked.checks_snapshot = [c.as_dict() for c in checks]

    locked, _ = transition(
        filing,
        "first_review",
        by=by,
        reason=opinion,
        check=check,
        first_reviewed_by=by,
        first_reviewed_at=timezone.now(),
        first_review_opinion=opinion,
    )
    reminder_resolve(kind=reminders.FILING_REVIEW, about=locked)
    reminder_schedule(
        kind=reminders.FILING_DECISION,
        about=locked,
        due_date=locked.review_due_on,
        title=f"审核备案：{locked.bank.name} {locked.enterprise.name} 借款合同 {locked.contract_number}",
        recipient_role=Role.BUREAU_APPROVER,
        url=locked.get_absolute_url(),
        body=f"经办人已初审通过，审核期限至 {locked.review_due_on}。",
    )
    return locked


@transaction.atomic
def filing_return(*, by, filing, reasons):
    """The bureau clerk returns a filing for correction with itemised reasons; the review clock pauses."""
    require_perm(by, PERM_BUREAU_REVIEW)
    items = [str(r).strip() for r in (reasons or []) if str(r).strip()]
    if not items:
        raise ValidationFailed(
            MSG_RETURN_REASONS,
            code="reason_required",
            details=[{"field": "reasons", "message": MSG_RETURN_REASONS}],
        )
    today = local_today()
    policy = policy_in_force(filing.disbursed_on)

    def check(locked):
        locked.review_days_left = (
            workdays_between(today, locked.review_due_on) if locked.review_due_on else None
        )
        locked.correction_due_on = add_workdays(today, policy.correction_workdays)

    locked, _ = transition(
        filing,
        "return_for_correction",
        by=by,
        reason="；".join(items),
        check=check,
        returned_by=by,
        returned_at=timezone.now(),
        return_reasons=items,
    )
    reminder_resolve(kind=reminders.FILING_REVIEW, about=locked)
    notice_issue(
        kind=documents.FILING_RETURN,
        subject=locked,
        addressee=locked.bank,
        by=by,
        context=documents.filing_return(locked, items=items),
    )
    reminder_schedule(
        kind=reminders.FILING_CORRECTION,
        about=locked,
        due_date=locked.correction_due_on,
        title=f"补正备案：借款合同 {locked.contract_number}",
        recipient_role=Role.BANK_OFFICER,
        recipient_org=locked.bank,
        url=locked.get_absolute_url(),
        body="；".join(items),
    )
    return locked


def filing_can_edit(filing, user):
    """The officer of the filing's bank corrects a draft or a returned filing and uploads its documents
    (not a move: the filing stays where it is)."""
    return filing.is_editable and filing.bank_id == user.organisation_id and user.has_perm(PERM_BANK_PREPARE)


LATE_OVERRIDE_STATES = LoanFiling.FILED


def _override_refusal(filing, user):
    """Why `user` may not allow `filing` as a late filing now (a DomainError), or None: only the bureau
    approver, only while the filing is with the bureau, only for a filing that was actually late."""
    if not user.has_perm(PERM_BUREAU_APPROVE):
        return Forbidden(MSG_NO_ROLE, code="no_role")
    if filing.status not in LATE_OVERRIDE_STATES:
        return DomainError(MSG_OVERRIDE_STATE.format(status=filing.get_status_display()), code="wrong_state")
    policy = policy_in_force(filing.disbursed_on)
    late, filed_on, deadline = filing_lateness(filing, policy, on=local_today())
    if not late:
        return DomainError(
            MSG_NOT_LATE.format(filed_on=filed_on, days=policy.filing_deadline_workdays, deadline=deadline),
            code="not_late",
        )
    return None


def filing_can_override_late(filing, user):
    """Whether the page offers "核准逾期备案" (not a move: the filing stays where it is): exactly when
    the service would admit it."""
    try:
        return _override_refusal(filing, user) is None
    except DomainError:  # no policy version for the disbursement date: the service refuses too
        return False


@transaction.atomic
def filing_override_late(*, by, filing, reason):
    """The bureau approver allows a filing made after the filing deadline, with a reason."""
    require_perm(by, PERM_BUREAU_APPROVE)
    reason = _required_reason(reason)
    locked = lock(LoanFiling, filing.pk)
    error = _override_refusal(locked, by)
    if error is not None:
        raise error
    _late, _filed_on, deadline = filing_lateness(
        locked, policy_in_force(locked.disbursed_on), on=local_today()
    )
    locked.late_override_by, locked.late_override_at, locked.late_override_reason = by, timezone.now(), reason
    locked.save(update_fields=["late_override_by", "late_override_at", "late_override_reason", "updated_at"])
    audit_record(
        by=by,
        action=actions.FILING_OVERRIDE_LATE,
        obj=locked,
        reason=reason,
        data={"deadline": deadline, "submitted": locked.first_submitted_on},
    )
    return locked


@implements(ARTICLE_10)
@transaction.atomic
def filing_confirm(*, by, filing, reason=""):
    """The approver confirms the filing is covered: re-checks every rule and the leverage ceiling under
    the lock, creates the CoveredLoan, freezes the policy version and LPR, issues the 备案确认书."""
    require_perm(by, PERM_BUREAU_APPROVE)
    today = local_today()
    policy = policy_in_force(filing.disbursed_on)

    def check(locked):
        checks = filing_checks(locked, on=today, stage=STAGE_CONFIRM, policy=policy)
        raise_if_failed(checks, MSG_CONFIRM_FAILED)
        assert_new_cover_allowed(additional_covered=locked.ip_amount, on=today, policy=policy)
        locked.checks_snapshot = [c.as_dict() for c in checks]

    locked, moved = transition(
        filing,
        "confirm",
        by=by,
        reason=reason,
        check=check,
        decided_by=by,
        decided_at=timezone.now(),
        decision_reason=reason,
    )
    if not moved:
        return locked
    policy_mark_used(policy)
    lpr, ceiling = rate_cap(locked.disbursed_on, policy)
    lpr_mark_used(lpr)
    loan = CoveredLoan.objects.create(
        filing=locked,
        bank_id=locked.bank_id,
        enterprise_id=locked.enterprise_id,
        policy_version=policy,
        contract_number=locked.contract_number,
        amount=locked.amount,
        covered_amount=locked.ip_amount,
        fund_share=policy.fund_share,
        disbursed_on=locked.disbursed_on,
        maturity_on=locked.maturity_on,
        outstanding_principal=locked.amount,
        covered_outstanding=locked.ip_amount,
        confirmed_at=timezone.now(),
    )
    LoanEvent.objects.create(
        loan=loan,
        kind=LoanEvent.Kind.CONFIRMED,
        occurred_on=today,
        outstanding_after=loan.outstanding_principal,
        covered_outstanding_after=loan.covered_outstanding,
        status_after=loan.status,
        reported_by=by,
        note="备案确认，纳入风险补偿范围",
    )
    audit_record(
        by=by,
        action=actions.LOAN_COVER,
        obj=loan,
        to_state=loan.status,
        data={"covered_amount": loan.covered_amount, "fund_share": loan.fund_share, "policy": policy.code},
    )
    reminder_resolve(kind=reminders.FILING_DECISION, about=locked)
    notice_issue(
        kind=documents.FILING_CONFIRMATION,
        subject=locked,
        addressee=locked.bank,
        copied_to=[locked.enterprise],
        by=by,
        context=documents.filing_confirmation(locked, loan, policy=policy, lpr=lpr, rate_ceiling=ceiling),
    )
    _schedule_maturity(loan)
    return locked


@transaction.atomic
def filing_refuse(*, by, filing, reason):
    """The approver refuses; the notice lists the failed rules (with their articles) and the reason."""
    require_perm(by, PERM_BUREAU_APPROVE)
    reason = _required_reason(reason)
    today = local_today()
    failed = []

    def check(locked):
        failed.extend(c for c in filing_checks(locked, on=today, stage=STAGE_CONFIRM) if c.outcome == FAIL)

    locked, moved = transition(
        filing,
        "refuse",
        by=by,
        reason=reason,
        check=check,
        decided_by=by,
        decided_at=timezone.now(),
        decision_reason=reason,
    )
    if not moved:
        return locked
    reminder_resolve(about=locked)
    notice_issue(
        kind=documents.FILING_REFUSAL,
        subject=locked,
        addressee=locked.bank,
        copied_to=[locked.enterprise],
        by=by,
        context=documents.filing_refusal(locked, reason=reason, failed=failed),
    )
    return locked
