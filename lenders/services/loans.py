"""Covered loans (Art 11-12): the bank's reports (repayment, overdue, classification, extension), the moves
the compensation process makes, the loss event, and the daily reminders for loans past maturity not
reported and for loans past the loss event still reported as performing.

The loss event (DOMAIN "The loss event") is the earlier of the bank's non-performing classification
(a class in `npl_classes` of the version in force on the classification day) and the day the loan had
been overdue `npl_overdue_days` (of the version in force on the day the overdue began): overdue since D
with 90 days, the loss event is D + 90 (逾期满90天). It is kept on the loan (`loss_event_on`,
`loss_event_source`) by `loss_event_update` after every report and by the daily check; the claim
window runs from it, so a late classification cannot stretch the window."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from yunfu_ipfund.accounts.roles import (
    PERM_BANK_PREPARE,
    Role,
)
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.audit.workflow import lock, transition
from yunfu_ipfund.common.articles import ARTICLE_11, ARTICLE_12, implements
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import (
    DomainError,
    ValidationFailed,
)
from yunfu_ipfund.common.money import format_money, round_fen, to_money
from yunfu_ipfund.common.workdays import add_workdays, workdays_between
from yunfu_ipfund.notices.reminders import reminder_exists, reminder_resolve, reminder_schedule
from yunfu_ipfund.policy.services import policy_in_force

from .. import actions, reminders
from ..models import (
    Classification,
    CoveredLoan,
    LoanEvent,
    LossEventSource,
)
from ..selectors import loans_due_for_unreported_overdue
from .base import (
    MSG_COMPENSATION_MOVE,
    MSG_DATE_BEFORE_LAST,
    MSG_EXTENSION_DATE,
    MSG_LOAN_NOT_REPORTABLE,
    MSG_NOT_OVERDUE,
    MSG_REPAYMENT_TOO_LARGE,
    _as_date,
    _not_future,
    _own,
    _require_bank_user,
)


def covered_part(outstanding, covered_amount, amount):
    """The covered part of an outstanding principal: outstanding × covered ÷ amount, to the fen."""
    if not amount:
        return Decimal("0.00")
    return round_fen(Decimal(outstanding) * Decimal(covered_amount) / Decimal(amount))


def loan_can_report(loan, user):
    """An officer of the loan's bank reports on a loan in a reportable state (a report is not a move by
    itself: most reports change the figures only; those that move the status make the move)."""
    return (
        loan.status in CoveredLoan.REPORTABLE
        and loan.bank_id == user.organisation_id
        and user.has_perm(PERM_BANK_PREPARE)
    )


def _schedule_maturity(loan):
    before = max(1, workdays_between(loan.maturity_on - dt.timedelta(days=10), loan.maturity_on))
    reminder_schedule(
        kind=reminders.LOAN_MATURITY,
        about=loan,
        due_date=loan.maturity_on,
        notify_workdays_before=(before,),
        title=f"贷款到期：{loan.enterprise.name} 借款合同 {loan.contract_number}",
        recipient_role=Role.BANK_OFFICER,
        recipient_org=loan.bank,
        url=loan.get_absolute_url(),
        body="请在到期后及时报告还款或逾期情况。",
    )


def _record(loan, *, by, kind, on, note="", **fields):
    return LoanEvent.objects.create(
        loan=loan,
        kind=kind,
        occurred_on=on,
        note=note,
        reported_by=by if getattr(by, "is_authenticated", False) else None,
        outstanding_after=loan.outstanding_principal,
        covered_outstanding_after=loan.covered_outstanding,
        status_after=loan.status,
        **fields,
    )


def _reportable(by, loan, day, label, field):
    """Lock the loan for a bank report; checks role, bank, state and date order."""
    _require_bank_user(by, PERM_BANK_PREPARE)
    locked = lock(CoveredLoan, loan.pk)
    _own(by, locked)
    if locked.status not in CoveredLoan.REPORTABLE:
        raise DomainError(
            MSG_LOAN_NOT_REPORTABLE.format(status=locked.get_status_display()), code="wrong_state"
        )
    day = _not_future(_as_date(day, label, field), label, field)
    last = locked.events.order_by("-occurred_on", "-id").values_list("occurred_on", flat=True).first()
    if last and day < last:
        raise ValidationFailed(
            MSG_DATE_BEFORE_LAST.format(label=label, day=day, last=last),
            code="date_order",
            details=[
                {"field": field, "message": MSG_DATE_BEFORE_LAST.format(label=label, day=day, last=last)}
            ],
        )
    if day < locked.disbursed_on:
        raise ValidationFailed(f"{label}不能早于放款日期 {locked.disbursed_on}。", code="date_order")
    return locked, day


def _report_move(current, to_state):
    """The move of CoveredLoan.WORKFLOW a bank's report makes from `current` to `to_state`."""
    S = CoveredLoan.Status
    if to_state == S.ACTIVE:
        return "cure_overdue" if current == S.OVERDUE else "reclassify_performing"
    return {S.OVERDUE: "report_overdue", S.NON_PERFORMING: "classify_non_performing", S.REPAID: "repay"}[
        to_state
    ]


