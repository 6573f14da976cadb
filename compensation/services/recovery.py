"""Recovery after compensation (Article 14): the bank officer drafts a recovery report, a supervisor
(not the preparer) countersigns it, which reports it and demands the fund's share; finance confirms
the return; the approver closes the claim on write-off or full recovery.

Rulings of December 2026 implemented here:
- the fund's share is pari passu (`recovery_share`): the ratio the fund actually bore, exact;
- unusual figures (`recovery_warnings`) are refused unless the officer confirms with a reason, which
  the supervisor sees and the countersign judges again;
- report and return deadlines come from the version in force on the day the money was received
  (`recovery_policy`).

The share's arithmetic is a pure function (`recovery_share`) beside the service; it is the only
recovery arithmetic (compensation.amounts keeps the payout's and `net_of_costs`)."""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import transaction

from fund.services import recovery_receive, recovery_return_expect
from lenders.changes import prepare_again_refusal
from yunfu_ipfund.accounts.roles import PERM_BANK_PREPARE, Role
from yunfu_ipfund.accounts.selectors import is_bank_user, require_perm
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.audit.workflow import lock
from yunfu_ipfund.common.articles import ARTICLE_14, implements
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import MSG_ALREADY_DONE, Conflict, DomainError, ValidationFailed
from yunfu_ipfund.common.money import ZERO, format_money, round_fen, to_money
from yunfu_ipfund.common.parsing import parse_text
from yunfu_ipfund.common.uploads import validate_upload
from yunfu_ipfund.common.workdays import add_workdays
from yunfu_ipfund.notices.reminders import reminder_resolve, reminder_schedule
from yunfu_ipfund.policy.models import RecoveryShareBasis

from .. import actions, documents, reminders
from ..amounts import ARTICLE_RECOVERY, Computation, Step, net_of_costs
from ..changes import RECOVERY_LABELS, RECOVERY_PREPARE_AGAIN, ChangeKind, claim_changed, field_changes
from ..guards import MSG_RECOVERY_STATE
from ..models import Claim, Recovery
from .common import (
    finance,
    issue,
    loan_move,
    move,
    now,
    policy_of,
    quarter_name,
    remind,
    require_bank_member,
    require_move,
    required_date,
)
from .payment import pay_queue, value_date_of, voucher_of

MSG_RECOVERY_DATE = "收到追偿款的日期不能晚于今天，也不能早于补偿拨付日期。"
MSG_REASON_REQUIRED = "请填写理由。"
MSG_CLOSE_REASON = "请选择结案方式。"
MSG_COSTS_OVER_RECOVERY = "追偿费用 {costs} 元超过追偿金额 {amount} 元（超出 {over} 元）。"
MSG_RECOVERY_OVER_OWED = (
    "累计追偿金额 {total} 元（本次 {amount} 元，此前已报告 {before} 元）超过未收回本金 {principal} 元"
    "与按合同年利率 {rate}% 自放款日 {since:%Y-%m-%d} 至收到日 {until:%Y-%m-%d}（{days} 天，按 360 天计）"
    "计算的利息 {interest} 元之和 {ceiling} 元（超出 {over} 元）。"
)
MSG_UNUSUAL_REFUSED = (
    "依据《管理办法》第十四条，追偿报告的金额异常，不予接受：{warnings}"
    "如确属实际情况，请勾选“确认金额无误”并填写理由，复核人员将看到该理由。"
)
MSG_UNUSUAL_NOT_CONFIRMED = (
    "依据《管理办法》第十四条，该追偿报告的金额异常且经办人未就此确认：{warnings}"
    "请经办人修改报告，勾选“确认金额无误”并填写理由后再复核。"
)

S = Claim.Status
RS = Recovery.Status


# --- what a bank user may do besides the moves ------------------------------------------------------


def recovery_can_prepare(claim, user):
    """An officer of the claim's bank drafts recovery reports while the claim is paid and open."""
    return (
        claim.status in (S.PAID, S.RECOVERY)
        and is_bank_user(user)
        and user.organisation_id == claim.bank_id
        and user.has_perm(PERM_BANK_PREPARE)
    )


