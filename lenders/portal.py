"""Navigation and the task inbox for the bank side."""

from django.urls import reverse

from yunfu_ipfund.accounts.roles import (
    PERM_BANK_COUNTERSIGN,
    PERM_BANK_PREPARE,
    PERM_BUREAU_APPROVE,
    PERM_BUREAU_REVIEW,
    PERM_FINANCE,
)
from yunfu_ipfund.accounts.selectors import is_bank_user, is_enterprise_user
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.policy.services import policy_in_force

from .models import CoveredLoan, LoanFiling
from .rules import filing_deadline
from .selectors import open_proposals, review_queue

TASK_LIMIT = 50


def nav_items(user):
    items = []
    if is_bank_user(user):
        items += [
            ("待备案登记", reverse("lenders:registration_list")),
            ("贷款备案", reverse("lenders:filing_list")),
            ("在保贷款", reverse("lenders:loan_list")),
            ("批量导入", reverse("lenders:import_list")),
            ("接口密钥", reverse("lenders:api_token")),
        ]
    elif user.has_perm(PERM_BUREAU_REVIEW) or user.has_perm(PERM_BUREAU_APPROVE):
        items += [
            ("备案审核", reverse("lenders:review_queue")),
            ("贷款备案", reverse("lenders:filing_list")),
            ("在保贷款", reverse("lenders:loan_list")),
            ("合作银行", reverse("lenders:bank_list")),
        ]
    elif is_enterprise_user(user):
        items += [("在保贷款", reverse("lenders:loan_list"))]
    elif user.has_perm(PERM_FINANCE):
        items += [("在保贷款", reverse("lenders:loan_list")), ("合作银行", reverse("lenders:bank_list"))]
    return items


def _filing_deadline(filing):
    try:
        return filing_deadline(filing, policy_in_force(filing.disbursed_on))
    except DomainError:
        return None


def tasks(user):
    today = local_today()
    out = []

    def add(title, filing_or_url, due, kind):
        url = (
            filing_or_url
            if isinstance(filing_or_url, str)
            else reverse("lenders:filing_detail", args=[filing_or_url.pk])
        )
        out.append(
            {"title": title, "url": url, "due": due, "kind": kind, "overdue": bool(due and due < today)}
        )

    if is_bank_user(user):
        own = LoanFiling.objects.filter(
            bank_id=user.organisation_id, status__in=LoanFiling.EDITABLE
        ).select_related("enterprise")
        own = list(own.order_by("created_at")[:TASK_LIMIT])
        for f in own:
            returned = f.status == LoanFiling.Status.RETURNED
            due = f.correction_due_on if returned else _filing_deadline(f)
            if user.has_perm(PERM_BANK_PREPARE):
                add(
                    f"{'补正' if returned else '完成'}备案：{f.enterprise.name} {f.contract_number}",
                    f,
                    due,
                    "备案",
                )
            if user.has_perm(PERM_BANK_COUNTERSIGN) and f.prepared_by_id != user.pk:
                add(f"复核报送备案：{f.enterprise.name} {f.contract_number}", f, due, "备案复核")
    if user.has_perm(PERM_BUREAU_REVIEW) or user.has_perm(PERM_BUREAU_APPROVE):
        # The clerk's first review of a submitted filing, the approver's decision on a first-reviewed one.
        verbs = {}
        if user.has_perm(PERM_BUREAU_REVIEW):
            verbs[LoanFiling.Status.SUBMITTED] = "初审"
        if user.has_perm(PERM_BUREAU_APPROVE):
            verbs[LoanFiling.Status.FIRST_REVIEWED] = "审批"
        for f in review_queue(list(verbs))[:TASK_LIMIT]:
            add(
                f"{verbs[f.status]}备案：{f.bank.name} {f.enterprise.name} {f.contract_number}",
                f,
                f.review_due_on,
                "备案审核",
            )
    if user.has_perm(PERM_BUREAU_APPROVE):
        for p in open_proposals():
            out.append(
                {
                    "title": f"暂停“{p.bank.name}”备案的建议待决定",
                    "url": p.get_absolute_url(),
                    "due": p.proposed_on,
                    "kind": "风险监测",
                    "overdue": False,
                }
            )
    if user.has_perm(PERM_FINANCE):
        count = CoveredLoan.objects.filter(
            status__in=(CoveredLoan.Status.OVERDUE, CoveredLoan.Status.NON_PERFORMING)
        ).count()
        if count:
            add(
                f"关注逾期及不良在保贷款 {count} 笔",
                reverse("lenders:loan_list") + "?status=non_performing",
                None,
                "在保贷款",
            )
    return out
