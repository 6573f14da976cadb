"""Every write of the bank side: cooperating banks, filings, the bureau's review, covered-loan reports.

Each service is keyword-only `<entity>_<verb>(*, by, ...)`, atomic, audited, and holds its rules;
views, the API and the bulk import only call these.
"""

import datetime as dt
import unicodedata
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from fund import reports as fund_reports
from yunfu_ipfund.accounts.roles import (
    PERM_BANK_COUNTERSIGN,
    PERM_BANK_PREPARE,
    PERM_BUREAU_APPROVE,
    PERM_BUREAU_REVIEW,
    Role,
)
from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.checks import FAIL, raise_if_failed
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import (
    MSG_ALREADY_DONE,
    MSG_SAME_PERSON,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from yunfu_ipfund.common.identifiers import validate_patent_number, validate_trademark_number
from yunfu_ipfund.common.money import amount_in_capitals, format_money, round_fen, to_money
from yunfu_ipfund.common.statemachine import lock, transition
from yunfu_ipfund.common.uploads import validate_upload
from yunfu_ipfund.common.workdays import add_workdays, workdays_between
from yunfu_ipfund.notices.services import notice_issue, reminder_resolve, reminder_schedule
from yunfu_ipfund.policy.models import IPType
from yunfu_ipfund.policy.services import lpr_mark_used, policy_in_force, policy_mark_used, rate_cap

from .checks import STAGE_CONFIRM, STAGE_SUBMIT, filing_checks, filing_deadline
from .models import (
    NON_PERFORMING_CLASSES,
    Classification,
    CooperatingBank,
    CoveredLoan,
    FilingAsset,
    FilingDocument,
    LoanEvent,
    LoanFiling,
    RepaymentMethod,
    SuspensionProposal,
)
from .risk import QUIET_DAYS_AFTER_DECISION, assert_new_cover_allowed, bank_risk_table, suspension_grounds
from .selectors import covered_outstanding

# --- messages --------------------------------------------------------------------------------------

MSG_NOT_A_BANK = "只能准入银行类机构。"
MSG_ALREADY_ADMITTED = "该银行已是合作银行（协议 {number}）。"
MSG_AGREEMENT_NUMBER_TAKEN = "合作协议编号“{number}”已被使用。"
MSG_REASON_REQUIRED = "请填写理由。"
MSG_REGISTRATION_NOT_ACCEPTED = "只能对本行已受理的质押融资登记报送备案（当前状态：{status}）。"
MSG_REGISTRATION_FILED = "该登记已有备案（{contract}，{status}），不能重复报送。"
MSG_CONTRACT_TAKEN = "借款合同编号“{number}”本行已报送过备案，不能重复。"
MSG_NOT_EDITABLE = "备案当前状态为“{status}”，不能修改。"
MSG_ASSET_NOT_IN_REGISTRATION = "质押知识产权须为该登记中列明的知识产权：{asset} 不在其中。"
MSG_FILING_FAILED = "备案未通过规则核验，请按下列事项修改后再报送。"
MSG_CONFIRM_FAILED = "备案未通过规则核验，不能确认纳入风险补偿；如不符合条件，请作出不予备案决定。"
MSG_NOT_LATE = "该备案未超过备案期限，无需核准逾期备案。"
MSG_RETURN_REASONS = "请逐项填写需要补正的事项。"
MSG_LOAN_NOT_REPORTABLE = "在保贷款当前状态为“{status}”，不能报告还款、逾期、分类或展期。"
MSG_REPAYMENT_TOO_LARGE = "还款 {amount} 元超过贷款余额 {outstanding} 元。"
MSG_DATE_FUTURE = "{label}不能晚于今天。"
MSG_DATE_BEFORE_LAST = "{label} {day} 早于该贷款最近一次报告的日期 {last}，请按时间顺序报告。"
MSG_EXTENSION_DATE = "展期后到期日 {new} 须晚于原到期日 {old}。"
MSG_NOT_OVERDUE = "该贷款未处于逾期状态，不能报告逾期结清。"
MSG_COMPENSATION_MOVE = "“{label}”不是补偿流程可以设置的状态。"


def _require_bank_user(by, perm):
    require_perm(by, perm)
    if not by.organisation_id:
        raise Forbidden("您不属于任何银行。", code="no_role")


def _own(by, record):
    """A bank user acting on another bank's record: NotFound (never tell that it exists)."""
    if record.bank_id != by.organisation_id:
        raise NotFound()


def _required_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MSG_REASON_REQUIRED, code="reason_required", details=[{"field": "reason", "message": MSG_REASON_REQUIRED}])
    return reason


def _as_date(value, label, field):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(f"{label}“{value}”不是有效日期（格式：2026-03-01）。", code="invalid_date",
                               details=[{"field": field, "message": f"{label}格式应为 2026-03-01。"}]) from None


def _not_future(day, label, field):
    if day > local_today():
        raise ValidationFailed(MSG_DATE_FUTURE.format(label=label), code="date_future",
                               details=[{"field": field, "message": MSG_DATE_FUTURE.format(label=label)}])
    return day


# --- cooperating banks (Art 3, 15-16): the bureau approver only --------------------------------------


def _bank_notice(kind, profile, by, paragraphs, facts):
    return notice_issue(
        kind=kind, subject=profile, addressee=profile.organisation, by=by,
        context={"paragraphs": paragraphs, "facts": facts, "closing": []},
    )


def _bank_facts(profile):
    return [
        ["合作银行", profile.organisation.name],
        ["合作协议编号", profile.agreement_number],
        ["协议有效期", f"{profile.agreement_valid_from} 至 {profile.agreement_valid_to}"],
    ]


def _schedule_agreement_expiry(profile):
    reminder_schedule(
        key=f"lenders-bank-{profile.pk}-agreement", about=profile, due_date=profile.agreement_valid_to,
        title=f"{profile.organisation.name} 合作协议 {profile.agreement_number} 到期",
        recipient_role=Role.BUREAU_APPROVER, notify_workdays_before=(20, 5), url=f"/lenders/bureau/banks/{profile.pk}/",
        body="请决定是否续签合作协议；到期后该行不能报送新的备案。",
    )