def recovery_can_edit(recovery, user):
    """An officer of the bank corrects a draft before it is countersigned."""
    return (
        recovery.status == RS.DRAFT
        and is_bank_user(user)
        and user.organisation_id == recovery.claim.bank_id
        and user.has_perm(PERM_BANK_PREPARE)
    )


def recovery_can_prepare_again(recovery, user):
    """Whether the page offers "已复查修改，重新确认经办" on a draft (exactly when recovery_prepare_again
    admits it)."""
    return recovery_can_edit(recovery, user) and _prepare_again_refusal(recovery, user) is None


def _prepare_again_refusal(recovery, user):
    return prepare_again_refusal(
        recovery.changes.all(), user, preparer_id=recovery.reported_by_id, record="该追偿报告"
    )


# --- the bank's report -------------------------------------------------------------------------------


def covered_ratio(claim):
    """The covered part of the loan (covered ÷ amount), the ratio a recovery's covered part is taken by."""
    loan = claim.covered_loan
    return loan.covered_amount / loan.amount


def _exact(value):
    """A figure as it is, for a formula one can multiply out by hand: every digit of a terminating
    Fraction or Decimal (thousands separated); a non-terminating one to ten places, marked ≈."""
    frac = Fraction(value)
    for places in range(2, 11):
        scaled = frac * 10**places
        if scaled.denominator == 1:
            return f"{Decimal(scaled.numerator).scaleb(-places):,.{places}f}"
    approx = Decimal(frac.numerator) / Decimal(frac.denominator)
    return f"≈{approx:,.10f}"


def _yuan(value):
    return f"{_exact(value)} 元"


def _percent(value):
    text = _exact(Fraction(value) * 100)
    if "." in text and not text.startswith("≈"):
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def _round_half_up(frac):
    """A non-negative exact Fraction rounded half-up to the fen, once, at the end."""
    fen = frac * 100
    whole = (2 * fen.numerator + fen.denominator) // (2 * fen.denominator)
    return Decimal(whole).scaleb(-2).quantize(Decimal("0.01"))


def _dec(frac):
    """A Fraction as a Decimal for a step's running figure (the formula text carries the exact one)."""
    return Decimal(frac.numerator) / Decimal(frac.denominator)