def _apply(locked, to_state, *, by, action, reason, fields):
    """Save new figures, moving the status through the loan's workflow when it changes (audited as the
    report, `action`)."""
    if to_state != locked.status:
        locked, _ = transition(
            locked, _report_move(locked.status, to_state), by=by, action=action, reason=reason, **fields
        )
        return locked
    before = locked.status
    for field, value in fields.items():
        setattr(locked, field, value)
    locked.save()
    audit_record(
        by=by,
        action=action,
        obj=locked,
        from_state="",
        to_state="",
        reason=reason,
        data={k: v for k, v in fields.items()} | {"status": before},
    )
    return locked


def _after_settled(loan):
    if loan.status not in CoveredLoan.LIVE:
        reminder_resolve(about=loan)


@transaction.atomic
def loan_report_repayment(*, by, loan, amount, paid_on, cures_overdue=False, note=""):
    """A partial or full repayment of principal; covered outstanding follows it. Full repayment: REPAID."""
    locked, day = _reportable(by, loan, paid_on, "还款日期", "paid_on")
    paid = to_money(amount, allow_zero=False)
    if paid > locked.outstanding_principal:
        raise ValidationFailed(
            MSG_REPAYMENT_TOO_LARGE.format(
                amount=format_money(paid), outstanding=format_money(locked.outstanding_principal)
            ),
            code="repayment_too_large",
            details=[{"field": "amount", "message": "超过贷款余额。"}],
        )
    outstanding = locked.outstanding_principal - paid
    fields = {
        "outstanding_principal": outstanding,
        "covered_outstanding": covered_part(outstanding, locked.covered_amount, locked.amount),
    }
    to_state = locked.status
    if outstanding == 0:
        to_state = CoveredLoan.Status.REPAID
    elif cures_overdue:
        if locked.status != CoveredLoan.Status.OVERDUE:
            raise DomainError(MSG_NOT_OVERDUE, code="not_overdue")
        to_state = CoveredLoan.Status.ACTIVE
        fields |= {"overdue_since": None, "overdue_amount": None}
    locked = _apply(
        locked,
        to_state,
        by=by,
        action=actions.LOAN_REPORT_REPAYMENT,
        reason=note or f"还款 {format_money(paid)} 元",
        fields=fields,
    )
    _record(locked, by=by, kind=LoanEvent.Kind.REPAYMENT, on=day, amount=paid, note=note)
    reminder_resolve(kind=reminders.LOAN_UNREPORTED, about=locked)
    if locked.status in CoveredLoan.LIVE:
        loss_event_update(locked, today=local_today())
    _after_settled(locked)
    return locked


@implements(ARTICLE_11)
@transaction.atomic
def loan_report_overdue(*, by, loan, overdue_since, overdue_amount, note=""):
    locked, day = _reportable(by, loan, overdue_since, "逾期起始日", "overdue_since")
    amount = to_money(overdue_amount, allow_zero=False)
    if amount > locked.outstanding_principal:
        raise ValidationFailed(
            "逾期金额不能超过贷款余额。",
            code="invalid",
            details=[{"field": "overdue_amount", "message": "超过贷款余额。"}],
        )
    to_state = CoveredLoan.Status.OVERDUE if locked.status == CoveredLoan.Status.ACTIVE else locked.status
    locked = _apply(
        locked,
        to_state,
        by=by,
        action=actions.LOAN_REPORT_OVERDUE,
        reason=note or f"逾期 {format_money(amount)} 元",
        fields={"overdue_since": day, "overdue_amount": amount},
    )
    _record(locked, by=by, kind=LoanEvent.Kind.OVERDUE, on=day, amount=amount, note=note)
    reminder_resolve(kind=reminders.LOAN_UNREPORTED, about=locked)
    loss_event_update(locked, today=local_today())
    return locked