@transaction.atomic
def bank_admit(
    *, by, organisation, agreement_number, agreement_valid_from, agreement_valid_to, admitted_on=None,
    exposure_limit=None, contact_name="", contact_phone="", contact_email="", address="", reason="",
):
    """Admit a bank as a cooperating institution under a cooperation agreement; issue the admission notice."""
    require_perm(by, PERM_BUREAU_APPROVE)
    if organisation.kind != organisation.Kind.BANK:
        raise ValidationFailed(MSG_NOT_A_BANK, code="not_a_bank")
    existing = CooperatingBank.objects.filter(organisation=organisation).first()
    if existing is not None:
        raise DomainError(MSG_ALREADY_ADMITTED.format(number=existing.agreement_number), code="already_admitted")
    number = (agreement_number or "").strip()
    if not number:
        raise ValidationFailed("请填写合作协议编号。", details=[{"field": "agreement_number", "message": "必填。"}])
    valid_from = _as_date(agreement_valid_from, "协议生效日期", "agreement_valid_from")
    valid_to = _as_date(agreement_valid_to, "协议到期日期", "agreement_valid_to")
    if valid_to < valid_from:
        raise ValidationFailed("协议到期日期不能早于生效日期。", details=[{"field": "agreement_valid_to", "message": "早于生效日期。"}])
    limit = None if exposure_limit in (None, "") else to_money(exposure_limit, allow_zero=False)
    if CooperatingBank.objects.filter(agreement_number=number).exists():
        raise ValidationFailed(MSG_AGREEMENT_NUMBER_TAKEN.format(number=number), code="agreement_taken")
    admitted = _as_date(admitted_on, "准入日期", "admitted_on") if admitted_on else local_today()
    try:
        with transaction.atomic():
            profile = CooperatingBank.objects.create(
                organisation=organisation, admitted_on=admitted, agreement_number=number,
                agreement_valid_from=valid_from, agreement_valid_to=valid_to, exposure_limit=limit,
                contact_name=contact_name, contact_phone=contact_phone, contact_email=contact_email, address=address,
                status_since=admitted, admitted_by=by,
            )
    except IntegrityError:
        raise Conflict("该银行刚刚已由他人准入，请刷新后查看。", code="already_admitted") from None
    audit_record(by=by, action="准入合作银行", obj=profile, to_state=profile.status, reason=reason,
                 data={"agreement": number, "from": valid_from, "to": valid_to, "limit": limit})
    _bank_notice(
        "lenders_bank_admission", profile, by,
        [f"经审核，同意贵行作为云浮市知识产权质押融资风险补偿资金合作银行，自 {admitted} 起可按《管理办法》报送知识产权质押贷款备案。",
         "请贵行按合作协议约定做好贷款发放、质押登记、备案报送、贷后管理和风险报告工作。"],
        _bank_facts(profile) + ([["在保余额限额", f"{format_money(limit)} 元"]] if limit else []),
    )
    _schedule_agreement_expiry(profile)
    return profile


@transaction.atomic
def bank_suspend(*, by, bank, reason, effective_on=None):
    """Suspend new filings (Art 15-16). Loans already covered stay covered."""
    require_perm(by, PERM_BUREAU_APPROVE)
    reason = _required_reason(reason)
    effective = _as_date(effective_on, "暂停日期", "effective_on") if effective_on else local_today()
    profile, moved = transition(
        bank, CooperatingBank.Status.SUSPENDED, by=by, action="暂停备案", reason=reason,
        status_since=effective, status_reason=reason,
    )
    if moved:
        _bank_notice(
            "lenders_bank_suspension", profile, by,
            [f"因{reason}，根据《管理办法》风险控制的规定，自 {effective} 起暂停贵行报送新的知识产权质押贷款备案。",
             "已纳入风险补偿范围的贷款继续按原规定管理；贵行应继续按时报送贷后情况。"],
            _bank_facts(profile),
        )
    return profile


@transaction.atomic
def bank_reinstate(*, by, bank, reason):
    require_perm(by, PERM_BUREAU_APPROVE)
    reason = _required_reason(reason)
    profile, moved = transition(
        bank, CooperatingBank.Status.ACTIVE, by=by, action="恢复备案", reason=reason,
        conflict_if=(CooperatingBank.Status.TERMINATED,), status_since=local_today(), status_reason=reason,
    )
    if moved:
        _bank_notice(
            "lenders_bank_reinstatement", profile, by,
            [f"经审核（{reason}），自 {local_today()} 起恢复贵行报送知识产权质押贷款备案。"], _bank_facts(profile),
        )
    return profile


@transaction.atomic
def bank_terminate(*, by, bank, reason, effective_on=None):
    require_perm(by, PERM_BUREAU_APPROVE)
    reason = _required_reason(reason)
    effective = _as_date(effective_on, "终止日期", "effective_on") if effective_on else local_today()
    profile, moved = transition(
        bank, CooperatingBank.Status.TERMINATED, by=by, action="终止合作", reason=reason,
        status_since=effective, status_reason=reason,
    )
    if moved:
        _bank_notice(
            "lenders_bank_termination", profile, by,
            [f"因{reason}，自 {effective} 起终止与贵行的知识产权质押融资风险补偿合作，贵行不得再报送新的备案。",
             "已纳入风险补偿范围的贷款继续按原规定管理，直至结清。"],
            _bank_facts(profile),
        )
        reminder_resolve(key=f"lenders-bank-{profile.pk}-agreement")
    return profile


# --- filings: the bank prepares (Art 9) -----------------------------------------------------------