@implements(ARTICLE_14)
def recovery_share(
    *,
    net_recovery,
    loan_amount,
    covered_amount,
    unrecovered_principal,
    reductions_total,
    paid,
    already_returned,
    fund_share,
    basis=RecoveryShareBasis.EFFECTIVE,
):
    """The fund's share of one net recovery (Article 14; Rulings of December 2026: pari passu).

    The covered part of the recovery (net × covered ÷ loan, the same ratio as the payout) is shared in
    the proportion the fund actually bore the loss: compensation paid ÷ the unrecovered covered
    principal it was computed on (unrecovered × covered ÷ loan − reductions). Where no cap bit that is
    the fund share; where a cap did (1,000,000 paid on a 5,000,000 loss: 20 %), the fund gets back that
    much less. `basis="nominal"` uses the filing's fund share instead. Never more than paid less what
    has come back. Exact arithmetic (Fraction) throughout; one half-up rounding to the fen at the end."""
    net = Fraction(Decimal(net_recovery))
    loan = Fraction(Decimal(loan_amount))
    covered = Fraction(Decimal(covered_amount))
    unrecovered = Fraction(Decimal(unrecovered_principal))
    reduced = Fraction(Decimal(reductions_total or 0))
    paid_f = Fraction(Decimal(paid or 0))
    returned = Fraction(Decimal(already_returned or 0))
    share = Fraction(Decimal(fund_share))
    if loan <= 0 or min(net, covered, unrecovered, reduced, paid_f, returned) < 0 or not (0 <= share <= 1):
        raise ValidationFailed("追偿返还计算的数据无效，请联系市监局核对。", code="bad_figures")

    steps = []
    covered_part = net * covered / loan
    steps.append(
        Step(
            "追偿净额中纳入补偿范围的部分",
            f"{_yuan(net)} × {_yuan(covered)} ÷ {_yuan(loan)} = {_yuan(covered_part)}",
            _dec(covered_part),
            ARTICLE_RECOVERY,
        )
    )
    computed_on = unrecovered * covered / loan - reduced
    if basis == RecoveryShareBasis.NOMINAL or computed_on <= 0:
        ratio = share
        owed = covered_part * share
        steps.append(
            Step(
                "按名义分担比例应返还风险补偿资金的部分",
                f"{_yuan(covered_part)} × 分担比例 {_percent(share)} = {_yuan(owed)}",
                _dec(owed),
                ARTICLE_RECOVERY,
            )
        )
    else:
        less = f" − 核减 {_yuan(reduced)}" if reduced else ""
        steps.append(
            Step(
                "计算补偿所依据的未收回本金（纳入补偿范围部分）",
                f"{_yuan(unrecovered)} × {_yuan(covered)} ÷ {_yuan(loan)}{less} = {_yuan(computed_on)}",
                _dec(computed_on),
                ARTICLE_RECOVERY,
            )
        )
        ratio = paid_f / computed_on
        owed = covered_part * paid_f / computed_on
        steps.append(
            Step(
                "按实际分担比例（已拨付补偿 ÷ 计算补偿所依据的未收回本金）应返还风险补偿资金的部分",
                f"{_yuan(covered_part)} × {_yuan(paid_f)} ÷ {_yuan(computed_on)} = {_yuan(owed)}"
                f"（实际分担比例 {_percent(ratio)}）",
                _dec(owed),
                ARTICLE_RECOVERY,
            )
        )
    ceiling = max(paid_f - returned, Fraction(0))
    capped_by = []
    if owed > ceiling:
        owed = ceiling
        capped_by.append("paid")
        steps.append(
            Step(
                "以已拨付补偿金额为限",
                f"{_yuan(paid_f)} − 已返还 {_yuan(returned)} = {_yuan(ceiling)}",
                _dec(owed),
                ARTICLE_RECOVERY,
            )
        )
    final = _round_half_up(owed)
    steps.append(Step("应返还金额", "以上结果四舍五入到分", final, ARTICLE_RECOVERY))
    return RecoveryShare(
        steps=tuple(steps),
        amount=final,
        base=_dec(net),
        capped_by=tuple(capped_by),
        basis=str(basis),
        ratio=ratio,
    )


@dataclass(frozen=True)
class RecoveryShare(Computation):
    """A recovery's computation, with the basis and the exact ratio it applied (kept in the record)."""

    basis: str = RecoveryShareBasis.EFFECTIVE
    ratio: Fraction = Fraction(0)

    def as_dict(self):
        return {
            **super().as_dict(),
            "basis": str(self.basis),
            "ratio": f"{self.ratio.numerator}/{self.ratio.denominator}",
            "ratio_text": _percent(self.ratio),
        }


def claim_recovery_share(claim, recovery, *, policy, already_returned):
    """`recovery_share` for one report on `claim`: the figures the compensation was computed on (the
    claim's principal, its covered loan's amounts and the reductions of the decided computation), what
    was paid, the basis of the version in force on the day the recovery was received."""
    loan = claim.covered_loan
    reductions = sum((Decimal(r["amount"]) for r in (claim.computation or {}).get("reductions", [])), ZERO)
    return recovery_share(
        net_recovery=recovery.net_amount,
        loan_amount=loan.amount,
        covered_amount=loan.covered_amount,
        unrecovered_principal=claim.unrecovered_principal,
        reductions_total=reductions,
        paid=claim.paid_amount or 0,
        already_returned=already_returned,
        fund_share=loan.fund_share,
        basis=policy.recovery_share_basis,
    )