@implements(ARTICLE_11, ARTICLE_12)
@transaction.atomic
def loan_report_classification(*, by, loan, classification, classified_on, note=""):
    """A five-category classification change. 次级 or worse: NON_PERFORMING (the loss event of Art 12);
    back to 正常/关注 before any claim: ACTIVE again."""
    if classification not in Classification.values:
        raise ValidationFailed(
            f"风险分类“{classification}”无效，可选：{'、'.join(Classification.labels)}。",
            code="invalid",
            details=[{"field": "classification", "message": "风险分类无效。"}],
        )
    locked, day = _reportable(by, loan, classified_on, "分类日期", "classified_on")
    fields = {"classification": classification}
    to_state = locked.status
    if is_non_performing_class(classification, day):
        if locked.status != CoveredLoan.Status.NON_PERFORMING:
            to_state = CoveredLoan.Status.NON_PERFORMING
            fields["non_performing_on"] = day
    elif locked.status == CoveredLoan.Status.NON_PERFORMING:
        to_state = CoveredLoan.Status.ACTIVE
        fields["non_performing_on"] = None
    label = Classification(classification).label
    locked = _apply(
        locked,
        to_state,
        by=by,
        action=actions.LOAN_REPORT_CLASSIFICATION,
        reason=note or f"调整为{label}",
        fields=fields,
    )
    _record(
        locked, by=by, kind=LoanEvent.Kind.CLASSIFICATION, on=day, classification=classification, note=note
    )
    loss_event_update(locked, today=local_today())
    return locked


@transaction.atomic
def loan_report_extension(*, by, loan, new_maturity_on, agreed_on, note=""):
    locked, day = _reportable(by, loan, agreed_on, "展期协议日期", "agreed_on")
    new = _as_date(new_maturity_on, "展期后到期日", "new_maturity_on")
    if new <= locked.maturity_on:
        raise ValidationFailed(
            MSG_EXTENSION_DATE.format(new=new, old=locked.maturity_on),
            code="invalid",
            details=[
                {
                    "field": "new_maturity_on",
                    "message": MSG_EXTENSION_DATE.format(new=new, old=locked.maturity_on),
                }
            ],
        )
    old = locked.maturity_on
    locked = _apply(
        locked,
        locked.status,
        by=by,
        action=actions.LOAN_REPORT_EXTENSION,
        reason=note or f"到期日 {old} 展期至 {new}",
        fields={"maturity_on": new},
    )
    _record(locked, by=by, kind=LoanEvent.Kind.EXTENSION, on=day, new_maturity_on=new, note=note)
    _schedule_maturity(locked)
    return locked


# --- the loss event ----------------------------------------------------------------------------------


def is_non_performing_class(classification, day):
    """Whether `classification` is non-performing under the version in force on `day` (its npl_classes)."""
    return classification in policy_in_force(day).npl_classes


def overdue_loss_day(loan):
    """The day the loan has been overdue the version's npl_overdue_days (the version in force on the day
    the overdue began), or None when it is not reported overdue."""
    if loan.overdue_since is None:
        return None
    days = policy_in_force(loan.overdue_since).npl_overdue_days
    return loan.overdue_since + dt.timedelta(days=days)


def loss_event_of(loan, *, today):
    """(day, source) of the loan's loss event as of `today`, or (None, "") when none has happened: the
    earlier of the non-performing classification and the overdue threshold (a classification wins a tie)."""
    found = []
    if loan.non_performing_on:
        found.append((loan.non_performing_on, 0, LossEventSource.CLASSIFICATION))
    passed = overdue_loss_day(loan)
    if passed is not None and passed <= today:
        found.append((passed, 1, LossEventSource.OVERDUE))
    if not found:
        return None, ""
    day, _, source = min(found)
    return day, source