def _clean_terms(values):
    """Parse and check the figures of a filing; every problem itemised at once (ValidationFailed)."""
    errors, out = [], {}

    def fail(field, message):
        errors.append({"field": field, "message": message})

    number = str(values.get("contract_number") or "").strip()
    if not number:
        fail("contract_number", "请填写借款合同编号。")
    elif len(number) > 100:
        fail("contract_number", "借款合同编号不能超过100个字符。")
    out["contract_number"] = number

    for field, label in (("amount", "贷款金额"), ("ip_amount", "知识产权质押对应金额")):
        try:
            out[field] = to_money(values.get(field), allow_zero=False)
        except ValidationFailed as exc:
            fail(field, f"{label}：{exc.message}")

    for field, label in (("disbursed_on", "放款日期"), ("maturity_on", "到期日期")):
        try:
            out[field] = _as_date(values.get(field), label, field)
        except ValidationFailed as exc:
            fail(field, exc.message)
    if "disbursed_on" in out and out["disbursed_on"] > local_today():
        fail("disbursed_on", "放款日期不能晚于今天：请在放款后报送备案。")
    if "disbursed_on" in out and "maturity_on" in out and out["maturity_on"] <= out["disbursed_on"]:
        fail("maturity_on", "到期日期须晚于放款日期。")

    try:
        rate = Decimal(str(values.get("annual_rate")).strip().rstrip("%"))
        if not rate.is_finite() or rate <= 0 or rate >= 100 or rate != rate.quantize(Decimal("0.0001")):
            raise InvalidOperation
        out["annual_rate"] = rate
    except (InvalidOperation, ValueError):
        fail("annual_rate", f"年利率“{values.get('annual_rate')}”无效：应为大于0、小于100的百分数，最多4位小数（如 4.35）。")

    method = values.get("repayment_method")
    if method not in RepaymentMethod.values:
        fail("repayment_method", f"还款方式“{method}”无效，可选：{'、'.join(RepaymentMethod.labels)}。")
    out["repayment_method"] = method
    if "amount" in out and "ip_amount" in out and out["ip_amount"] > out["amount"]:
        fail("ip_amount", "知识产权质押对应金额不能超过贷款金额。")
    out["other_collateral"] = str(values.get("other_collateral") or "").strip()[:300]
    if errors:
        raise ValidationFailed("备案信息有误，请按提示修改。", code="invalid", details=errors)
    return out


_NUMBER_FAMILIES = (("patent", lambda text: validate_patent_number(text)[0]), ("trademark", validate_trademark_number))


def _asset_family(asset):
    if asset.ip_type in (IPType.INVENTION, IPType.UTILITY_MODEL, IPType.DESIGN):
        return "patent"
    return "trademark" if asset.ip_type == IPType.TRADEMARK else "raw"


def _number_keys(text):
    """Every (family, normalised number) an incoming asset number can stand for: 'ZL…', bare, 'CN…' and
    full-width patent numbers, '第…号' trademark numbers; anything else as typed (NFKC, upper case)."""
    keys = {("raw", unicodedata.normalize("NFKC", str(text or "")).strip().upper())}
    for family, validate in _NUMBER_FAMILIES:
        try:
            keys.add((family, validate(text)))
        except ValidationFailed:
            pass
    return keys


def _asset_key(asset):
    family = _asset_family(asset)
    keys = dict(_number_keys(asset.number))  # the stored number, normalised the same way
    return (family, keys.get(family, keys["raw"]))


def _asset_by_number(by_key, text):
    if not str(text or "").strip():
        return None
    return next((by_key[k] for k in _number_keys(text) if k in by_key), None)


def _clean_pledges(registration, pledges):
    allowed = {a.pk: a for a in registration.assets.all()}
    by_key = {_asset_key(a): a for a in allowed.values()}
    errors, out, seen = [], [], set()
    for i, item in enumerate(pledges or []):
        asset = item.get("asset")
        asset_id = getattr(asset, "pk", None) or item.get("asset_id")
        found = allowed.get(int(asset_id)) if str(asset_id or "").isdigit() else _asset_by_number(by_key, item.get("asset_number"))
        if found is None:
            errors.append({"field": f"pledges.{i}.asset", "message": MSG_ASSET_NOT_IN_REGISTRATION.format(asset=asset_id or item.get("asset_number") or "（空）")})
            continue
        if found.pk in seen:
            errors.append({"field": f"pledges.{i}.asset", "message": f"{found.number} 重复填写。"})
            continue
        seen.add(found.pk)
        number = str(item.get("pledge_registration_number") or "").strip()
        if not number:
            errors.append({"field": f"pledges.{i}.pledge_registration_number", "message": f"{found.number}：请填写质押登记号。"})
        try:
            day = _as_date(item.get("pledge_registered_on"), "质押登记日期", f"pledges.{i}.pledge_registered_on")
        except ValidationFailed as exc:
            errors.append({"field": f"pledges.{i}.pledge_registered_on", "message": f"{found.number}：{exc.message}"})
            continue
        out.append((found, number[:60], day))
    if not out and not errors:
        errors.append({"field": "pledges", "message": "请至少填写一项质押知识产权及其质押登记号。"})
    if errors:
        raise ValidationFailed("质押登记信息有误，请按提示修改。", code="invalid", details=errors)
    return out


def _schedule_filing_deadline(filing):
    policy = policy_in_force(filing.disbursed_on)
    due = filing_deadline(filing, policy)
    reminder_schedule(
        key=f"lenders-filing-{filing.pk}-deadline", about=filing, due_date=due,
        title=f"报送备案：{filing.enterprise.name} 借款合同 {filing.contract_number}",
        recipient_role=Role.BANK_OFFICER, recipient_org=filing.bank, url=f"/lenders/filings/{filing.pk}/",
        body=f"放款日 {filing.disbursed_on}，须在 {policy.filing_deadline_workdays} 个工作日内（{due} 前）报送备案。",
    )


def _check_contract_free(bank_id, number, exclude_pk=None):
    qs = LoanFiling.objects.filter(bank_id=bank_id, contract_number=number).exclude(status__in=LoanFiling.RELEASED)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ValidationFailed(MSG_CONTRACT_TAKEN.format(number=number), code="contract_taken",
                               details=[{"field": "contract_number", "message": MSG_CONTRACT_TAKEN.format(number=number)}])


