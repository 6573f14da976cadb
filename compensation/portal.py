"""Navigation and the task inbox for compensation."""

from django.urls import reverse

from yunfu_ipfund.accounts.roles import (
    PERM_BANK_COUNTERSIGN,
    PERM_BANK_PREPARE,
    PERM_BUREAU_APPROVE,
    PERM_BUREAU_REVIEW,
    PERM_FINANCE,
    PERM_READ_ALL,
)
from yunfu_ipfund.accounts.selectors import is_bank_user
from yunfu_ipfund.common.dates import today as local_today

from .models import Claim, Clawback, Recovery
from .selectors import claims_visible_to
from .services.publicity import claims_ripe_for_decision, decision_due_of

S = Claim.Status
LIMIT = 50


def nav_items(user):
    if is_bank_user(user) or user.has_perm(PERM_READ_ALL):
        return [("风险补偿", reverse("compensation:claim_list")), ("拨付排队", reverse("compensation:queue"))]
    return []


def _task(title, claim, due, kind):
    return {
        "title": title,
        "url": claim.get_absolute_url(),
        "due": due,
        "kind": kind,
        "overdue": bool(due and due < local_today()),
    }


def tasks(user):
    qs = claims_visible_to(user)
    out = []
    is_bank = is_bank_user(user)
    prepares, countersigns = (
        is_bank and user.has_perm(p) for p in (PERM_BANK_PREPARE, PERM_BANK_COUNTERSIGN)
    )
    if prepares or countersigns:
        # A draft: the supervisor countersigns and submits it. A claim returned for supplement: the officer
        # supplements, the supervisor countersigns and resubmits it, both by the supplement deadline.
        statuses = [S.SUPPLEMENT_REQUESTED] + ([S.DRAFT] if countersigns else [])
        open_claims = qs.filter(status__in=statuses).prefetch_related("supplements").order_by("id")[:LIMIT]
        for c in open_claims:
            if c.status == S.DRAFT:
                out.append(_task(f"复核并提交补偿申请 {c.reference}", c, None, "补偿"))
                continue
            due = max((s.due_on for s in c.supplements.all()), default=None)
            if prepares:
                out.append(_task(f"补充补偿申请 {c.reference} 的材料", c, due, "补偿"))
            if countersigns:
                out.append(_task(f"复核补充材料并重新提交补偿申请 {c.reference}", c, due, "补偿"))
    if countersigns:
        drafts = Recovery.objects.filter(status=Recovery.Status.DRAFT, claim__in=qs).select_related("claim")
        for r in drafts.order_by("report_due_on", "id")[:LIMIT]:
            title = f"复核追偿报告（{r.claim.reference}，{r.received_on:%Y-%m-%d} 收到）"
            out.append(_task(title, r.claim, r.report_due_on, "追偿"))
    if user.has_perm(PERM_BUREAU_REVIEW):
        for c in qs.filter(status=S.SUBMITTED).order_by("intake_due_on")[:LIMIT]:
            out.append(_task(f"受理补偿申请 {c.reference}", c, c.intake_due_on, "补偿"))
        for c in qs.filter(status=S.ACCEPTED).order_by("review_due_on")[:LIMIT]:
            out.append(_task(f"初审补偿申请 {c.reference}", c, c.review_due_on, "补偿"))
        for c in qs.filter(status=S.APPROVED).order_by("id")[:LIMIT]:
            out.append(_task(f"公示补偿申请 {c.reference}（拟补偿）", c, None, "补偿"))
    if user.has_perm(PERM_BUREAU_APPROVE):
        for c in qs.filter(status__in=[S.FIRST_REVIEWED, S.JOINT_MEETING]).order_by("review_due_on")[:LIMIT]:
            out.append(_task(f"复审补偿申请 {c.reference}", c, c.review_due_on, "补偿"))
        for c in claims_ripe_for_decision(qs)[:LIMIT]:
            out.append(_task(f"作出补偿决定：{c.reference}（公示期满）", c, decision_due_of(c), "补偿"))
        for c in qs.filter(status=S.DECIDED, commitment__isnull=False).order_by("payment_due_on")[:LIMIT]:
            out.append(_task(f"下达补偿申请 {c.reference} 的拨付通知", c, c.payment_due_on, "补偿"))
    if user.has_perm(PERM_FINANCE):
        for c in qs.filter(status=S.PAYMENT_INSTRUCTED).order_by("payment_due_on")[:LIMIT]:
            out.append(_task(f"确认拨付补偿申请 {c.reference}", c, c.payment_due_on, "拨付"))
        for r in Recovery.objects.filter(status=Recovery.Status.REPORTED).select_related("claim")[:LIMIT]:
            out.append(_task(f"确认追偿返还款到账（{r.claim.reference}）", r.claim, r.return_due_on, "收款"))
        for k in Clawback.objects.filter(status=Clawback.Status.DEMANDED).select_related("claim")[:LIMIT]:
            out.append(_task(f"确认追回资金到账（{k.claim.reference}）", k.claim, k.due_on, "收款"))
    return out