def loss_event_update(loan, *, today):
    """Keep the loan's recorded loss event in step with its reports (a cured overdue or a reclassification
    to performing before any claim undoes it); a loan past the loss event and still reported as
    performing gets its reminder to the bank and flag to the bureau. Returns the loss-event day."""
    if loan.status not in CoveredLoan.REPORTABLE:
        return loan.loss_event_on  # in claim or settled: the loss event the claim was judged on stays
    day, source = loss_event_of(loan, today=today)
    was_overdue = loan.loss_event_source == LossEventSource.OVERDUE
    if (loan.loss_event_on, loan.loss_event_source) != (day, source):
        CoveredLoan.objects.filter(pk=loan.pk).update(loss_event_on=day, loss_event_source=source)
        loan.loss_event_on, loan.loss_event_source = day, source
    if source == LossEventSource.OVERDUE and loan.non_performing_on is None:
        _flag_unclassified(loan, day)
    elif was_overdue:  # only an overdue loss event ever raised the flag (no query on an ordinary report)
        reminder_resolve(kind=reminders.LOAN_LOSS_UNCLASSIFIED, about=loan, discriminator=None)
    return day


def _flag_unclassified(loan, day):
    """A reminder to the bank's officers and a to-do for the bureau's clerks, once per loss event."""
    days = (day - loan.overdue_since).days
    title = (
        f"逾期满{days}天仍按正常类报告：{loan.enterprise.name} 借款合同 {loan.contract_number}"
        f"（逾期起始日 {loan.overdue_since}，损失事件 {day}）"
    )
    body = (
        f"该笔贷款已于 {day} 逾期满{days}天，依照《管理办法》第十二条构成损失事件，补偿申请期限自该日起算；"
        f"银行报告的风险分类仍为“{loan.get_classification_display()}”。"
    )
    for role, org, who in (
        (Role.BANK_OFFICER, loan.bank, "bank"),
        (Role.BUREAU_CLERK, None, "bureau"),
    ):
        reminder_schedule(
            kind=reminders.LOAN_LOSS_UNCLASSIFIED,
            about=loan,
            discriminator=f"{who}-{day:%Y%m%d}",
            once=True,
            due_date=add_workdays(max(day, local_today()), 5),
            notify_workdays_before=(),
            title=title,
            recipient_role=role,
            recipient_org=org,
            url=loan.get_absolute_url(),
            body=body
            + ("请核实并报告风险分类。" if who == "bank" else "请督促合作银行核实分类，并关注补偿申请期限。"),
        )


def record_loss_events(*, today):
    """Daily: loans reported overdue that reached the overdue threshold get their loss event (and, when
    still reported as performing, the reminder and the flag). Returns how many loans were looked at."""
    count = 0
    loans = CoveredLoan.objects.filter(
        status__in=CoveredLoan.REPORTABLE, overdue_since__isnull=False
    ).select_related("enterprise", "bank")
    for loan in loans:
        if overdue_loss_day(loan) <= today:
            with transaction.atomic():
                loss_event_update(lock(CoveredLoan, loan.pk), today=today)
            count += 1
    return count


# The target states the compensation process sets, with their move in CoveredLoan.WORKFLOW.
COMPENSATION_MOVES = {
    CoveredLoan.Status.IN_CLAIM: "claim",
    CoveredLoan.Status.NON_PERFORMING: "end_claim",
    CoveredLoan.Status.COMPENSATED: "compensate",
    CoveredLoan.Status.RECOVERY: "enter_recovery",
    CoveredLoan.Status.CLOSED: "close",
    CoveredLoan.Status.EXCLUDED: "exclude",
}


@transaction.atomic
def covered_loan_transition(*, by, loan, to_state, reason=""):
    """Moves made by the compensation process (and exclusion for fraud or ineligibility).

    IN_CLAIM, COMPENSATED, RECOVERY, CLOSED, EXCLUDED, and back to NON_PERFORMING (claim rejected or
    lapsed; only from IN_CLAIM). They are the system's moves of the loan, following the claim's own
    move, which checked the person `by` (recorded as the actor of the loan's event and in its history).
    Moving to the
    current state is a no-op. The dated history records each move, so the covered outstanding as of any
    day follows.
    """
    name = COMPENSATION_MOVES.get(to_state)
    if name is None:
        label = dict(CoveredLoan.Status.choices).get(to_state, to_state)
        raise DomainError(MSG_COMPENSATION_MOVE.format(label=label), code="wrong_state")
    locked, moved = transition(loan, name, by=by, reason=reason, follows=True)
    if moved:
        _record(locked, by=by, kind=LoanEvent.Kind.STATUS, on=local_today(), note=reason)
        _after_settled(locked)
    return locked