def _save_pledges(filing, pledges, *, replace=True):
    if replace:  # a new filing has none to replace
        filing.pledges.all().delete()
    FilingAsset.objects.bulk_create(
        FilingAsset(filing=filing, asset=asset, pledge_registration_number=number, pledge_registered_on=day)
        for asset, number, day in pledges
    )


@transaction.atomic
def filing_create(*, by, registration, pledges, **values):
    """Prepare a filing (DRAFT) for an accepted registration of the officer's own bank."""
    from applications.models import LoanRegistration

    _require_bank_user(by, PERM_BANK_PREPARE)
    # Lock the registration row only; its enterprise and bank come along for the filing (no further reads).
    registration = (LoanRegistration.objects.select_related("enterprise", "bank").select_for_update(of=("self",))
                    .get(pk=registration.pk))
    _own(by, registration)
    if registration.status != LoanRegistration.Status.ACCEPTED:
        raise DomainError(MSG_REGISTRATION_NOT_ACCEPTED.format(status=registration.get_status_display()), code="wrong_state")
    existing = registration.filings.exclude(status=LoanFiling.Status.REFUSED).first()
    if existing is not None:
        raise DomainError(MSG_REGISTRATION_FILED.format(contract=existing.contract_number, status=existing.get_status_display()),
                          code="already_filed")
    terms = _clean_terms(values)
    clean_pledges = _clean_pledges(registration, pledges)
    _check_contract_free(by.organisation_id, terms["contract_number"])
    try:
        with transaction.atomic():
            filing = LoanFiling.objects.create(
                registration=registration, bank=registration.bank, enterprise=registration.enterprise,
                prepared_by=by, **terms,
            )
    except IntegrityError:
        raise ValidationFailed(MSG_CONTRACT_TAKEN.format(number=terms["contract_number"]), code="contract_taken") from None
    _save_pledges(filing, clean_pledges, replace=False)
    audit_record(by=by, action="起草备案", obj=filing, to_state=filing.status, data={**terms, "pledges": [
        {"asset": a.number, "pledge": n, "on": d} for a, n, d in clean_pledges]})
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
    current = {f: getattr(filing, f) for f in ("contract_number", "amount", "ip_amount", "disbursed_on", "maturity_on",
                                                "annual_rate", "repayment_method", "other_collateral")}
    terms = _clean_terms({**current, **{k: v for k, v in values.items() if k in current}})
    _check_contract_free(filing.bank_id, terms["contract_number"], exclude_pk=filing.pk)
    changed = {k: {"from": current[k], "to": v} for k, v in terms.items() if current[k] != v}
    for field, value in terms.items():
        setattr(filing, field, value)
    filing.save()
    if pledges is not None:
        _save_pledges(filing, _clean_pledges(filing.registration, pledges))
        changed["pledges"] = "已更新"
    audit_record(by=by, action="修改备案", obj=filing, data=changed)
    if "disbursed_on" in changed and filing.status == LoanFiling.Status.DRAFT:
        _schedule_filing_deadline(filing)
    return filing


@transaction.atomic
def filing_document_add(*, by, filing, kind, file):
    """Attach one document (validated by content; stored privately; served only after an access check)."""
    _require_bank_user(by, PERM_BANK_PREPARE)
    filing = lock(LoanFiling, filing.pk)
    _own(by, filing)
    if not filing.is_editable:
        raise DomainError(MSG_NOT_EDITABLE.format(status=filing.get_status_display()), code="wrong_state")
    if kind not in FilingDocument.Kind.values:
        raise ValidationFailed(f"材料类型“{kind}”无效，可选：{'、'.join(FilingDocument.Kind.labels)}。", code="invalid",
                               details=[{"field": "kind", "message": "材料类型无效。"}])
    content_type, digest = validate_upload(file)
    doc = FilingDocument(
        filing=filing, kind=kind, content_type=content_type, sha256=digest, size=file.size,
        original_name=str(getattr(file, "name", "") or "")[:200], uploaded_by=by,
    )
    doc.file.save("upload", file, save=False)
    doc.save()
    audit_record(by=by, action="上传备案材料", obj=filing, data={"kind": kind, "sha256": digest, "document": doc.pk})
    return doc


def _review_due(filing, policy, today):
    if filing.review_days_left is not None:
        return add_workdays(today, filing.review_days_left)
    return add_workdays(today, policy.filing_review_workdays)


@transaction.atomic
def filing_submit(*, by, filing):
    """The supervisor countersigns and submits (first time or after correction). Never the preparer."""
    _require_bank_user(by, PERM_BANK_COUNTERSIGN)
    _own(by, filing)
    if filing.prepared_by_id == by.pk:
        raise Forbidden(MSG_SAME_PERSON, code="same_person")
    today = local_today()
    policy = policy_in_force(filing.disbursed_on)

    def check(locked):
        if locked.prepared_by_id == by.pk:
            raise Forbidden(MSG_SAME_PERSON, code="same_person")
        checks = filing_checks(locked, on=today, stage=STAGE_SUBMIT, policy=policy)
        raise_if_failed(checks, MSG_FILING_FAILED)
        locked.checks_snapshot = [c.as_dict() for c in checks]
        locked.review_due_on = _review_due(locked, policy, today)
        locked.review_days_left = None
        if locked.first_submitted_on is None:
            locked.first_submitted_on = today

    resubmission = filing.status == LoanFiling.Status.RETURNED
    locked, moved = transition(
        filing, LoanFiling.Status.SUBMITTED, by=by, action="复核报送备案", check=check,
        conflict_if=(LoanFiling.Status.CONFIRMED, LoanFiling.Status.REFUSED),
        submitted_by=by, submitted_at=timezone.now(),
    )
    if not moved:
        raise Conflict(MSG_ALREADY_DONE.format(current=locked.get_status_display()), code="already_done")
    reminder_resolve(key=f"lenders-filing-{locked.pk}-deadline")
    reminder_resolve(key=f"lenders-filing-{locked.pk}-correction")
    reminder_schedule(
        key=f"lenders-filing-{locked.pk}-review", about=locked, due_date=locked.review_due_on,
        title=f"审核备案：{locked.bank.name} {locked.enterprise.name} 借款合同 {locked.contract_number}",
        recipient_role=Role.BUREAU_CLERK, url=f"/lenders/filings/{locked.pk}/",
        body=f"{'补正后重新报送，' if resubmission else ''}审核期限至 {locked.review_due_on}（退回补正期间暂停计算）。",
    )
    return locked


