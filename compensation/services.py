"""Every write of a compensation claim. See the state diagram in compensation.models.Claim.

Rules of thumb kept here, and only here:
- bank actions are done by a user of the claim's bank (officer prepares, supervisor submits a claim
  or countersigns a recovery report, never the same person); bureau actions by the clerk (intake,
  first review) and the approver (second review, payment instruction, closing, rescission), never
  the first reviewer deciding; finance confirms money;
- every number comes from the claim's policy version (the version in force when first submitted);
- every move goes through common.statemachine.transition and is audited; a second person acting on
  a claim that already moved gets a Conflict, and money posts once (fund idempotency keys
  claim-<id>-payout, claim-<id>-recovery-<n>-return, claim-<id>-clawback).

Where money arrives outside this app (contributions, interest), fund should call
`compensation.services.pay_queue(by=...)` after posting, so queued claims are committed in order.
"""

import datetime as dt
import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import (
    PERM_BANK_COUNTERSIGN,
    PERM_BANK_PREPARE,
    PERM_BUREAU_APPROVE,
    PERM_BUREAU_REVIEW,
    PERM_FINANCE,
    Role,
)
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.checks import FAIL, PASS, WARN, Check
from yunfu_ipfund.common.dates import add_months
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import (
    MSG_ALREADY_DONE,
    MSG_NO_ROLE,
    MSG_SAME_PERSON,
    MSG_WRONG_STATE,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from yunfu_ipfund.common.money import amount_in_capitals, format_money, to_money
from yunfu_ipfund.common.statemachine import lock, transition
from yunfu_ipfund.common.uploads import validate_upload
from yunfu_ipfund.common.workdays import add_workdays, is_working_day
from yunfu_ipfund.notices.services import (
    notice_issue,
    notify_organisation,
    register_action,
    reminder_resolve,
    reminder_schedule,
)
from yunfu_ipfund.policy.services import policy_in_force, policy_mark_used

from . import documents
from .amounts import Reduction, compute_compensation, net_of_costs, recovery_computation
from .evidence import (
    NOT_APPLICABLE,
    REDUCTION,
    SUPPLEMENT,
    UPLOADED,
    check_not_applicable,
    completeness,
    deficiency,
    evidence_spec,
)
from .masking import mask_enterprise_name
from .models import (
    Claim,
    ClaimEvidence,
    ClaimReduction,
    ClaimReview,
    Clawback,
    Objection,
    PublicNoticeBatch,
    Recovery,
    SupplementRequest,
)

S = Claim.Status

MSG_LOAN_NOT_NON_PERFORMING = "该笔在保贷款当前状态为“{status}”，只有已认定为不良的贷款才能申请风险补偿。"
MSG_WINDOW_CLOSED = (
    "已超过申请期限：该笔贷款于 {classified} 认定为不良，应在 {months} 个月内（{deadline} 前）申请补偿，今天是 {today}。"
)
MSG_OPEN_CLAIM = "该笔贷款已有办理中的补偿申请，不能重复申请。"
MSG_PRINCIPAL_OVER_OUTSTANDING = "未收回本金 {claimed} 元超过该笔贷款报告的贷款余额 {outstanding} 元。"
MSG_ACTIONS_REQUIRED = "请说明已采取的催收和追偿措施。"
MSG_NOT_EDITABLE = "补偿申请当前状态为“{status}”，不能修改。"
MSG_EVIDENCE_MISSING = "必备材料尚未齐全，不能提交。"
MSG_SUPPLEMENT_ROUNDS = "本申请已补正 {used} 次，已达《管理办法》规定的补正次数（{rounds} 次）上限，请受理或在审查中作出决定。"
MSG_SUPPLEMENT_ITEMS = "请至少列出一项需补充的材料或问题。"
MSG_NO_JOINT_MEETING = "该申请适用的《{policy}》不设联席会议审议环节。"
MSG_JOINT_MEETING_FIRST = "该申请适用的《{policy}》要求补偿决定前须经联席会议审议，请先登记联席会议审议情况。"
MSG_PARTIAL_NEEDS_REDUCTIONS = "部分补偿须列明核减事项（问题代码、核减金额和依据条款）。"
MSG_FULL_NO_REDUCTIONS = "全额补偿不应有核减事项；如需核减，请选择部分补偿。"
MSG_REASON_REQUIRED = "请填写理由。"
MSG_OPINION_REQUIRED = "请填写审查意见。"
MSG_BAD_OUTCOME = "复审结论无效。"
MSG_NOTHING_TO_PUBLISH = "没有待公示的拟补偿申请。"
MSG_NOT_IN_NOTICE = "该项目不在公示期内，不能提出异议。"
MSG_OBJECTION_CONTACT = "请留下联系方式（电话或电子邮箱），以便核实和答复。"
MSG_OBJECTION_CONTENT = "请填写异议内容（不超过 {limit} 字）。"
MSG_OBJECTION_NAME = "请填写姓名或单位名称（不超过 100 字）。"
MSG_PUBLICITY_RUNNING = "公示期至 {end} 结束，期满后方可作出补偿决定。"
MSG_NOT_PAYABLE = "该申请尚未取得资金承诺，不能拨付。"
MSG_VOUCHER_REQUIRED = "请填写凭证号。"
MSG_RECOVERY_STATE = "补偿申请当前状态为“{status}”，不能报告追偿。"
MSG_RECOVERY_DATE = "收到追偿款的日期不能晚于今天，也不能早于补偿拨付日期。"
MSG_RETURN_OUTSTANDING = "尚有追偿款未返还，不能结案。"
MSG_RECOVERY_DRAFT_OPEN = "尚有追偿报告待银行复核，不能结案。"
MSG_NO_FINANCE = "系统中尚未设置财政局机构，无法下达拨付通知。"
MSG_BAD_DATE = "日期“{value}”无效。"

OBJECTION_MAX_CHARS = 2000
ARTICLES_DECISION = ("第十二条", "第十三条", "第十四条")
RECONSIDERATION = (
    "如对本决定不服，可以自收到本决定书之日起六十日内依法申请行政复议，或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"
)

logger = logging.getLogger(__name__)


# --- helpers --------------------------------------------------------------------------------------


def _now():
    return timezone.now()


def _has(by, perm):
    return by is not None and by.is_authenticated and by.is_active and by.has_perm(perm)


def _require(by, perm):
    if not _has(by, perm):
        raise Forbidden(MSG_NO_ROLE, code="no_role")


def _require_bank(by, bank_id, *perms):
    """A user of the claim's bank holding one of `perms`. Another organisation: NotFound (never 403)."""
    if by is None or not by.is_authenticated or by.organisation_id != bank_id:
        raise NotFound()
    if not any(by.has_perm(p) for p in perms):
        raise Forbidden(MSG_NO_ROLE, code="no_role")


def _text(value, *, message, max_length=4000):
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, code="required")
    if len(value) > max_length:
        raise ValidationFailed(f"内容过长（不超过 {max_length} 字）。", code="too_long")
    return value