def recovery_policy(claim, received_on):
    """The version of the Measures that sets a recovery's report and return deadlines: the one in force
    on the day the bank received the money (Rulings of December 2026), not the claim's."""
    return policy_of(claim, on=received_on)


def _interest(principal, annual_rate, since, until):
    """Simple interest at the contract rate (per cent a year, 360-day year) from `since` to `until`."""
    days = max((until - since).days, 0)
    return days, round_fen(Decimal(principal) * Decimal(annual_rate) / 100 * days / 360)


def recovery_warnings(claim, *, received_on, amount, costs, exclude=None):
    """What is unusual about a recovery report (Rulings: refused unless the officer confirms with a
    reason): costs above the recovery, or the claim's recoveries above the unrecovered principal plus
    interest at the contract rate from disbursement to the day received. A list of {code, message}."""
    warnings = []
    if costs > amount:
        warnings.append(
            {
                "code": "costs_over_recovery",
                "message": MSG_COSTS_OVER_RECOVERY.format(
                    costs=format_money(costs), amount=format_money(amount), over=format_money(costs - amount)
                ),
            }
        )
    loan = claim.covered_loan
    earlier = claim.recoveries.filter(status__in=Recovery.COUNTERSIGNED)
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude.pk)
    before = sum((r.amount for r in earlier), ZERO)
    days, interest = _interest(
        claim.unrecovered_principal, loan.filing.annual_rate, loan.disbursed_on, received_on
    )
    ceiling = claim.unrecovered_principal + interest
    total = before + amount
    if total > ceiling:
        warnings.append(
            {
                "code": "recovery_over_owed",
                "message": MSG_RECOVERY_OVER_OWED.format(
                    total=format_money(total),
                    amount=format_money(amount),
                    before=format_money(before),
                    principal=format_money(claim.unrecovered_principal),
                    rate=f"{Decimal(loan.filing.annual_rate).normalize():f}",
                    since=loan.disbursed_on,
                    until=received_on,
                    days=days,
                    interest=format_money(interest),
                    ceiling=format_money(ceiling),
                    over=format_money(total - ceiling),
                ),
            }
        )
    return warnings


def _warning_text(warnings):
    return "".join(w["message"] for w in warnings)


def _recovery_fields(claim, *, received_on, amount, costs, description, confirm_reason, recovery=None):
    """Check what the bank reports about one recovery (the draft's fields). Unusual figures are refused
    unless confirmed with a reason, which is kept with the warnings for the supervisor to see."""
    if claim.status not in (S.PAID, S.RECOVERY):
        raise DomainError(MSG_RECOVERY_STATE.format(status=claim.get_status_display()), code="wrong_state")
    received_on = required_date(received_on, field="收到追偿款日期")
    if received_on > local_today() or (claim.payment_value_date and received_on < claim.payment_value_date):
        raise ValidationFailed(MSG_RECOVERY_DATE, code="bad_date")
    amount = to_money(amount, allow_zero=False)
    costs = to_money(costs or "0")
    warnings = recovery_warnings(claim, received_on=received_on, amount=amount, costs=costs, exclude=recovery)
    confirm_reason = (confirm_reason or "").strip()[:1000]
    if warnings and not confirm_reason:
        raise ValidationFailed(
            MSG_UNUSUAL_REFUSED.format(warnings=_warning_text(warnings)),
            code="recovery_unusual",
            details=[{"rule": w["code"], "message": w["message"]} for w in warnings],
        )
    return {
        "received_on": received_on,
        "amount": amount,
        "costs": costs,
        "net_amount": net_of_costs(amount, costs),
        "description": (description or "").strip()[:4000],
        "report_due_on": add_workdays(
            received_on, recovery_policy(claim, received_on).recovery_report_workdays
        ),
        "warnings": warnings,
        "confirm_reason": confirm_reason if warnings else "",
    }


def _attach_evidence(recovery, evidence):
    if evidence is not None:
        recovery.content_type, recovery.sha256 = validate_upload(evidence)
        recovery.evidence.save("upload", evidence, save=False)