@transaction.atomic
def filing_return(*, by, filing, reasons):
    """The bureau clerk returns a filing for correction with itemised reasons; the review clock pauses."""
    require_perm(by, PERM_BUREAU_REVIEW)
    items = [str(r).strip() for r in (reasons or []) if str(r).strip()]
    if not items:
        raise ValidationFailed(MSG_RETURN_REASONS, code="reason_required", details=[{"field": "reasons", "message": MSG_RETURN_REASONS}])
    today = local_today()
    policy = policy_in_force(filing.disbursed_on)

    def check(locked):
        locked.review_days_left = workdays_between(today, locked.review_due_on) if locked.review_due_on else None
        locked.correction_due_on = add_workdays(today, policy.correction_workdays)

    locked, moved = transition(
        filing, LoanFiling.Status.RETURNED, by=by, action="退回补正", reason="；".join(items), check=check,
        conflict_if=(LoanFiling.Status.CONFIRMED, LoanFiling.Status.REFUSED),
        returned_by=by, returned_at=timezone.now(), return_reasons=items,
    )
    if not moved:
        raise Conflict(MSG_ALREADY_DONE.format(current=locked.get_status_display()), code="already_done")
    reminder_resolve(key=f"lenders-filing-{locked.pk}-review")
    notice_issue(
        kind="lenders_filing_return", subject=locked, addressee=locked.bank, by=by,
        context={
            "paragraphs": [f"贵行报送的{locked.enterprise.name}借款合同 {locked.contract_number} 备案材料需补正，请于 "
                           f"{locked.correction_due_on} 前补正后重新报送。补正期间备案审核期限暂停计算。"],
            "facts": _filing_facts(locked),
            "items_title": "需补正事项",
            "items": items,
        },
    )
    reminder_schedule(
        key=f"lenders-filing-{locked.pk}-correction", about=locked, due_date=locked.correction_due_on,
        title=f"补正备案：借款合同 {locked.contract_number}", recipient_role=Role.BANK_OFFICER, recipient_org=locked.bank,
        url=f"/lenders/filings/{locked.pk}/", body="；".join(items),
    )
    return locked


@transaction.atomic
def filing_override_late(*, by, filing, reason):
    """The bureau approver allows a filing made after the filing deadline, with a reason."""
    require_perm(by, PERM_BUREAU_APPROVE)
    reason = _required_reason(reason)
    locked = lock(LoanFiling, filing.pk)
    if locked.status not in (LoanFiling.Status.SUBMITTED, LoanFiling.Status.RETURNED):
        raise DomainError(f"备案当前状态为“{locked.get_status_display()}”，不能核准逾期备案。", code="wrong_state")
    policy = policy_in_force(locked.disbursed_on)
    deadline = filing_deadline(locked, policy)
    if (locked.first_submitted_on or local_today()) <= deadline:
        raise DomainError(MSG_NOT_LATE, code="not_late")
    locked.late_override_by, locked.late_override_at, locked.late_override_reason = by, timezone.now(), reason
    locked.save(update_fields=["late_override_by", "late_override_at", "late_override_reason", "updated_at"])
    audit_record(by=by, action="核准逾期备案", obj=locked, reason=reason,
                 data={"deadline": deadline, "submitted": locked.first_submitted_on})
    return locked


def _filing_facts(filing):
    return [
        ["借款企业", filing.enterprise.name],
        ["贷款银行", filing.bank.name],
        ["借款合同编号", filing.contract_number],
        ["贷款金额", f"{format_money(filing.amount)} 元"],
        ["放款日期", str(filing.disbursed_on)],
        ["到期日期", str(filing.maturity_on)],
        ["年利率", f"{filing.annual_rate.normalize():f}%"],
    ]


def covered_part(outstanding, covered_amount, amount):
    """The covered part of an outstanding principal: outstanding × covered ÷ amount, to the fen."""
    if not amount:
        return Decimal("0.00")
    return round_fen(Decimal(outstanding) * Decimal(covered_amount) / Decimal(amount))