def remind_unreported_overdue(*, today):
    """Daily: loans past maturity, still ACTIVE with principal outstanding, not yet reported."""
    count = 0
    for loan in loans_due_for_unreported_overdue(today).select_related("enterprise", "bank"):
        if reminder_exists(kind=reminders.LOAN_UNREPORTED, about=loan):
            continue
        reminder_schedule(
            kind=reminders.LOAN_UNREPORTED,
            about=loan,
            due_date=add_workdays(loan.maturity_on, 1),
            notify_workdays_before=(),
            title=f"逾期未报告：{loan.enterprise.name} 借款合同 {loan.contract_number} "
            f"已于 {loan.maturity_on} 到期",
            recipient_role=Role.BANK_OFFICER,
            recipient_org=loan.bank,
            url=loan.get_absolute_url(),
            body=f"贷款余额 {format_money(loan.outstanding_principal)} 元，请报告还款或逾期情况。",
        )
        count += 1
    return count


# --- fraud found before a claim (Art 16, Rulings of December 2026) ----------------------------------
# Kept at the end of this module, with its own imports, so the reports above stay as they are.

from django.utils import timezone  # noqa: E402

from applications.models import Blacklisting  # noqa: E402
from applications.services import blacklist_enterprise  # noqa: E402
from yunfu_ipfund.accounts.roles import PERM_BUREAU_APPROVE, PERM_BUREAU_REVIEW  # noqa: E402
from yunfu_ipfund.accounts.selectors import require_perm  # noqa: E402
from yunfu_ipfund.common.articles import ARTICLE_16, ARTICLE_21, implements  # noqa: E402
from yunfu_ipfund.common.uploads import validate_upload  # noqa: E402
from yunfu_ipfund.notices.services import notice_issue, notify_organisation  # noqa: E402

from .. import documents  # noqa: E402
from .base import _required_reason  # noqa: E402

MSG_EXCLUDE_IN_COMPENSATION = (
    "该笔贷款当前状态为“{status}”，已进入补偿程序，不能在补偿前认定骗取并移出风险补偿范围；"
    "请在补偿程序中撤销补偿决定（《管理办法》第十六条）。"
)
MSG_EXCLUDE_NOT_COVERED = "该笔贷款当前状态为“{status}”，已不在风险补偿范围内，无需移出。"
MSG_EVIDENCE_REQUIRED = "请上传认定骗取的证据材料（PDF 或图片）。"
MSG_NOT_FLAGGED = "该笔贷款没有待复核标记。"
MSG_REVIEW_FLAG = (
    "同一企业的贷款（借款合同编号{contract}，{bank}）于{day}被认定骗取并移出风险补偿范围：{reason}"
)


def loan_can_exclude_for_fraud(loan, user):
    """The approver may exclude a loan not yet in a claim (the button on the loan page)."""
    return "exclude_for_fraud" in {m.name for m in CoveredLoan.WORKFLOW.moves_from(loan.status)} and bool(
        user.is_authenticated and user.has_perm(PERM_BUREAU_APPROVE)
    )