def _locked_draft(recovery):
    """The report under lock; a report that is no longer a draft was already acted on (409)."""
    draft = lock(Recovery, recovery.pk)
    if draft.status != RS.DRAFT:
        raise Conflict(MSG_ALREADY_DONE.format(current=draft.get_status_display()), code="already_done")
    return draft


def _received(recovery):
    return f"收到 {format_money(recovery.amount)} 元，费用 {format_money(recovery.costs)} 元"


@transaction.atomic
def recovery_prepare(
    *, by, claim, received_on, amount, costs="0", description="", evidence=None, confirm_reason=""
):
    """The bank officer prepares a recovery report (DRAFT, 待复核) with its evidence.

    Nothing reaches the bureau or the fund yet: the supervisor's countersign does that
    (recovery_countersign). Costs above the recovery, or recoveries above the principal and interest,
    are refused unless `confirm_reason` says why they are right (recovery_warnings)."""
    require_bank_member(by, claim.bank_id)
    require_perm(by, PERM_BANK_PREPARE)
    claim = Claim.objects.select_related("covered_loan__filing", "bank").get(pk=claim.pk)
    fields = _recovery_fields(
        claim,
        received_on=received_on,
        amount=amount,
        costs=costs,
        description=description,
        confirm_reason=confirm_reason,
    )
    recovery = Recovery(claim=claim, reported_by=by, status=RS.DRAFT, **fields)
    _attach_evidence(recovery, evidence)
    recovery.save()
    audit_record(
        by=by,
        action=actions.RECOVERY_PREPARE,
        obj=claim,
        to_state=recovery.status,
        reason=_received(recovery),
        data={"recovery": recovery.pk, **_confirmation(recovery)},
    )
    return recovery


def _confirmation(recovery):
    """What the audit trail keeps of an officer's confirmation of unusual figures."""
    if not recovery.warnings:
        return {}
    return {"warnings": [w["code"] for w in recovery.warnings], "confirm_reason": recovery.confirm_reason}


@transaction.atomic
def recovery_update(
    *, by, recovery, received_on, amount, costs="0", description="", evidence=None, confirm_reason=""
):
    """The officer corrects a draft recovery report (a new file replaces the evidence; the old one is
    kept). Unusual figures need `confirm_reason` again (see recovery_prepare)."""
    recovery = lock(Recovery, recovery.pk)
    claim = Claim.objects.select_related("covered_loan__filing", "bank").get(pk=recovery.claim_id)
    require_bank_member(by, claim.bank_id)
    require_perm(by, PERM_BANK_PREPARE)
    recovery = _locked_draft(recovery)
    fields = _recovery_fields(
        claim,
        received_on=received_on,
        amount=amount,
        costs=costs,
        description=description,
        confirm_reason=confirm_reason,
        recovery=recovery,
    )
    before = {f: str(getattr(recovery, f)) for f in ("received_on", "amount", "costs", "description")}
    old = {f: getattr(recovery, f) for f in RECOVERY_LABELS}
    for field, value in fields.items():
        setattr(recovery, field, value)
    _attach_evidence(recovery, evidence)
    recovery.save()
    changes = field_changes(old, {f: getattr(recovery, f) for f in RECOVERY_LABELS}, RECOVERY_LABELS)
    claim_changed(
        by=by,
        claim=claim,
        recovery=recovery,
        kind=ChangeKind.EVIDENCE if evidence is not None and not changes else ChangeKind.CONTENT,
        fields=changes,
        summary="更换追偿证明材料" if evidence is not None else "",
    )
    audit_record(
        by=by,
        action=actions.RECOVERY_UPDATE,
        obj=recovery,
        data={"before": before, **_confirmation(recovery)},
    )
    return recovery