@transaction.atomic
def filing_confirm(*, by, filing, reason=""):
    """The approver confirms the filing is covered: re-checks every rule and the leverage ceiling under
    the lock, creates the CoveredLoan, freezes the policy version and LPR, issues the 备案确认书."""
    require_perm(by, PERM_BUREAU_APPROVE)
    today = local_today()
    policy = policy_in_force(filing.disbursed_on)

    def check(locked):
        if locked.returned_by_id == by.pk or locked.submitted_by_id == by.pk:
            raise Forbidden(MSG_SAME_PERSON, code="same_person")
        checks = filing_checks(locked, on=today, stage=STAGE_CONFIRM, policy=policy)
        raise_if_failed(checks, MSG_CONFIRM_FAILED)
        assert_new_cover_allowed(additional_covered=locked.ip_amount, on=today, policy=policy)
        locked.checks_snapshot = [c.as_dict() for c in checks]

    locked, moved = transition(
        filing, LoanFiling.Status.CONFIRMED, by=by, action="确认备案", reason=reason, check=check,
        conflict_if=(LoanFiling.Status.REFUSED, LoanFiling.Status.RETURNED),
        decided_by=by, decided_at=timezone.now(), decision_reason=reason,
    )
    if not moved:
        return locked
    policy_mark_used(policy)
    lpr, ceiling = rate_cap(locked.disbursed_on, policy)
    lpr_mark_used(lpr)
    loan = CoveredLoan.objects.create(
        filing=locked, bank_id=locked.bank_id, enterprise_id=locked.enterprise_id, policy_version=policy,
        contract_number=locked.contract_number, amount=locked.amount, covered_amount=locked.ip_amount,
        fund_share=policy.fund_share, disbursed_on=locked.disbursed_on, maturity_on=locked.maturity_on,
        outstanding_principal=locked.amount, covered_outstanding=locked.ip_amount, confirmed_at=timezone.now(),
    )
    LoanEvent.objects.create(
        loan=loan, kind=LoanEvent.Kind.CONFIRMED, occurred_on=today,
        outstanding_after=loan.outstanding_principal, covered_outstanding_after=loan.covered_outstanding,
        status_after=loan.status, reported_by=by, note="备案确认，纳入风险补偿范围",
    )
    audit_record(by=by, action="纳入风险补偿范围", obj=loan, to_state=loan.status,
                 data={"covered_amount": loan.covered_amount, "fund_share": loan.fund_share, "policy": policy.code})
    reminder_resolve(key=f"lenders-filing-{locked.pk}-review")
    fund_part = round_fen(loan.covered_amount * loan.fund_share)
    notice_issue(
        kind="lenders_filing_confirmation", subject=locked, addressee=locked.bank, copied_to=[locked.enterprise], by=by,
        context={
            "paragraphs": [
                f"贵行报送的{locked.enterprise.name}知识产权质押贷款备案材料收悉。经审核，该笔贷款符合"
                f"《{policy.title}》规定的条件，现确认纳入云浮市知识产权质押融资风险补偿范围。",
                f"纳入风险补偿范围的金额为知识产权质押对应部分 {format_money(loan.covered_amount)} 元"
                f"（{amount_in_capitals(loan.covered_amount)}）；如发生代偿，风险补偿资金按 "
                f"{(loan.fund_share * 100).normalize():f}% 的比例分担未收回的本金（按本金计，不含利息、罚息）。",
            ],
            "facts": _filing_facts(locked) + [
                ["利率上限", f"{ceiling.normalize():f}%（1年期LPR {lpr.one_year_rate}% 加 {policy.rate_margin_bp} 个基点）"],
                ["纳入补偿范围金额", f"{format_money(loan.covered_amount)} 元"],
                ["风险补偿资金分担比例", f"{(loan.fund_share * 100).normalize():f}%"],
                ["按全额损失测算的资金分担额", f"{format_money(fund_part)} 元"],
                ["适用办法", policy.title],
            ],
            "amount": format_money(loan.covered_amount),
            "amount_capitals": amount_in_capitals(loan.covered_amount),
            "closing": ["请贵行按规定及时报告还款、逾期、风险分类及展期等贷后情况。"],
        },
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
        filing, LoanFiling.Status.REFUSED, by=by, action="不予备案", reason=reason, check=check,
        conflict_if=(LoanFiling.Status.CONFIRMED,),
        decided_by=by, decided_at=timezone.now(), decision_reason=reason,
    )
    if not moved:
        return locked
    reminder_resolve(about=locked)
    items = [f"{c.label}：{c.message}" + (f"（《管理办法》{c.article}）" if c.article else "") for c in failed]
    notice_issue(
        kind="lenders_filing_refusal", subject=locked, addressee=locked.bank, copied_to=[locked.enterprise], by=by,
        context={
            "paragraphs": [f"贵行报送的{locked.enterprise.name}借款合同 {locked.contract_number} 备案，经审核，不予纳入风险补偿范围。",
                           f"理由：{reason}"],
            "facts": _filing_facts(locked),
            "items_title": "未通过的规则",
            "items": items,
        },
    )
    return locked


# --- covered loans: reports by the bank (Art 11), moves by compensation ----------------------------


def _schedule_maturity(loan):
    before = max(1, workdays_between(loan.maturity_on - dt.timedelta(days=10), loan.maturity_on))
    reminder_schedule(
        key=f"lenders-loan-{loan.pk}-maturity", about=loan, due_date=loan.maturity_on, notify_workdays_before=(before,),
        title=f"贷款到期：{loan.enterprise.name} 借款合同 {loan.contract_number}",
        recipient_role=Role.BANK_OFFICER, recipient_org=loan.bank, url=f"/lenders/loans/{loan.pk}/",
        body="请在到期后及时报告还款或逾期情况。",
    )


def _record(loan, *, by, kind, on, note="", **fields):
    return LoanEvent.objects.create(
        loan=loan, kind=kind, occurred_on=on, note=note, reported_by=by if getattr(by, "is_authenticated", False) else None,
        outstanding_after=loan.outstanding_principal, covered_outstanding_after=loan.covered_outstanding,
        status_after=loan.status, **fields,
    )


def _reportable(by, loan, day, label, field):
    """Lock the loan for a bank report; checks role, bank, state and date order."""
    _require_bank_user(by, PERM_BANK_PREPARE)
    locked = lock(CoveredLoan, loan.pk)
    _own(by, locked)
    if locked.status not in CoveredLoan.REPORTABLE:
        raise DomainError(MSG_LOAN_NOT_REPORTABLE.format(status=locked.get_status_display()), code="wrong_state")
    day = _not_future(_as_date(day, label, field), label, field)
    last = locked.events.order_by("-occurred_on", "-id").values_list("occurred_on", flat=True).first()
    if last and day < last:
        raise ValidationFailed(MSG_DATE_BEFORE_LAST.format(label=label, day=day, last=last), code="date_order",
                               details=[{"field": field, "message": MSG_DATE_BEFORE_LAST.format(label=label, day=day, last=last)}])
    if day < locked.disbursed_on:
        raise ValidationFailed(f"{label}不能早于放款日期 {locked.disbursed_on}。", code="date_order")
    return locked, day