@implements(ARTICLE_16, ARTICLE_21)
@transaction.atomic
def loan_exclude_for_fraud(*, by, loan, reason, evidence):
    """Fraud found before a claim: the bureau approver excludes the covered loan (EXCLUDED) with a reason and
    an uploaded evidence file.

    The cover is released as for every exit from the live states (the covered outstanding and the leverage
    count LIVE loans only; the dated history records the move, so the figures of any later day follow);
    the loan's open reminders are resolved; a 移出风险补偿范围通知书 goes to the bank, copied to the
    enterprise; the enterprise's other live covered loans are flagged for review (who, when, why); the
    enterprise is blacklisted (applications.services.blacklist_enterprise, source 骗取). A loan in the
    compensation process (补偿申请中 or later) is refused: the rescission of the compensation excludes it.
    A repeat on an excluded loan is a no-op. Returns the loan."""
    require_perm(by, PERM_BUREAU_APPROVE)
    reason = _required_reason(reason)
    if not evidence:
        raise ValidationFailed(
            MSG_EVIDENCE_REQUIRED,
            code="evidence_required",
            details=[{"field": "evidence", "message": MSG_EVIDENCE_REQUIRED}],
        )
    content_type, sha256 = validate_upload(evidence)
    locked = lock(CoveredLoan, loan.pk)
    if locked.status == CoveredLoan.Status.EXCLUDED:
        return locked
    if locked.status in CoveredLoan.IN_COMPENSATION:
        raise DomainError(
            MSG_EXCLUDE_IN_COMPENSATION.format(status=locked.get_status_display()), code="in_compensation"
        )
    if locked.status not in CoveredLoan.LIVE:
        raise DomainError(
            MSG_EXCLUDE_NOT_COVERED.format(status=locked.get_status_display()), code="not_covered"
        )
    now = timezone.now()
    today = local_today()
    locked, _ = transition(
        locked,
        "exclude_for_fraud",
        by=by,
        reason=reason,
        data={"evidence_sha256": sha256, "evidence_name": evidence.name[:200]},
        exclusion_reason=reason,
        exclusion_evidence=evidence,
        exclusion_evidence_name=evidence.name[:200],
        exclusion_evidence_type=content_type,
        exclusion_evidence_sha256=sha256,
        excluded_by=by,
        excluded_at=now,
    )
    _record(locked, by=by, kind=LoanEvent.Kind.STATUS, on=today, note=f"认定骗取，移出风险补偿范围：{reason}")
    _after_settled(locked)
    flag_reason = MSG_REVIEW_FLAG.format(
        contract=locked.contract_number, bank=locked.bank.name, day=f"{today:%Y-%m-%d}", reason=reason
    )
    flagged = []
    others = (
        CoveredLoan.objects.select_for_update()
        .filter(enterprise_id=locked.enterprise_id, status__in=CoveredLoan.LIVE)
        .exclude(pk=locked.pk)
        .order_by("id")
    )
    for other in others:
        other.review_flag_reason, other.review_flagged_by, other.review_flagged_at = flag_reason, by, now
        other.save(
            update_fields=["review_flag_reason", "review_flagged_by", "review_flagged_at", "updated_at"]
        )
        audit_record(by=by, action=actions.LOAN_REVIEW_FLAG, obj=other, reason=flag_reason)
        notify_organisation(
            other.bank,
            title=f"贷款待复核：{other.enterprise.name} 借款合同 {other.contract_number}",
            body=flag_reason,
            url=other.get_absolute_url(),
        )
        flagged.append((other.contract_number, other.bank.name))
    listing = blacklist_enterprise(
        locked.enterprise,
        by=by,
        reason=f"借款合同{locked.contract_number}（{locked.bank.name}）认定骗取风险补偿资金：{reason}",
        source=Blacklisting.Source.FRAUD,
    )
    notice_issue(
        kind=documents.LOAN_EXCLUSION,
        subject=locked.filing,
        addressee=locked.bank,
        copied_to=[locked.enterprise],
        context=documents.loan_exclusion(
            locked,
            reason=reason,
            excluded_on=today,
            flagged=flagged,
            blacklisted_until=listing.listed_until,
        ),
        by=by,
    )
    return locked


@transaction.atomic
def loan_review_flag_clear(*, by, loan, reason):
    """The bureau (clerk or approver) clears a loan's review flag after reviewing it, with a reason
    (audited with the flag it cleared)."""
    require_perm(by, PERM_BUREAU_REVIEW, PERM_BUREAU_APPROVE)
    reason = _required_reason(reason)
    locked = lock(CoveredLoan, loan.pk)
    if not locked.is_flagged_for_review:
        raise DomainError(MSG_NOT_FLAGGED, code="not_flagged")
    cleared = {
        "flag_reason": locked.review_flag_reason,
        "flagged_by": locked.review_flagged_by_id,
        "flagged_at": locked.review_flagged_at.isoformat(),
    }
    locked.review_flag_reason, locked.review_flagged_by, locked.review_flagged_at = "", None, None
    locked.save(update_fields=["review_flag_reason", "review_flagged_by", "review_flagged_at", "updated_at"])
    audit_record(by=by, action=actions.LOAN_REVIEW_FLAG_CLEAR, obj=locked, reason=reason, data=cleared)
    return locked