@transaction.atomic
def recovery_prepare_again(*, by, recovery):
    """An officer of the bank has reviewed what someone else changed in a draft recovery report since it
    was last prepared and prepares it again: they become its preparer, and the supervisor who made the
    changes may now countersign it (four eyes by last change, lenders.changes)."""
    recovery = lock(Recovery, recovery.pk)
    claim = Claim.objects.get(pk=recovery.claim_id)
    require_bank_member(by, claim.bank_id)
    require_perm(by, PERM_BANK_PREPARE)
    recovery = _locked_draft(recovery)
    error = _prepare_again_refusal(recovery, by)
    if error is not None:
        raise error
    previous = recovery.reported_by_id
    recovery.reported_by = by
    recovery.save(update_fields=["reported_by"])
    claim_changed(by=by, claim=claim, recovery=recovery, kind=ChangeKind.PREPARE)
    audit_record(
        by=by,
        action=RECOVERY_PREPARE_AGAIN,
        obj=recovery,
        data={"previous_preparer": previous, "preparer": by.pk},
    )
    return recovery


@transaction.atomic
def recovery_withdraw(*, by, recovery, reason=""):
    """The officer withdraws a draft recovery report before it is countersigned."""
    require_bank_member(by, Claim.objects.values_list("bank_id", flat=True).get(pk=recovery.claim_id))
    return move(recovery, "withdraw", by=by, reason=(reason or "").strip()[:1000])


@transaction.atomic
def recovery_countersign(*, by, recovery):
    """A bank supervisor (not the preparer) countersigns a draft recovery report, which reports it:
    the fund's share (pari passu, capped at what the fund paid) is computed and demanded with a
    notice, the fund expects it, and reminders are set. The report and return deadlines are those of
    the version in force on the day the money was received; the report deadline is judged today.
    Unusual figures the officer did not confirm (recovery_warnings, judged again now) are refused."""
    require_bank_member(by, Claim.objects.values_list("bank_id", flat=True).get(pk=recovery.claim_id))
    require_move(Recovery, "countersign", by)
    # The claim's row serialises reports on one claim: each share is computed on what is already owed.
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("covered_loan__filing", "bank")
        .get(pk=recovery.claim_id)
    )
    draft = _locked_draft(recovery)
    _check_confirmed(claim, draft)
    policy = recovery_policy(claim, draft.received_on)
    today = local_today()
    already = claim.returned_total + sum(
        (r.return_amount for r in claim.recoveries.filter(status=RS.REPORTED)), Decimal("0")
    )
    comp = claim_recovery_share(claim, draft, policy=policy, already_returned=already)
    owed = comp.amount > 0
    report_due = add_workdays(draft.received_on, policy.recovery_report_workdays)
    late = today > report_due
    recovery = move(
        draft,
        "countersign" if owed else "countersign_nothing_due",
        by=by,
        reason=_received(draft),
        data={"return": comp.amount, "late": late, **_confirmation(draft)},
        return_amount=comp.amount,
        computation=comp.as_dict(),
        report_due_on=report_due,
        reported_late=late,
        return_due_on=add_workdays(today, policy.recovery_return_workdays) if owed else None,
        countersigned_by=by,
        countersigned_at=now(),
    )
    audit_record(
        by=by,
        action=actions.RECOVERY_REPORT,
        obj=claim,
        reason=_received(recovery),
        data={"recovery": recovery.pk, "return": comp.amount, "late": recovery.reported_late},
    )
    if claim.status == S.PAID:
        claim = move(claim, "enter_recovery", by=by, reason="首次报告追偿款")
        loan_move(claim, claim.covered_loan.Status.RECOVERY, by=by, reason=f"报告追偿 {claim.reference}")
    reminder_resolve(kind=reminders.RECOVERY_REPORT, about=claim, discriminator=quarter_name(today))
    if owed:
        _demand_return(claim, recovery, comp, policy=policy, by=by)
    return recovery


