"""The rules a claim is checked against, shown to the bank, the clerk and the approver (reads only)."""

from applications.selectors import is_blacklisted
from yunfu_ipfund.common.articles import ARTICLE_12, implements
from yunfu_ipfund.common.checks import FAIL, PASS, WARN, Check
from yunfu_ipfund.common.dates import add_months
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.common.money import format_money

from ..documents import fmt_day
from ..evidence import NOT_APPLICABLE, UPLOADED, completeness
from ..models import Claim
from .common import policy_of

MSG_WINDOW_CLOSED = (
    "已超过申请期限：该笔贷款的损失事件发生于 {loss_day}（{how}），依照《{policy}》第十二条，"
    "应在 {months} 个月内（{deadline} 前）申请补偿，今天是 {today}。"
)

S = Claim.Status


def loss_event_of(claim):
    """(day, how) of the claim's loss event (Claim.loss_event)."""
    return claim.loss_event()


def window_policy(claim):
    """The version that sets the claim window: the one in force on the day of the loss event."""
    return policy_of(claim, on=loss_event_of(claim)[0])


def claim_window_end(claim, policy=None):
    """The last day to claim: `claim_window_months` of the version in force on the loss-event day, from
    the loss event. (`policy` is accepted from older callers and not used: the window is never judged by
    the version of another day.)"""
    return add_months(loss_event_of(claim)[0], window_policy(claim).claim_window_months)


def check_window(claim, policy=None, day=None):
    """Refuse a claim first made after its window (`day`, today by default)."""
    day = day or local_today()
    deadline = claim_window_end(claim)
    if day > deadline:
        loss_day, how = loss_event_of(claim)
        version = window_policy(claim)
        raise DomainError(
            MSG_WINDOW_CLOSED.format(
                loss_day=loss_day,
                how=how,
                policy=version.title,
                months=version.claim_window_months,
                deadline=deadline,
                today=day,
            ),
            code="claim_window",
        )


def evidence_states(claim):
    """{kind: UPLOADED | NOT_APPLICABLE} of the latest row of each kind."""
    states = {}
    for item in sorted(claim.evidence.all(), key=lambda e: e.pk):
        states[item.kind] = NOT_APPLICABLE if item.not_applicable else UPLOADED
    return states


def claim_checklist(claim):
    return completeness(evidence_states(claim))


@implements(ARTICLE_12)
def claim_checks(claim, *, on=None):
    """Itemised checks of a claim against the Measures (Check list)."""
    on = on or local_today()
    loan = claim.covered_loan
    checks = []
    np_states = (loan.Status.NON_PERFORMING, loan.Status.IN_CLAIM)
    checks.append(
        Check(
            "loan_non_performing",
            "贷款已认定为不良",
            PASS if loan.status in np_states or claim.status != S.DRAFT else FAIL,
            f"在保贷款状态：{loan.get_status_display()}，{claim.get_classification_display()}类，"
            f"{fmt_day(claim.classified_on)} 认定",
            "第十二条",
        )
    )
    deadline = claim_window_end(claim)
    loss_day, how = loss_event_of(claim)
    filed = claim.first_submitted_on or on
    checks.append(
        Check(
            "claim_window",
            "在申请期限内",
            PASS if filed <= deadline else FAIL,
            f"损失事件 {fmt_day(loss_day)}（{how}）后 {window_policy(claim).claim_window_months} 个月内，"
            f"即 {deadline} 前；" + (f"首次提交于 {filed}" if claim.first_submitted_on else f"今天是 {on}"),
            "第十二条",
        )
    )
    outstanding = loan.outstanding_principal
    checks.append(
        Check(
            "principal",
            "未收回本金不超过贷款余额",
            PASS if claim.unrecovered_principal <= outstanding else FAIL,
            f"申请 {format_money(claim.unrecovered_principal)} 元，"
            f"报告的贷款余额 {format_money(outstanding)} 元"
            "（仅本金，不含利息罚息）",
            "第十三条",
        )
    )
    checklist = claim_checklist(claim)
    missing = checklist.missing_required
    checks.append(
        Check(
            "evidence",
            "申请材料齐全",
            PASS if not missing else FAIL,
            f"完整度 {checklist.score}%"
            + (("；缺少：" + "、".join(s.label for s in missing)) if missing else ""),
            "第十二条",
        )
    )
    listed = is_blacklisted(loan.enterprise, on)
    checks.append(
        Check(
            "blacklist",
            "借款企业未列入失信黑名单",
            WARN if listed else PASS,
            "借款企业在失信黑名单期内，请核实是否存在虚假情形" if listed else "未列入",
            "第二十一条",
        )
    )
    return checks