def _date(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationFailed(MSG_BAD_DATE.format(value=value), code="bad_date") from None


def policy_of(claim):
    """The claim's policy version; before the first submission, the one in force today."""
    return claim.policy_version or policy_in_force(local_today())


def _move(claim, to, *, by, action, reason="", check=None, data=None, **stamps):
    """transition(), refusing a second person who acts on a claim that has already moved (409)."""
    conflict_if = tuple(s for s in S.values if s != claim.status)
    locked, moved = transition(
        claim, to, by=by, action=action, reason=reason, check=check, conflict_if=conflict_if, data=data, **stamps
    )
    if not moved:
        raise Conflict(MSG_ALREADY_DONE.format(current=locked.get_status_display()), code="already_done")
    return locked


def _loan_move(claim, to, *, by, reason):
    """Move the covered loan along its own lifecycle (owned by lenders)."""
    from lenders.models import CoveredLoan
    from lenders.services import covered_loan_transition

    loan = CoveredLoan.objects.get(pk=claim.covered_loan_id)
    if loan.status == to or to not in loan.TRANSITIONS.get(loan.status, ()):
        return loan
    return covered_loan_transition(by=by, loan=loan, to_state=to, reason=reason)


def _bureau():
    return Organisation.objects.filter(kind=Organisation.Kind.BUREAU, is_active=True).order_by("id").first()


def _finance():
    org = Organisation.objects.filter(kind=Organisation.Kind.FINANCE, is_active=True).order_by("id").first()
    if org is None:
        raise DomainError(MSG_NO_FINANCE, code="no_finance")
    return org


def _url(claim):
    return claim.get_absolute_url()


def _remind(claim, name, **kwargs):
    return reminder_schedule(key=f"claim-{claim.pk}-{name}", about=claim, url=_url(claim), **kwargs)


def _resolve(claim, name):
    reminder_resolve(key=f"claim-{claim.pk}-{name}")


def _fmt_day(day):
    return f"{day:%Y年%m月%d日}" if day else ""


def claim_facts(claim):
    """The facts every notice about a claim prints (label, value)."""
    loan = claim.covered_loan
    return [
        ["申请编号", claim.reference],
        ["合作银行", claim.bank.name],
        ["借款企业", loan.enterprise.name],
        ["借款合同编号", loan.contract_number],
        ["贷款金额", f"{format_money(loan.amount)} 元"],
        ["纳入补偿范围金额", f"{format_money(loan.covered_amount)} 元"],
        ["认定不良日期", _fmt_day(claim.classified_on)],
        ["申请补偿的未收回本金", f"{format_money(claim.unrecovered_principal)} 元"],
    ]


def _issue(kind, claim, *, by, addressee=None, copied_to=(), **context):
    context.setdefault("facts", claim_facts(claim))
    return notice_issue(
        kind=kind, subject=claim, addressee=addressee or claim.bank, context=context, by=by, copied_to=copied_to
    )


def _money_context(amount, label):
    return {"amount": format_money(amount), "amount_capitals": amount_in_capitals(amount), "amount_label": label}


# --- the rules a claim is checked against (shown to the bank, the clerk and the approver) -----------


def claim_window_end(claim, policy):
    return add_months(claim.classified_on, policy.claim_window_months)


def evidence_states(claim):
    """{kind: UPLOADED | NOT_APPLICABLE} of the latest row of each kind."""
    states = {}
    for item in sorted(claim.evidence.all(), key=lambda e: e.pk):
        states[item.kind] = NOT_APPLICABLE if item.not_applicable else UPLOADED
    return states


def claim_checklist(claim):
    return completeness(evidence_states(claim))


def claim_checks(claim, *, on=None):
    """Itemised checks of a claim against the Measures (Check list)."""
    on = on or local_today()
    policy = policy_of(claim)
    loan = claim.covered_loan
    checks = []
    np_states = (loan.Status.NON_PERFORMING, loan.Status.IN_CLAIM)
    checks.append(Check(
        "loan_non_performing", "贷款已认定为不良", PASS if loan.status in np_states or claim.status != S.DRAFT else FAIL,
        f"在保贷款状态：{loan.get_status_display()}，{claim.get_classification_display()}类，{_fmt_day(claim.classified_on)} 认定",
        "第十二条",
    ))
    deadline = claim_window_end(claim, policy)
    filed = claim.first_submitted_on or on
    checks.append(Check(
        "claim_window", "在申请期限内", PASS if filed <= deadline else FAIL,
        f"认定不良后 {policy.claim_window_months} 个月内，即 {deadline} 前；"
        + (f"首次提交于 {filed}" if claim.first_submitted_on else f"今天是 {on}"),
        "第十二条",
    ))
    outstanding = loan.outstanding_principal
    checks.append(Check(
        "principal", "未收回本金不超过贷款余额", PASS if claim.unrecovered_principal <= outstanding else FAIL,
        f"申请 {format_money(claim.unrecovered_principal)} 元，报告的贷款余额 {format_money(outstanding)} 元（仅本金，不含利息罚息）",
        "第十三条",
    ))
    checklist = claim_checklist(claim)
    checks.append(Check(
        "evidence", "申请材料齐全", PASS if not checklist.missing_required else FAIL,
        f"完整度 {checklist.score}%"
        + (("；缺少：" + "、".join(s.label for s in checklist.missing_required)) if checklist.missing_required else ""),
        "第十二条",
    ))
    try:
        from applications.services import is_blacklisted

        listed = is_blacklisted(loan.enterprise, on)
    except ImportError:  # pragma: no cover - applications always installed
        listed = False
    checks.append(Check(
        "blacklist", "借款企业未列入失信黑名单", WARN if listed else PASS,
        "借款企业在失信黑名单期内，请核实是否存在虚假情形" if listed else "未列入", "第二十一条",
    ))
    return checks


# --- bank: prepare, evidence, submit ---------------------------------------------------------------


def _check_window(claim, policy, day):
    deadline = claim_window_end(claim, policy)
    if day > deadline:
        raise DomainError(
            MSG_WINDOW_CLOSED.format(
                classified=claim.classified_on, months=policy.claim_window_months, deadline=deadline, today=day
            ),
            code="claim_window",
        )


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


@transaction.atomic
def claim_create(*, by, covered_loan, unrecovered_principal, enforcement_actions):
    """A bank officer prepares a claim for a NON_PERFORMING covered loan of their bank, within the window."""
    from lenders.models import CoveredLoan

    _require_bank(by, covered_loan.bank_id, PERM_BANK_PREPARE)
    loan = CoveredLoan.objects.select_for_update(of=("self",)).select_related("enterprise", "bank").get(pk=covered_loan.pk)
    if loan.status != CoveredLoan.Status.NON_PERFORMING or loan.non_performing_on is None:
        raise DomainError(MSG_LOAN_NOT_NON_PERFORMING.format(status=loan.get_status_display()), code="not_non_performing")
    if Claim.objects.filter(covered_loan=loan, status__in=Claim.OPEN).exists():
        raise DomainError(MSG_OPEN_CLAIM, code="open_claim")
    claim = Claim(
        covered_loan=loan, bank=loan.bank, classified_on=loan.non_performing_on,
        classification=loan.classification if loan.classification in Claim.Classification.values else Claim.Classification.SUBSTANDARD,
        unrecovered_principal=_principal(unrecovered_principal, loan),
        enforcement_actions=_text(enforcement_actions, message=MSG_ACTIONS_REQUIRED),
        prepared_by=by,
    )
    _check_window(claim, policy_in_force(local_today()), local_today())
    claim.save()
    audit_record(by=by, action="创建补偿申请", obj=claim, to_state=claim.status,
                 data={"loan": loan.pk, "unrecovered_principal": claim.unrecovered_principal})
    return claim


@transaction.atomic
def claim_update(*, by, claim, unrecovered_principal, enforcement_actions):
    claim = Claim.objects.select_for_update(of=("self",)).select_related("covered_loan").get(pk=claim.pk)
    _require_bank(by, claim.bank_id, PERM_BANK_PREPARE)
    if not claim.is_editable:
        raise DomainError(MSG_NOT_EDITABLE.format(status=claim.get_status_display()), code="not_editable")
    before = {"unrecovered_principal": str(claim.unrecovered_principal), "enforcement_actions": claim.enforcement_actions}
    claim.unrecovered_principal = _principal(unrecovered_principal, claim.covered_loan)
    claim.enforcement_actions = _text(enforcement_actions, message=MSG_ACTIONS_REQUIRED)
    claim.save(update_fields=["unrecovered_principal", "enforcement_actions", "updated_at"])
    audit_record(by=by, action="修改补偿申请", obj=claim, data={"before": before})
    return claim


def _editable_for_bank(by, claim):
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _require_bank(by, claim.bank_id, PERM_BANK_PREPARE, PERM_BANK_COUNTERSIGN)
    if not claim.is_editable:
        raise DomainError(MSG_NOT_EDITABLE.format(status=claim.get_status_display()), code="not_editable")
    return claim


@transaction.atomic
def evidence_upload(*, by, claim, kind, file):
    """Attach a file to one checklist item (PDF/JPEG/PNG by content). Replaces, never deletes, the earlier one."""
    claim = _editable_for_bank(by, claim)
    spec = evidence_spec(kind)
    content_type, sha256 = validate_upload(file)
    item = ClaimEvidence(
        claim=claim, kind=spec.code, content_type=content_type, sha256=sha256, size=file.size,
        original_name=(getattr(file, "name", "") or "")[:200], uploaded_by=by,
    )
    item.file.save("upload", file, save=False)
    item.save()
    audit_record(by=by, action="上传补偿申请材料", obj=claim, reason=spec.label, data={"kind": spec.code, "sha256": sha256})
    return item


@transaction.atomic
def evidence_mark_not_applicable(*, by, claim, kind, reason):
    claim = _editable_for_bank(by, claim)
    spec = check_not_applicable(kind, reason)
    item = ClaimEvidence.objects.create(
        claim=claim, kind=spec.code, not_applicable=True, reason=_text(reason, message=MSG_REASON_REQUIRED, max_length=1000),
        uploaded_by=by,
    )
    audit_record(by=by, action="材料标记为不适用", obj=claim, reason=f"{spec.label}：{item.reason}")
    return item


@transaction.atomic
def claim_submit(*, by, claim):
    """The bank supervisor (not the preparer) submits, or resubmits after a supplement request."""
    _require_bank(by, claim.bank_id, PERM_BANK_COUNTERSIGN)
    today = local_today()

    def check(locked):
        if locked.prepared_by_id == by.pk:
            raise Forbidden(MSG_SAME_PERSON, code="same_person")
        checklist = claim_checklist(locked)
        if checklist.missing_required:
            raise DomainError(
                MSG_EVIDENCE_MISSING, code="evidence_missing",
                details=[{"rule": s.code, "message": f"缺少：{s.label}"} for s in checklist.missing_required],
            )
        if locked.first_submitted_on is None:
            _check_window(locked, policy_in_force(today), today)

    first = claim.first_submitted_on is None
    policy = claim.policy_version or policy_in_force(today)
    intake_due = add_workdays(today, policy.completeness_check_workdays)
    stamps = {"submitted_by": by, "submitted_at": _now(), "intake_due_on": intake_due}
    if first:
        stamps.update(first_submitted_on=today, policy_version=policy)
    claim = _move(claim, S.SUBMITTED, by=by, action="提交补偿申请" if first else "补正后重新提交", check=check, **stamps)
    policy_mark_used(policy)
    if first:
        _loan_move(claim, claim.covered_loan.Status.IN_CLAIM, by=by, reason=f"提交补偿申请 {claim.reference}")
    else:
        SupplementRequest.objects.filter(claim=claim, resubmitted_at__isnull=True).update(resubmitted_at=_now())
        _resolve(claim, "supplement")
    _remind(
        claim, "intake", title=f"补偿申请 {claim.reference} 待受理（完整性审查）", due_date=intake_due,
        recipient_role=Role.BUREAU_CLERK,
    )
    return claim


# --- bureau: intake ----------------------------------------------------------------------------------


@transaction.atomic
def claim_accept(*, by, claim):
    _require(by, PERM_BUREAU_REVIEW)
    policy = policy_of(claim)
    today = local_today()
    due = add_workdays(today, policy.substantive_review_workdays)
    claim = _move(claim, S.ACCEPTED, by=by, action="受理补偿申请", accepted_by=by, accepted_at=_now(), review_due_on=due)
    _resolve(claim, "intake")
    _issue(
        documents.ACCEPTANCE, claim, by=by,
        paragraphs=[
            f"贵行于 {_fmt_day(timezone.localtime(claim.submitted_at).date())} 提交的风险补偿申请（{claim.reference}）材料齐全，现予受理。",
            f"我局将依照《{policy.title}》在 {policy.substantive_review_workdays} 个工作日内（{_fmt_day(due)} 前）完成审查。",
        ],
    )
    _remind(claim, "review", title=f"补偿申请 {claim.reference} 待审查", due_date=due, recipient_role=Role.BUREAU_CLERK)
    return claim


@transaction.atomic
def claim_request_supplement(*, by, claim, items):
    """Return the claim for supplement with itemised deficiency codes: [{"code": "D01", "note": "..."}]."""
    _require(by, PERM_BUREAU_REVIEW)
    policy = policy_of(claim)
    rows = []
    for item in items or ():
        d = deficiency(item.get("code"), use=SUPPLEMENT)
        rows.append({"code": d.code, "label": d.label, "article": d.article, "note": (item.get("note") or "").strip()[:500]})
    if not rows:
        raise ValidationFailed(MSG_SUPPLEMENT_ITEMS, code="items_required")
    used = SupplementRequest.objects.filter(claim=claim).count()
    if used >= policy.supplement_rounds:
        raise DomainError(MSG_SUPPLEMENT_ROUNDS.format(used=used, rounds=policy.supplement_rounds), code="supplement_rounds")
    due = add_workdays(local_today(), policy.supplement_workdays)
    claim = _move(claim, S.SUPPLEMENT_REQUESTED, by=by, action="通知补充材料",
                  reason="；".join(f"{r['code']} {r['label']}" for r in rows), data={"items": rows, "due_on": due})
    SupplementRequest.objects.create(claim=claim, round=used + 1, items=rows, due_on=due, requested_by=by)
    _resolve(claim, "intake")
    _issue(
        documents.SUPPLEMENT, claim, by=by,
        paragraphs=[
            f"经审查，贵行提交的风险补偿申请（{claim.reference}）材料不齐全或存在以下问题，请于 {_fmt_day(due)} 前"
            f"（{policy.supplement_workdays} 个工作日内）补正后重新提交。",
        ],
        items={"head": ["问题代码", "问题", "说明", "依据"], "rows": [[r["code"], r["label"], r["note"], r["article"]] for r in rows]},
        closing=[f"逾期未补正的，本申请终止办理。本次为第 {used + 1} 次补正（共可补正 {policy.supplement_rounds} 次）。"],
    )
    _remind(
        claim, "supplement", title=f"补偿申请 {claim.reference} 须在期限内补充材料", due_date=due,
        recipient_role=Role.BANK_OFFICER, recipient_org=claim.bank, action="compensation.supplement_lapse",
    )
    return claim


@register_action("compensation.supplement_lapse")
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
    today = local_today()
    if supplement is None or today <= supplement.due_on:
        raise DomainError(f"补正期限为 {supplement.due_on if supplement else '—'}，尚未届满。", code="not_due")
    claim = _move(claim, S.LAPSED, by=by, action="逾期未补正，终止办理", reason=f"补正期限 {supplement.due_on} 已届满")
    _loan_move(claim, claim.covered_loan.Status.NON_PERFORMING, by=by, reason=f"补偿申请 {claim.reference} 终止办理")
    _issue(
        documents.LAPSE, claim, by=by,
        paragraphs=[
            f"我局于 {_fmt_day(timezone.localtime(supplement.requested_at).date())} 通知贵行补充材料，补正期限为"
            f" {_fmt_day(supplement.due_on)}。贵行未在期限内补正，本申请（{claim.reference}）终止办理。",
            "如仍在申请期限内，贵行可重新提出申请。",
        ],
    )
    return claim


# --- bureau: review ----------------------------------------------------------------------------------


@transaction.atomic
def claim_first_review(*, by, claim, opinion, rule_opinions=None):
    """The clerk's first review: an overall opinion and one opinion per rule (rule code -> note)."""
    _require(by, PERM_BUREAU_REVIEW)
    opinion = _text(opinion, message=MSG_OPINION_REQUIRED)
    notes = rule_opinions or {}
    rows = [
        {"rule": c.rule, "label": c.label, "outcome": c.outcome, "message": c.message, "article": c.article,
         "opinion": (notes.get(c.rule) or "").strip()[:1000]}
        for c in claim_checks(claim)
    ]
    def check(locked):
        if locked.status != S.ACCEPTED:  # PUBLIC_NOTICE -> FIRST_REVIEWED is the objection's move, not the clerk's
            raise DomainError(MSG_WRONG_STATE.format(current=locked.get_status_display(), action="初审"), code="wrong_state")

    claim = _move(claim, S.FIRST_REVIEWED, by=by, action="初审", reason=opinion, check=check, first_reviewer=by,
                  first_reviewed_at=_now())
    ClaimReview.objects.create(claim=claim, stage=ClaimReview.Stage.FIRST, reviewer=by, opinion=opinion, rule_opinions=rows)
    _resolve(claim, "review")
    _remind(claim, "second-review", title=f"补偿申请 {claim.reference} 待复审", due_date=claim.review_due_on or local_today(),
            recipient_role=Role.BUREAU_APPROVER)
    return claim


@transaction.atomic
def claim_joint_meeting(*, by, claim, meeting_on, minutes_reference, opinion):
    """Under a policy version with a joint-meeting office (2020 Measures), record its deliberation."""
    if not (_has(by, PERM_BUREAU_APPROVE) or _has(by, PERM_BUREAU_REVIEW)):
        raise Forbidden(MSG_NO_ROLE, code="no_role")
    policy = policy_of(claim)
    if not policy.requires_joint_meeting:
        raise DomainError(MSG_NO_JOINT_MEETING.format(policy=policy.title), code="no_joint_meeting")
    meeting_on = _date(meeting_on)
    if meeting_on > local_today():
        raise ValidationFailed("联席会议日期不能晚于今天。", code="future_date")
    minutes = _text(minutes_reference, message="请填写会议纪要文号。", max_length=100)
    opinion = _text(opinion, message=MSG_OPINION_REQUIRED)
    claim = _move(claim, S.JOINT_MEETING, by=by, action="登记联席会议审议", reason=opinion,
                  joint_meeting_on=meeting_on, joint_meeting_minutes=minutes)
    ClaimReview.objects.create(claim=claim, stage=ClaimReview.Stage.JOINT_MEETING, reviewer=by, opinion=opinion,
                               rule_opinions=[{"meeting_on": str(meeting_on), "minutes": minutes}])
    return claim


def bank_cap_remaining(claim, policy, *, year):
    """What is left of the policy's per-bank annual compensation cap (None when the policy sets none)."""
    if policy.per_bank_compensation_cap is None:
        return None
    from django.db.models import Sum

    used = (
        Claim.objects.filter(bank_id=claim.bank_id, second_reviewed_at__year=year)
        .filter(status__in=(S.APPROVED, S.PUBLIC_NOTICE, *Claim.DECIDED_STATES))
        .exclude(pk=claim.pk)
        .aggregate(s=Sum("approved_amount"))["s"]
        or Decimal("0")
    )
    return policy.per_bank_compensation_cap - used


def fund_available():
    from fund.selectors import fund_figures

    return fund_figures().available


def claim_compute(claim, reductions=()):
    """The computation for `claim` with `reductions` (Reduction tuples).

    The fund's share is the one the filing confirmation (备案确认书) fixed for this loan, under the version
    in force on its disbursement (stored on the covered loan); the caps and the procedure come from the
    claim's own policy version (docs/adr/0003-which-policy-version-judges-what.md)."""
    policy = policy_of(claim)
    loan = claim.covered_loan
    return compute_compensation(
        unrecovered_principal=claim.unrecovered_principal, loan_amount=loan.amount, covered_amount=loan.covered_amount,
        fund_share=loan.fund_share, per_loan_cap=policy.per_loan_compensation_cap,
        per_bank_cap_remaining=bank_cap_remaining(claim, policy, year=timezone.localtime().year),
        available=fund_available(), reductions=reductions,
    )


@transaction.atomic
def claim_second_review(*, by, claim, outcome, reason, reductions=()):
    """The approver (never the first reviewer) approves in full, in part (itemised reductions), or rejects.

    reductions: [{"code": "D05", "amount": "30000.00", "note": "..."}] (partial approval only).
    """
    _require(by, PERM_BUREAU_APPROVE)
    reason = _text(reason, message=MSG_REASON_REQUIRED)
    if outcome not in Claim.Outcome.values:
        raise ValidationFailed(MSG_BAD_OUTCOME, code="bad_outcome")
    policy = policy_of(claim)
    items = []
    for row in reductions or ():
        d = deficiency(row.get("code"), use=REDUCTION)
        items.append(Reduction(d.code, to_money(row.get("amount"), allow_zero=False), d.article, d.label))
    if outcome == Claim.Outcome.PARTIAL and not items:
        raise ValidationFailed(MSG_PARTIAL_NEEDS_REDUCTIONS, code="reductions_required")
    if outcome != Claim.Outcome.PARTIAL and items:
        raise ValidationFailed(MSG_FULL_NO_REDUCTIONS, code="no_reductions")

    def check(locked):
        if locked.first_reviewer_id == by.pk:
            raise Forbidden(MSG_SAME_PERSON, code="same_person")
        if policy.requires_joint_meeting and locked.status == S.FIRST_REVIEWED:
            raise DomainError(MSG_JOINT_MEETING_FIRST.format(policy=policy.title), code="joint_meeting_required")

    stamps = {"second_reviewer": by, "second_reviewed_at": _now(), "outcome": outcome, "outcome_reason": reason}
    if outcome == Claim.Outcome.REJECT:
        claim = _move(claim, S.REJECTED, by=by, action="复审：不予补偿", reason=reason, check=check, **stamps)
        ClaimReview.objects.create(claim=claim, stage=ClaimReview.Stage.SECOND, reviewer=by, outcome=outcome, opinion=reason)
        _loan_move(claim, claim.covered_loan.Status.NON_PERFORMING, by=by, reason=f"补偿申请 {claim.reference} 不予补偿")
        _resolve(claim, "second-review")
        _issue(
            documents.REFUSAL, claim, by=by,
            paragraphs=[f"经审查，贵行提交的风险补偿申请（{claim.reference}）不符合《{policy.title}》规定的补偿条件，决定不予补偿。"],
            items={"head": ["理由"], "rows": [[reason]]},
            closing=[RECONSIDERATION],
        )
        return claim

    computation = claim_compute(claim, items)
    claim = _move(
        claim, S.APPROVED, by=by, action=f"复审：{Claim.Outcome(outcome).label}", reason=reason, check=check,
        computation=computation.as_dict(), approved_amount=computation.amount,
        data={"amount": computation.amount, "reductions": [r.code for r in items]}, **stamps,
    )
    review = ClaimReview.objects.create(claim=claim, stage=ClaimReview.Stage.SECOND, reviewer=by, outcome=outcome, opinion=reason)
    ClaimReduction.objects.filter(claim=claim).delete()  # a second review after an objection replaces the earlier ones
    ClaimReduction.objects.bulk_create(
        ClaimReduction(claim=claim, review=review, code=r.code, label=r.label, article=r.article, amount=r.amount,
                       note=next((x.get("note", "") for x in reductions if (x.get("code") or "").upper() == r.code), ""))
        for r in items
    )
    _resolve(claim, "second-review")
    return claim


def claim_approve(*, by, claim, reason, reductions=()):
    outcome = Claim.Outcome.PARTIAL if reductions else Claim.Outcome.FULL
    return claim_second_review(by=by, claim=claim, outcome=outcome, reason=reason, reductions=reductions)


def claim_reject(*, by, claim, reason):
    return claim_second_review(by=by, claim=claim, outcome=Claim.Outcome.REJECT, reason=reason)


# --- public notice -----------------------------------------------------------------------------------


def publicity_period(day, workdays):
    """(first day, last day): from `day` (or the next working day) for `workdays` working days."""
    start = day if is_working_day(day) else add_workdays(day, 1)
    return start, add_workdays(start, workdays - 1)


@transaction.atomic
def notice_batch_publish(*, by, claims=None):
    """Publish the approved claims (all, or those given) as one public notice batch."""
    if not (_has(by, PERM_BUREAU_REVIEW) or _has(by, PERM_BUREAU_APPROVE)):
        raise Forbidden(MSG_NO_ROLE, code="no_role")
    qs = Claim.objects.select_for_update().filter(status=S.APPROVED).order_by("second_reviewed_at", "id")
    if claims is not None:
        qs = qs.filter(pk__in=[c.pk for c in claims])
    chosen = list(qs)
    if not chosen:
        raise DomainError(MSG_NOTHING_TO_PUBLISH, code="nothing_to_publish")
    # One period for the batch: the longest any of its claims' policy versions requires.
    workdays = max(policy_of(c).public_notice_workdays for c in chosen)
    start, end = publicity_period(local_today(), workdays)
    rows = []
    for c in Claim.objects.filter(pk__in=[c.pk for c in chosen]).select_related("covered_loan__enterprise", "bank").order_by(
        "second_reviewed_at", "id"
    ):
        rows.append({
            "claim": c.pk, "reference": c.reference, "bank": c.bank.name,
            "enterprise": mask_enterprise_name(c.covered_loan.enterprise.name),
            "loan_amount": format_money(c.covered_loan.amount), "proposed": format_money(c.approved_amount),
        })
    how = (
        f"公示期间，任何单位和个人对上述拟补偿项目有异议的，可通过本平台“公示公告”页面提交书面异议（须留下真实姓名或单位及联系方式），"
        f"截止时间为 {_fmt_day(end)}。"
    )
    batch = PublicNoticeBatch.objects.create(
        published_by=by, published_at=_now(), starts_on=start, ends_on=end, workdays=workdays, rows=rows,
    )
    for c in chosen:
        c = _move(c, S.PUBLIC_NOTICE, by=by, action="发布公示", reason=f"第 {batch.pk} 批公示", batch=batch)
        _remind(
            c, f"publicity-{batch.pk}", title=f"补偿申请 {c.reference} 公示期满（{end}）后自动作出补偿决定",
            due_date=end, recipient_role=Role.BUREAU_APPROVER, notify_workdays_before=(),
            action="compensation.publicity_end",
        )
    notice = notice_issue(
        kind=documents.PUBLIC_NOTICE, subject=batch, addressee=by.organisation or _bureau(), by=by,
        copied_to=list(Organisation.objects.filter(pk__in={c.bank_id for c in chosen})),
        context={
            "paragraphs": ["根据风险补偿资金管理办法的规定，现将拟予风险补偿的项目公示如下："],
            "rows": rows, "period_start": _fmt_day(start), "period_end": _fmt_day(end), "workdays": workdays,
            "how_to_object": how,
        },
    )
    batch.notice = notice
    batch.save(update_fields=["notice"])
    audit_record(by=by, action="发布公示批次", obj=batch, data={"claims": [c.pk for c in chosen], "ends_on": end})
    return batch


@transaction.atomic
def objection_submit(*, claim, name, contact, content, ip=None):
    """Anyone objects to a claim on public notice. The claim goes back to second review at once."""
    name = (name or "").strip()
    contact = (contact or "").strip()
    content = (content or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(MSG_OBJECTION_NAME, code="name")
    if not contact or len(contact) > 100:
        raise ValidationFailed(MSG_OBJECTION_CONTACT, code="contact")
    if not content or len(content) > OBJECTION_MAX_CHARS:
        raise ValidationFailed(MSG_OBJECTION_CONTENT.format(limit=OBJECTION_MAX_CHARS), code="content")
    claim = Claim.objects.select_for_update(of=("self",)).select_related("batch").get(pk=claim.pk)
    today = local_today()
    if claim.status != S.PUBLIC_NOTICE or claim.batch is None or not (claim.batch.starts_on <= today <= claim.batch.ends_on):
        raise DomainError(MSG_NOT_IN_NOTICE, code="not_in_notice")
    objection = Objection.objects.create(batch=claim.batch, claim=claim, name=name, contact=contact, content=content, ip=ip)
    audit_record(by=None, action="收到公示异议", obj=claim, reason=content[:300], data={"objection": objection.pk})
    _resolve(claim, f"publicity-{claim.batch_id}")
    claim = _move(claim, S.FIRST_REVIEWED, by=None, action="公示异议，退回复审", reason=content[:300],
                  outcome="", second_reviewer=None, second_reviewed_at=None)
    _remind(claim, "objection", title=f"补偿申请 {claim.reference} 公示期间收到异议，请复核", due_date=add_workdays(today, 5),
            recipient_role=Role.BUREAU_APPROVER)
    return objection


@register_action("compensation.publicity_end")
def _publicity_end_action(reminder):
    claim = Claim.objects.filter(pk=reminder.subject_id).first()
    if claim is None or claim.status != S.PUBLIC_NOTICE:
        return True
    claim_decide(by=None, claim=claim)
    return True


@transaction.atomic
def claim_decide(*, by, claim):
    """The public notice ended without objection: the compensation decision (normally run by the sweep)."""
    claim = Claim.objects.select_related("batch", "covered_loan__enterprise", "bank").get(pk=claim.pk)
    today = local_today()
    if claim.batch is not None and today <= claim.batch.ends_on:
        raise DomainError(MSG_PUBLICITY_RUNNING.format(end=claim.batch.ends_on), code="publicity_running")
    policy = policy_of(claim)
    payment_due = add_workdays(today, policy.payment_workdays)
    claim = _move(claim, S.DECIDED, by=by, action="作出补偿决定", reason="公示期满无异议",
                  decided_at=_now(), payment_due_on=payment_due)
    comp = claim.computation
    articles = sorted(set(ARTICLES_DECISION) | {r["article"] for r in comp.get("reductions", [])},
                      key=lambda a: (len(a), a))
    obligations = [
        f"贵行应继续依法向借款人、担保人追偿（包括诉讼、处置质押的知识产权等），自收到每笔追偿款之日起 {policy.recovery_report_workdays} "
        "个工作日内通过本平台报告。",
        f"追偿所得扣除有据可查的追偿费用后，按本决定的同一比例计算风险补偿资金应得部分，于收到返还通知之日起 "
        f"{policy.recovery_return_workdays} 个工作日内返还风险补偿资金专户，累计返还以本决定补偿金额为限。",
        "如发现申请材料存在虚假情形，我局将撤销本决定、追回已拨付资金，并将借款企业列入失信黑名单。",
    ]
    _issue(
        documents.DECISION, claim, by=by, copied_to=[_finance()],
        paragraphs=[
            f"贵行提交的风险补偿申请（{claim.reference}）经受理、审查，并于 {_fmt_day(claim.batch.starts_on) if claim.batch else ''}"
            f" 至 {_fmt_day(claim.batch.ends_on) if claim.batch else ''} 公示期满无异议，依照《{policy.title}》，决定给予风险补偿。",
        ],
        **_money_context(claim.approved_amount, "决定补偿金额"),
        steps=comp.get("steps", []), articles=articles, policy_title=policy.title, closing=obligations,
        items=({"head": ["核减事由", "依据", "核减金额（元）"],
                "rows": [[f"{r['code']} {r['label']}", r["article"], format_money(Decimal(r["amount"]))] for r in comp["reductions"]]}
               if comp.get("reductions") else None),
    )
    _commit_or_queue(claim, by=by)
    return Claim.objects.get(pk=claim.pk)


# --- payment and the queue ---------------------------------------------------------------------------


def _commit(claim):
    from fund.services import commitment_create

    return commitment_create(
        by=None, amount=claim.approved_amount, reference=claim, key=f"claim-{claim.pk}-commitment", bank=claim.bank,
        reason=f"补偿决定 {claim.reference}",
    )


def _commit_or_queue(claim, *, by):
    """Commit the decided amount when the fund can carry it and nobody is queued ahead; else queue."""
    from fund.services import lock_fund

    lock_fund()
    ahead = Claim.objects.filter(status=S.QUEUED).exclude(pk=claim.pk).exists()
    if not ahead and fund_available() >= claim.approved_amount:
        commitment = _commit(claim)
        Claim.objects.filter(pk=claim.pk).update(commitment=commitment)
        _remind(claim, "instruct", title=f"补偿申请 {claim.reference} 待下达拨付通知", due_date=claim.payment_due_on,
                recipient_role=Role.BUREAU_APPROVER)
        return False
    _move(claim, S.QUEUED, by=by, action="资金不足，排队等待", reason="可用余额不足或前有排队项目", queued_at=_now())
    notify_organisation(claim.bank, title=f"补偿申请 {claim.reference} 已决定补偿，因资金可用余额不足进入拨付排队",
                        body="资金到位后将按决定先后顺序拨付。", url=_url(claim))
    return True


def _instruct(claim, *, by):
    policy = policy_of(claim)
    claim = _move(claim, S.PAYMENT_INSTRUCTED, by=by, action="下达拨付通知", instructed_by=by, instructed_at=_now())
    finance = _finance()
    _issue(
        documents.PAYMENT_INSTRUCTION, claim, by=by, addressee=finance, copied_to=[claim.bank],
        paragraphs=[
            f"根据风险补偿决定（{claim.reference}），请从风险补偿资金专户向 {claim.bank.name} 拨付风险补偿资金，"
            f"并于 {_fmt_day(claim.payment_due_on)} 前（决定后 {policy.payment_workdays} 个工作日内）在本平台确认拨付。",
        ],
        **_money_context(claim.approved_amount, "拨付金额"),
    )
    _resolve(claim, "instruct")
    _remind(claim, "pay", title=f"补偿申请 {claim.reference} 待确认拨付", due_date=claim.payment_due_on or local_today(),
            recipient_role=Role.FINANCE)
    return claim


@transaction.atomic
def claim_instruct_payment(*, by, claim):
    """The bureau approver issues the payment instruction for a decided (committed) claim."""
    _require(by, PERM_BUREAU_APPROVE)
    if claim.commitment_id is None and claim.status == S.DECIDED:
        raise DomainError(MSG_NOT_PAYABLE, code="not_committed")
    return _instruct(claim, by=by)


@transaction.atomic
def pay_queue(*, by=None):
    """Commit and instruct queued claims in decision order while the fund can carry the next one.

    Strictly first-come-first-served: a large claim at the head is never skipped for a smaller one.
    Call after money arrives (recovery returns and clawbacks do; fund should after contributions and
    interest). Returns the claims moved.
    """
    from fund.services import lock_fund

    lock_fund()
    moved = []
    for claim in Claim.objects.select_for_update().filter(status=S.QUEUED).order_by("decided_at", "id"):
        if fund_available() < claim.approved_amount:
            break
        commitment = _commit(claim)
        Claim.objects.filter(pk=claim.pk).update(commitment=commitment)
        claim.refresh_from_db()
        moved.append(_instruct(claim, by=by))
    return moved


def pay_queue_when_money_arrives(sender, posting, **kwargs):
    """fund.signals.money_arrived receiver: money came in, so queued claims may now be paid in order."""
    try:
        pay_queue(by=None)
    except DomainError:
        logger.exception("paying the queue after posting %s failed; the next arrival or the sweep retries", posting.pk)


@transaction.atomic
def claim_confirm_payment(*, by, claim, voucher, value_date=None):
    """Finance confirms the payment from the special account; posts the payout once."""
    from fund.services import payout_post

    _require(by, PERM_FINANCE)
    voucher = _text(voucher, message=MSG_VOUCHER_REQUIRED, max_length=60)
    value_date = _date(value_date) if value_date else local_today()

    def check(locked):
        if locked.commitment_id is None:
            raise DomainError(MSG_NOT_PAYABLE, code="not_committed")

    claim = _move(claim, S.PAID, by=by, action="确认拨付", reason=f"凭证号 {voucher}", check=check, paid_by=by,
                  paid_at=_now(), payment_voucher=voucher, payment_value_date=value_date)
    payout_post(by=by, commitment=claim.commitment, amount=claim.approved_amount, key=f"claim-{claim.pk}-payout",
                value_date=value_date, reason=f"风险补偿拨付 {claim.reference}（凭证 {voucher}）")
    Claim.objects.filter(pk=claim.pk).update(paid_amount=claim.approved_amount)
    claim.paid_amount = claim.approved_amount
    _resolve(claim, "pay")
    _loan_move(claim, claim.covered_loan.Status.COMPENSATED, by=by, reason=f"风险补偿已拨付 {claim.reference}")
    notify_organisation(claim.bank, title=f"补偿申请 {claim.reference} 的补偿资金已拨付",
                        body=f"金额 {format_money(claim.approved_amount)} 元，凭证号 {voucher}。", url=_url(claim))
    schedule_recovery_report(claim, local_today())
    return claim


# --- recovery ----------------------------------------------------------------------------------------


def quarter_end(day):
    month = ((day.month - 1) // 3 + 1) * 3
    return add_months(dt.date(day.year, month, 1), 1) - dt.timedelta(days=1)


def schedule_recovery_report(claim, today):
    """The quarterly reminder asking the bank for a recovery report while the claim is open (idempotent)."""
    end = quarter_end(today)
    q = (end.month - 1) // 3 + 1
    return _remind(
        claim, f"recovery-{end.year}Q{q}", title=f"请报告补偿申请 {claim.reference} 本季度的追偿进展",
        due_date=end, recipient_role=Role.BANK_OFFICER, recipient_org=claim.bank,
        body="如本季度收到追偿款，请在收到之日起规定期限内报告；如无，请在申请页面说明追偿进展。",
    )


def covered_ratio(claim):
    loan = claim.covered_loan
    return loan.covered_amount / loan.amount


def _recovery_fields(claim, *, received_on, amount, costs, description):
    """Parse and check what the bank reports about one recovery (the draft's fields)."""
    if claim.status not in (S.PAID, S.RECOVERY):
        raise DomainError(MSG_RECOVERY_STATE.format(status=claim.get_status_display()), code="wrong_state")
    received_on = _date(received_on)
    if received_on > local_today() or (claim.payment_value_date and received_on < claim.payment_value_date):
        raise ValidationFailed(MSG_RECOVERY_DATE, code="bad_date")
    amount = to_money(amount, allow_zero=False)
    costs = to_money(costs or "0")
    return {
        "received_on": received_on, "amount": amount, "costs": costs, "net_amount": net_of_costs(amount, costs),
        "description": (description or "").strip()[:4000],
        "report_due_on": add_workdays(received_on, policy_of(claim).recovery_report_workdays),
    }


def _attach_recovery_evidence(recovery, evidence):
    if evidence is not None:
        recovery.content_type, recovery.sha256 = validate_upload(evidence)
        recovery.evidence.save("upload", evidence, save=False)


def _draft_for_officer(by, recovery):
    """The draft under lock, for an officer of its bank; anything else already moved is a Conflict."""
    recovery = lock(Recovery, recovery.pk)
    claim = Claim.objects.select_related("covered_loan", "bank").get(pk=recovery.claim_id)
    _require_bank(by, claim.bank_id, PERM_BANK_PREPARE)
    if recovery.status != Recovery.Status.DRAFT:
        raise Conflict(MSG_ALREADY_DONE.format(current=recovery.get_status_display()), code="already_done")
    return recovery, claim


@transaction.atomic
def recovery_prepare(*, by, claim, received_on, amount, costs="0", description="", evidence=None):
    """The bank officer prepares a recovery report (DRAFT, 待复核) with its evidence.

    Nothing reaches the bureau or the fund yet: the supervisor's countersign does that
    (recovery_countersign)."""
    _require_bank(by, claim.bank_id, PERM_BANK_PREPARE)
    claim = Claim.objects.select_related("covered_loan", "bank").get(pk=claim.pk)
    recovery = Recovery(claim=claim, reported_by=by, status=Recovery.Status.DRAFT,
                        **_recovery_fields(claim, received_on=received_on, amount=amount, costs=costs, description=description))
    _attach_recovery_evidence(recovery, evidence)
    recovery.save()
    audit_record(by=by, action="起草追偿报告", obj=claim, to_state=recovery.status,
                 reason=f"收到 {format_money(recovery.amount)} 元，费用 {format_money(recovery.costs)} 元",
                 data={"recovery": recovery.pk})
    return recovery


@transaction.atomic
def recovery_update(*, by, recovery, received_on, amount, costs="0", description="", evidence=None):
    """The officer corrects a draft recovery report (a new file replaces the evidence; the old one is kept)."""
    recovery, claim = _draft_for_officer(by, recovery)
    fields = _recovery_fields(claim, received_on=received_on, amount=amount, costs=costs, description=description)
    before = {f: str(getattr(recovery, f)) for f in ("received_on", "amount", "costs", "description")}
    for field, value in fields.items():
        setattr(recovery, field, value)
    _attach_recovery_evidence(recovery, evidence)
    recovery.save()
    audit_record(by=by, action="修改追偿报告", obj=recovery, data={"before": before})
    return recovery


@transaction.atomic
def recovery_withdraw(*, by, recovery, reason=""):
    """The officer withdraws a draft recovery report before it is countersigned."""
    recovery, _claim = _draft_for_officer(by, recovery)
    locked, _moved = transition(recovery, Recovery.Status.WITHDRAWN, by=by, action="撤回追偿报告",
                                reason=(reason or "").strip()[:1000])
    return locked


@transaction.atomic
def recovery_countersign(*, by, recovery):
    """A bank supervisor (not the preparer) countersigns a draft recovery report, which reports it:
    the fund's share (same ratio, capped at what the fund paid) is computed and demanded with a
    notice, the fund expects it, and reminders are set. The report deadline is judged today."""
    from fund.services import recovery_return_expect

    claim = Claim.objects.select_related("covered_loan", "bank").get(pk=recovery.claim_id)
    _require_bank(by, claim.bank_id, PERM_BANK_COUNTERSIGN)
    # The claim's row serialises reports on one claim: each share is computed on what is already owed.
    claim = Claim.objects.select_for_update(of=("self",)).select_related("covered_loan", "bank").get(pk=claim.pk)
    draft = lock(Recovery, recovery.pk)
    if draft.status != Recovery.Status.DRAFT:
        raise Conflict(MSG_ALREADY_DONE.format(current=draft.get_status_display()), code="already_done")
    if draft.reported_by_id == by.pk:
        raise Forbidden(MSG_SAME_PERSON, code="same_person")
    if claim.status not in (S.PAID, S.RECOVERY):
        raise DomainError(MSG_RECOVERY_STATE.format(status=claim.get_status_display()), code="wrong_state")
    policy = policy_of(claim)
    today = local_today()
    already = claim.returned_total + sum(
        (r.return_amount for r in claim.recoveries.filter(status=Recovery.Status.REPORTED)), Decimal("0")
    )
    comp = recovery_computation(net_recovery=draft.net_amount, fund_share=claim.covered_loan.fund_share,
                                covered_ratio=covered_ratio(claim), paid=claim.paid_amount or 0, already_returned=already)
    owed = comp.amount > 0
    report_due = add_workdays(draft.received_on, policy.recovery_report_workdays)
    recovery, _moved = transition(
        draft, Recovery.Status.REPORTED if owed else Recovery.Status.SETTLED, by=by, action="复核并报告追偿",
        reason=f"收到 {format_money(draft.amount)} 元，费用 {format_money(draft.costs)} 元",
        data={"return": comp.amount, "late": today > report_due},
        return_amount=comp.amount, computation=comp.as_dict(), report_due_on=report_due, reported_late=today > report_due,
        return_due_on=add_workdays(today, policy.recovery_return_workdays) if owed else None,
        countersigned_by=by, countersigned_at=_now(),
    )
    audit_record(by=by, action="报告追偿", obj=claim, reason=f"收到 {format_money(recovery.amount)} 元，费用 {format_money(recovery.costs)} 元",
                 data={"recovery": recovery.pk, "return": comp.amount, "late": recovery.reported_late})
    if claim.status == S.PAID:
        claim = _move(claim, S.RECOVERY, by=by, action="进入追偿阶段", reason="首次报告追偿款")
        _loan_move(claim, claim.covered_loan.Status.RECOVERY, by=by, reason=f"报告追偿 {claim.reference}")
    q_end = quarter_end(today)
    _resolve(claim, f"recovery-{q_end.year}Q{(q_end.month - 1) // 3 + 1}")
    if owed:
        recovery_return_expect(by=by, bank=claim.bank, reference=recovery, amount=comp.amount,
                               due_on=recovery.return_due_on, key=f"claim-{claim.pk}-recovery-{recovery.pk}-due")
        notice_issue(
            kind=documents.RECOVERY_RETURN, subject=recovery, addressee=claim.bank, by=by, copied_to=[_finance()],
            context={
                "facts": claim_facts(claim) + [
                    ["收到追偿款日期", _fmt_day(recovery.received_on)], ["追偿金额", f"{format_money(recovery.amount)} 元"],
                    ["追偿费用", f"{format_money(recovery.costs)} 元"], ["追偿净额", f"{format_money(recovery.net_amount)} 元"],
                    ["已拨付补偿金额", f"{format_money(claim.paid_amount or 0)} 元"],
                ],
                "paragraphs": [
                    f"贵行报告收到补偿申请（{claim.reference}）所涉贷款的追偿款。依照《{policy.title}》第十四条，请于 "
                    f"{_fmt_day(recovery.return_due_on)} 前（{policy.recovery_return_workdays} 个工作日内）将下列款项返还风险补偿资金专户。",
                ],
                **_money_context(comp.amount, "应返还金额"),
                "steps": [s.as_dict() for s in comp.steps],
                "closing": ["逾期未返还的，我局将依照《管理办法》暂停贵行新增备案。"],
            },
        )
        reminder_schedule(
            key=f"claim-{claim.pk}-recovery-{recovery.pk}-return", about=recovery, url=_url(claim),
            title=f"补偿申请 {claim.reference} 追偿款 {format_money(comp.amount)} 元待返还", due_date=recovery.return_due_on,
            recipient_role=Role.BANK_OFFICER, recipient_org=claim.bank,
        )
        _remind(claim, f"recovery-{recovery.pk}-receipt", title=f"补偿申请 {claim.reference} 追偿返还款待确认到账",
                due_date=recovery.return_due_on, recipient_role=Role.FINANCE, notify_workdays_before=())
    return recovery


@transaction.atomic
def recovery_confirm_receipt(*, by, recovery, voucher, value_date=None):
    """Finance confirms the returned money arrived; posts the recovery inflow once, then pays the queue."""
    from fund.services import recovery_receive

    _require(by, PERM_FINANCE)
    voucher = _text(voucher, message=MSG_VOUCHER_REQUIRED, max_length=60)
    value_date = _date(value_date) if value_date else local_today()
    locked, moved = transition(
        recovery, Recovery.Status.RECEIVED, by=by, action="确认追偿款到账", reason=f"凭证号 {voucher}",
        conflict_if=(Recovery.Status.SETTLED,), received_by=by, received_at=_now(), receipt_voucher=voucher,
        receipt_value_date=value_date,
    )
    if not moved:
        raise Conflict(MSG_ALREADY_DONE.format(current=locked.get_status_display()), code="already_done")
    claim = Claim.objects.select_for_update(of=("self",)).select_related("bank").get(pk=locked.claim_id)
    recovery_receive(by=by, amount=locked.return_amount, reference=locked, key=f"claim-{claim.pk}-recovery-{locked.pk}-return",
                     bank=claim.bank, value_date=value_date, reason=f"追偿款返还 {claim.reference}（凭证 {voucher}）")
    claim.returned_total += locked.return_amount
    claim.save(update_fields=["returned_total", "updated_at"])
    reminder_resolve(key=f"claim-{claim.pk}-recovery-{locked.pk}-return")
    _resolve(claim, f"recovery-{locked.pk}-receipt")
    pay_queue(by=None)
    return locked


@transaction.atomic
def claim_close(*, by, claim, close_reason, reason):
    """Close a paid claim on write-off or full recovery (approver); refused while a return is outstanding."""
    _require(by, PERM_BUREAU_APPROVE)
    if close_reason not in Claim.CloseReason.values:
        raise ValidationFailed("请选择结案方式。", code="close_reason")
    reason = _text(reason, message=MSG_REASON_REQUIRED)

    def check(locked):
        if locked.recoveries.filter(status=Recovery.Status.REPORTED).exists():
            raise DomainError(MSG_RETURN_OUTSTANDING, code="return_outstanding")
        if locked.recoveries.filter(status=Recovery.Status.DRAFT).exists():
            raise DomainError(MSG_RECOVERY_DRAFT_OPEN, code="recovery_draft_open")

    claim = _move(claim, S.CLOSED, by=by, action=f"结案：{Claim.CloseReason(close_reason).label}", reason=reason,
                  check=check, closed_by=by, closed_at=_now(), close_reason=close_reason)
    _loan_move(claim, claim.covered_loan.Status.CLOSED, by=by, reason=f"补偿申请 {claim.reference} 结案")
    from yunfu_ipfund.notices.models import Reminder

    for key in Reminder.objects.filter(key__startswith=f"claim-{claim.pk}-recovery-20", resolved_at__isnull=True).values_list(
        "key", flat=True
    ):
        reminder_resolve(key=key)
    return claim


# --- clawback ----------------------------------------------------------------------------------------


@transaction.atomic
def claim_rescind(*, by, claim, reason, evidence=None):
    """The approver rescinds a compensation found to rest on false information (Articles 16, 21):
    releases what is still committed, demands back what was paid, excludes the loan and blacklists
    the enterprise for the policy's years."""
    from applications.services import enterprise_blacklist
    from fund.selectors import commitment_remaining
    from fund.services import commitment_release

    _require(by, PERM_BUREAU_APPROVE)
    reason = _text(reason, message=MSG_REASON_REQUIRED)
    policy = policy_of(claim)
    today = local_today()
    content_type = sha256 = ""
    if evidence is not None:
        content_type, sha256 = validate_upload(evidence)
    claim = _move(claim, S.RESCINDED, by=by, action="撤销补偿决定（追回）", reason=reason, rescinded_by=by, rescinded_at=_now())
    claim = Claim.objects.select_related("covered_loan__enterprise", "bank", "commitment").get(pk=claim.pk)
    if claim.commitment is not None and commitment_remaining(claim.commitment) > 0:
        commitment_release(by=by, commitment=claim.commitment, key=f"claim-{claim.pk}-release",
                           reason=f"撤销补偿决定 {claim.reference}：{reason}")
    owed = max((claim.paid_amount or Decimal("0")) - claim.returned_total, Decimal("0"))
    until = add_months(today, 12 * policy.blacklist_years)
    clawback = Clawback(
        claim=claim, reason=reason, content_type=content_type, sha256=sha256, amount=owed, decided_by=by,
        blacklisted_until=until,
        status=Clawback.Status.DEMANDED if owed > 0 else Clawback.Status.NOTHING_DUE,
        due_on=add_workdays(today, policy.recovery_return_workdays) if owed > 0 else None,
    )
    if evidence is not None:
        clawback.evidence.save("upload", evidence, save=False)
    clawback.save()
    _loan_move(claim, claim.covered_loan.Status.EXCLUDED, by=by, reason=f"撤销补偿决定 {claim.reference}：{reason}")
    enterprise_blacklist(by=by, enterprise=claim.covered_loan.enterprise, until=until,
                         reason=f"补偿申请 {claim.reference} 存在虚假情形：{reason}")
    for name in ("instruct", "pay"):
        _resolve(claim, name)
    _issue(
        documents.CLAWBACK, claim, by=by, copied_to=[_finance(), claim.covered_loan.enterprise],
        paragraphs=[
            f"经查，补偿申请（{claim.reference}）存在以下情形：{reason}。依照《{policy.title}》，我局决定撤销该笔风险补偿，"
            + (f"请贵行于 {_fmt_day(clawback.due_on)} 前（{policy.recovery_return_workdays} 个工作日内）将已拨付的风险补偿资金退回专户。"
               if owed > 0 else "该笔补偿尚未拨付，已释放相应资金承诺。"),
            f"该笔贷款移出风险补偿范围；借款企业自即日起至 {_fmt_day(until)} 列入失信黑名单（{policy.blacklist_years} 年）。",
        ],
        **(_money_context(owed, "应退回金额") if owed > 0 else {}),
        closing=[RECONSIDERATION],
    )
    if owed > 0:
        _remind(claim, "clawback", title=f"补偿申请 {claim.reference} 应退回资金 {format_money(owed)} 元",
                due_date=clawback.due_on, recipient_role=Role.BANK_OFFICER, recipient_org=claim.bank)
    return clawback


@transaction.atomic
def clawback_confirm_receipt(*, by, clawback, voucher, value_date=None):
    """Finance confirms the clawed-back money arrived; posts the clawback inflow once, then pays the queue."""
    from fund.services import clawback_receive

    _require(by, PERM_FINANCE)
    voucher = _text(voucher, message=MSG_VOUCHER_REQUIRED, max_length=60)
    value_date = _date(value_date) if value_date else local_today()
    locked, moved = transition(
        clawback, Clawback.Status.RECEIVED, by=by, action="确认追回资金到账", reason=f"凭证号 {voucher}",
        conflict_if=(Clawback.Status.NOTHING_DUE,), received_by=by, received_at=_now(), receipt_voucher=voucher,
        receipt_value_date=value_date,
    )
    if not moved:
        raise Conflict(MSG_ALREADY_DONE.format(current=locked.get_status_display()), code="already_done")
    claim = Claim.objects.select_for_update(of=("self",)).select_related("bank").get(pk=locked.claim_id)
    clawback_receive(by=by, amount=locked.amount, reference=claim, key=f"claim-{claim.pk}-clawback", bank=claim.bank,
                     value_date=value_date, reason=f"追回风险补偿资金 {claim.reference}（凭证 {voucher}）")
    claim.returned_total += locked.amount
    claim.save(update_fields=["returned_total", "updated_at"])
    _resolve(claim, "clawback")
    pay_queue(by=None)
    return locked