def _check_confirmed(claim, draft):
    """The countersign judges the figures again (another report may have been countersigned since):
    every warning must be one the officer confirmed with a reason."""
    current = recovery_warnings(
        claim, received_on=draft.received_on, amount=draft.amount, costs=draft.costs, exclude=draft
    )
    confirmed = {w["code"] for w in draft.warnings} if draft.confirm_reason else set()
    unconfirmed = [w for w in current if w["code"] not in confirmed]
    if unconfirmed:
        raise ValidationFailed(
            MSG_UNUSUAL_NOT_CONFIRMED.format(warnings=_warning_text(unconfirmed)),
            code="recovery_unusual",
            details=[{"rule": w["code"], "message": w["message"]} for w in unconfirmed],
        )


def _demand_return(claim, recovery, comp, *, policy, by):
    """The fund expects the share, the bank gets the return notice, bank and finance are reminded."""
    recovery_return_expect(
        by=by,
        bank=claim.bank,
        reference=recovery,
        amount=comp.amount,
        due_on=recovery.return_due_on,
        key=f"claim-{claim.pk}-recovery-{recovery.pk}-due",
    )
    context = documents.recovery_return(claim, recovery, policy=policy, computation=comp)
    issue(documents.RECOVERY_RETURN, recovery, context, by=by, addressee=claim.bank, copied_to=[finance()])
    reminder_schedule(
        kind=reminders.RECOVERY_RETURN,
        about=recovery,
        url=claim.get_absolute_url(),
        title=f"补偿申请 {claim.reference} 追偿款 {format_money(comp.amount)} 元待返还",
        due_date=recovery.return_due_on,
        recipient_role=Role.BANK_OFFICER,
        recipient_org=claim.bank,
    )
    remind(
        reminders.RECOVERY_RECEIPT,
        claim,
        about=recovery,
        title=f"补偿申请 {claim.reference} 追偿返还款待确认到账",
        due_date=recovery.return_due_on,
        recipient_role=Role.FINANCE,
        notify_workdays_before=(),
    )


@transaction.atomic
def recovery_confirm_receipt(*, by, recovery, voucher, value_date=None):
    """Finance confirms the returned money arrived; posts the recovery inflow once, then pays the queue."""
    require_move(Recovery, "confirm_receipt", by)
    voucher = voucher_of(voucher)
    value_date = value_date_of(value_date)
    locked = move(
        recovery,
        "confirm_receipt",
        by=by,
        reason=f"凭证号 {voucher}",
        received_by=by,
        received_at=now(),
        receipt_voucher=voucher,
        receipt_value_date=value_date,
    )
    claim = Claim.objects.select_for_update(of=("self",)).select_related("bank").get(pk=locked.claim_id)
    recovery_receive(
        by=by,
        amount=locked.return_amount,
        reference=locked,
        key=f"claim-{claim.pk}-recovery-{locked.pk}-return",
        bank=claim.bank,
        value_date=value_date,
        reason=f"追偿款返还 {claim.reference}（凭证 {voucher}）",
    )
    claim.returned_total += locked.return_amount
    claim.save(update_fields=["returned_total", "updated_at"])
    reminder_resolve(kind=reminders.RECOVERY_RETURN, about=locked)
    reminder_resolve(kind=reminders.RECOVERY_RECEIPT, about=locked)
    pay_queue(by=None)
    return locked


@transaction.atomic
def claim_close(*, by, claim, close_reason, reason):
    """Close a paid claim on write-off or full recovery (approver); refused while a return is outstanding."""
    require_move(Claim, "close", by)
    if close_reason not in Claim.CloseReason.values:
        raise ValidationFailed(MSG_CLOSE_REASON, code="close_reason")
    reason = parse_text(reason, field="说明", message=MSG_REASON_REQUIRED)
    claim = move(
        claim,
        "close",
        by=by,
        action=actions.CLOSE_BY_REASON[close_reason],
        reason=reason,
        closed_by=by,
        closed_at=now(),
        close_reason=close_reason,
    )
    loan_move(claim, claim.covered_loan.Status.CLOSED, by=by, reason=f"补偿申请 {claim.reference} 结案")
    reminder_resolve(kind=reminders.RECOVERY_REPORT, about=claim, discriminator=None)
    return claim
