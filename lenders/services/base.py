"""What every service of the bank side shares: its messages, who may act (a bank user of the record's own
bank, or NotFound), a required reason, dates."""

import datetime as dt

from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import (
    Forbidden,
    NotFound,
    ValidationFailed,
)

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
