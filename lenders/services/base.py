"""What every service of the bank side shares: its messages, who may act (a bank user of the record's own
bank, or NotFound), a required reason, dates."""

from yunfu_ipfund.accounts.selectors import is_bank_user, require_perm
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import (
    Forbidden,
    NotFound,
    ValidationFailed,
)
from yunfu_ipfund.common.parsing import parse_date, parse_text

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
    if not is_bank_user(by):
        raise Forbidden("您不属于任何银行。", code="no_role")


def _own(by, record):
    """A bank user acting on another bank's record: NotFound (never tell that it exists)."""
    if record.bank_id != by.organisation_id:
        raise NotFound()


def _required_reason(reason, field="reason"):
    """A reason (common.parsing.parse_text), refused item by item for the form or the API field."""
    try:
        return parse_text(reason, field="理由", message=MSG_REASON_REQUIRED)
    except ValidationFailed as exc:
        code = "reason_required" if exc.code == "required" else exc.code
        raise ValidationFailed(
            exc.message, code=code, details=[{"field": field, "message": exc.message}]
        ) from None


def _as_date(value, label, field):
    """A date (common.parsing.parse_date: typed values unchanged, an aware datetime's day in Shanghai);
    refused, with the field named for the form or the API, when missing or not a date."""
    try:
        day = parse_date(value, field=label)
    except ValidationFailed as exc:
        message = exc.message
    else:
        if day is not None:
            return day
        message = f"请填写{label}。"
    raise ValidationFailed(
        message, code="invalid_date", details=[{"field": field, "message": f"{label}格式应为 2026-03-01。"}]
    )


def _not_future(day, label, field):
    if day > local_today():
        raise ValidationFailed(
            MSG_DATE_FUTURE.format(label=label),
            code="date_future",
            details=[{"field": field, "message": MSG_DATE_FUTURE.format(label=label)}],
        )
    return day