def _apply(locked, to_state, *, by, action, reason, fields):
    """Save new figures, moving the status through the state machine when it changes."""
    if to_state != locked.status:
        locked, _ = transition(locked, to_state, by=by, action=action, reason=reason, **fields)
        return locked
    before = locked.status
    for field, value in fields.items():
        setattr(locked, field, value)
    locked.save()
    audit_record(by=by, action=action, obj=locked, from_state="", to_state="", reason=reason,
                 data={k: v for k, v in fields.items()} | {"status": before})
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
        raise ValidationFailed(MSG_REPAYMENT_TOO_LARGE.format(amount=format_money(paid), outstanding=format_money(locked.outstanding_principal)),
                               code="repayment_too_large", details=[{"field": "amount", "message": "超过贷款余额。"}])
    outstanding = locked.outstanding_principal - paid
    fields = {"outstanding_principal": outstanding,
              "covered_outstanding": covered_part(outstanding, locked.covered_amount, locked.amount)}
    to_state = locked.status
    if outstanding == 0:
        to_state = CoveredLoan.Status.REPAID
    elif cures_overdue:
        if locked.status != CoveredLoan.Status.OVERDUE:
            raise DomainError(MSG_NOT_OVERDUE, code="not_overdue")
        to_state = CoveredLoan.Status.ACTIVE
        fields |= {"overdue_since": None, "overdue_amount": None}
    locked = _apply(locked, to_state, by=by, action="报告还款", reason=note or f"还款 {format_money(paid)} 元", fields=fields)
    _record(locked, by=by, kind=LoanEvent.Kind.REPAYMENT, on=day, amount=paid, note=note)
    reminder_resolve(key=f"lenders-loan-{locked.pk}-unreported")
    _after_settled(locked)
    return locked


@transaction.atomic
def loan_report_overdue(*, by, loan, overdue_since, overdue_amount, note=""):
    locked, day = _reportable(by, loan, overdue_since, "逾期起始日", "overdue_since")
    amount = to_money(overdue_amount, allow_zero=False)
    if amount > locked.outstanding_principal:
        raise ValidationFailed("逾期金额不能超过贷款余额。", code="invalid", details=[{"field": "overdue_amount", "message": "超过贷款余额。"}])
    to_state = CoveredLoan.Status.OVERDUE if locked.status == CoveredLoan.Status.ACTIVE else locked.status
    locked = _apply(locked, to_state, by=by, action="报告逾期", reason=note or f"逾期 {format_money(amount)} 元",
                    fields={"overdue_since": day, "overdue_amount": amount})
    _record(locked, by=by, kind=LoanEvent.Kind.OVERDUE, on=day, amount=amount, note=note)
    reminder_resolve(key=f"lenders-loan-{locked.pk}-unreported")
    return locked


@transaction.atomic
def loan_report_classification(*, by, loan, classification, classified_on, note=""):
    """A five-category classification change. 次级 or worse: NON_PERFORMING (the loss event of Art 12);
    back to 正常/关注 before any claim: ACTIVE again."""
    if classification not in Classification.values:
        raise ValidationFailed(f"风险分类“{classification}”无效，可选：{'、'.join(Classification.labels)}。",
                               code="invalid", details=[{"field": "classification", "message": "风险分类无效。"}])
    locked, day = _reportable(by, loan, classified_on, "分类日期", "classified_on")
    fields = {"classification": classification}
    to_state = locked.status
    if classification in NON_PERFORMING_CLASSES:
        if locked.status != CoveredLoan.Status.NON_PERFORMING:
            to_state = CoveredLoan.Status.NON_PERFORMING
            fields["non_performing_on"] = day
    elif locked.status == CoveredLoan.Status.NON_PERFORMING:
        to_state = CoveredLoan.Status.ACTIVE
        fields["non_performing_on"] = None
    label = Classification(classification).label
    locked = _apply(locked, to_state, by=by, action="报告风险分类", reason=note or f"调整为{label}", fields=fields)
    _record(locked, by=by, kind=LoanEvent.Kind.CLASSIFICATION, on=day, classification=classification, note=note)
    return locked


@transaction.atomic
def loan_report_extension(*, by, loan, new_maturity_on, agreed_on, note=""):
    locked, day = _reportable(by, loan, agreed_on, "展期协议日期", "agreed_on")
    new = _as_date(new_maturity_on, "展期后到期日", "new_maturity_on")
    if new <= locked.maturity_on:
        raise ValidationFailed(MSG_EXTENSION_DATE.format(new=new, old=locked.maturity_on), code="invalid",
                               details=[{"field": "new_maturity_on", "message": MSG_EXTENSION_DATE.format(new=new, old=locked.maturity_on)}])
    old = locked.maturity_on
    locked = _apply(locked, locked.status, by=by, action="报告展期", reason=note or f"到期日 {old} 展期至 {new}",
                    fields={"maturity_on": new})
    _record(locked, by=by, kind=LoanEvent.Kind.EXTENSION, on=day, new_maturity_on=new, note=note)
    _schedule_maturity(locked)
    return locked


COMPENSATION_MOVES = {
    CoveredLoan.Status.IN_CLAIM, CoveredLoan.Status.COMPENSATED, CoveredLoan.Status.RECOVERY,
    CoveredLoan.Status.CLOSED, CoveredLoan.Status.EXCLUDED, CoveredLoan.Status.NON_PERFORMING,
}


@transaction.atomic
def covered_loan_transition(*, by, loan, to_state, reason=""):
    """Moves made by the compensation process (and exclusion for fraud or ineligibility).

    IN_CLAIM, COMPENSATED, RECOVERY, CLOSED, EXCLUDED, and back to NON_PERFORMING (claim rejected or
    lapsed; only from IN_CLAIM). Moving to the current state is a no-op. The dated history records
    each move, so the covered outstanding as of any day follows.
    """
    S = CoveredLoan.Status
    if to_state not in COMPENSATION_MOVES:
        raise DomainError(MSG_COMPENSATION_MOVE.format(label=dict(S.choices).get(to_state, to_state)), code="wrong_state")
    current = lock(CoveredLoan, loan.pk)
    if to_state == S.NON_PERFORMING and current.status not in (S.IN_CLAIM, S.NON_PERFORMING):
        raise DomainError(MSG_COMPENSATION_MOVE.format(label=S.NON_PERFORMING.label), code="wrong_state")
    locked, moved = transition(current, to_state, by=by, action=f"在保贷款：{S(to_state).label}", reason=reason)
    if moved:
        _record(locked, by=by, kind=LoanEvent.Kind.STATUS, on=local_today(), note=reason)
        _after_settled(locked)
    return locked


def remind_unreported_overdue(*, today):
    """Daily: loans past maturity, still ACTIVE with principal outstanding, not yet reported."""
    from .selectors import loans_due_for_unreported_overdue

    count = 0
    for loan in loans_due_for_unreported_overdue(today).select_related("enterprise", "bank"):
        key = f"lenders-loan-{loan.pk}-unreported"
        from yunfu_ipfund.notices.models import Reminder

        if Reminder.objects.filter(key=key).exists():
            continue
        reminder_schedule(
            key=key, about=loan, due_date=add_workdays(loan.maturity_on, 1), notify_workdays_before=(),
            title=f"逾期未报告：{loan.enterprise.name} 借款合同 {loan.contract_number} 已于 {loan.maturity_on} 到期",
            recipient_role=Role.BANK_OFFICER, recipient_org=loan.bank, url=f"/lenders/loans/{loan.pk}/",
            body=f"贷款余额 {format_money(loan.outstanding_principal)} 元，请报告还款或逾期情况。",
        )
        count += 1
    return count


# --- suspension proposals (Art 15-16): the system proposes, the bureau approver decides ------------------

MSG_NO_COOPERATION = "“{bank}”没有合作银行档案，无法暂停备案。"


def _proposal_figures(row):
    return {k: (str(v) if v is not None else None) for k, v in row.items() if k != "bank"}


@transaction.atomic
def propose_suspensions(today):
    """Daily: a proposal (with the figures and a reminder to the approver) for each bank whose figures give
    grounds, unless one is open or one was decided in the last QUIET_DAYS_AFTER_DECISION days."""
    policy = policy_in_force(today)
    made = []
    for row in bank_risk_table(today=today):
        grounds = suspension_grounds(row, policy)
        if not grounds:
            continue
        bank = row["bank"]
        recent = SuspensionProposal.objects.filter(bank=bank)
        if recent.filter(status=SuspensionProposal.Status.PROPOSED).exists():
            continue
        if recent.filter(decided_at__date__gt=today - dt.timedelta(days=QUIET_DAYS_AFTER_DECISION)).exists():
            continue
        proposal = SuspensionProposal.objects.create(
            bank=bank, grounds="；".join(grounds) + "。", figures=_proposal_figures(row), proposed_on=today,
        )
        audit_record(by=None, action="提出暂停备案建议", obj=proposal, to_state=proposal.status,
                     reason=proposal.grounds, data={"policy": policy.code, **proposal.figures})
        reminder_schedule(
            key=f"fund-suspension-{proposal.pk}", about=proposal, due_date=today, recipient_role=Role.BUREAU_APPROVER,
            notify_workdays_before=(), escalate_role="", url=proposal.get_absolute_url(),
            title=f"建议暂停“{bank.name}”新增备案，请决定", body=proposal.grounds,
        )
        made.append(proposal)
    return made


@transaction.atomic
def proposal_accept(*, by, proposal, reason, effective_on=None):
    """The approver accepts: the bank is suspended (bank_suspend, which issues the suspension notice)."""
    require_perm(by, PERM_BUREAU_APPROVE)
    reason = _required_reason(reason)

    def suspend(locked):
        profile = CooperatingBank.objects.filter(organisation_id=locked.bank_id).first()
        if profile is None:
            raise DomainError(MSG_NO_COOPERATION.format(bank=locked.bank), code="no_cooperation")
        bank_suspend(by=by, bank=profile, reason=reason, effective_on=effective_on)

    proposal, _ = transition(proposal, SuspensionProposal.Status.ACCEPTED, by=by, action="采纳暂停备案建议",
                             reason=reason, check=suspend, conflict_if=(SuspensionProposal.Status.DISMISSED,),
                             decided_by=by, decided_at=timezone.now(), decision_reason=reason)
    reminder_resolve(about=proposal)
    return proposal


@transaction.atomic
def proposal_dismiss(*, by, proposal, reason):
    require_perm(by, PERM_BUREAU_APPROVE)
    reason = _required_reason(reason)
    proposal, _ = transition(proposal, SuspensionProposal.Status.DISMISSED, by=by, action="不予采纳暂停备案建议",
                             reason=reason, conflict_if=(SuspensionProposal.Status.ACCEPTED,),
                             decided_by=by, decided_at=timezone.now(), decision_reason=reason)
    reminder_resolve(about=proposal)
    return proposal


# --- the fund's reports, which state the covered outstanding at the end of their period ----------------


def fund_report_issue(*, by, year, month=None):
    """Issue the fund's monthly statement (with a month) or annual report, with the covered outstanding
    at the end of the period (the loans' figure, read here: fund.reports knows no loans)."""
    _start, end = fund_reports.report_period(year, month)
    covered = covered_outstanding(as_of=end)
    if month:
        return fund_reports.monthly_statement_issue(by=by, year=year, month=month, covered_outstanding=covered)
    return fund_reports.annual_report_issue(by=by, year=year, covered_outstanding=covered)


__all__ = [
    "bank_admit", "bank_suspend", "bank_reinstate", "bank_terminate",
    "propose_suspensions", "proposal_accept", "proposal_dismiss", "fund_report_issue",
    "filing_create", "filing_update", "filing_document_add", "filing_submit", "filing_return",
    "filing_override_late", "filing_confirm", "filing_refuse",
    "loan_report_repayment", "loan_report_overdue", "loan_report_classification", "loan_report_extension",
    "covered_loan_transition", "covered_part", "remind_unreported_overdue",
]


@transaction.atomic
def api_token_issue(*, by):
    """Issue (or replace) the API token of a bank user; the old token stops working at once."""
    from rest_framework.authtoken.models import Token

    if not (by.has_perm(PERM_BANK_PREPARE) or by.has_perm(PERM_BANK_COUNTERSIGN)):
        raise Forbidden("只有合作银行用户可以使用银行接口。", code="no_role")
    Token.objects.filter(user=by).delete()
    token = Token.objects.create(user=by)
    audit_record(by=by, action="生成接口令牌", obj=by, data={"prefix": token.key[:6]})
    return token
