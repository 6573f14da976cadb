"""The pages under /fund/ that show the fund's figures beside the loans' (the fund knows no loans):
the overview and the reports (covered outstanding, leverage), the risk page (per-bank figures,
suspension proposals, the pause of new cover), a proposal, and the public statistics page.

They are composed here, where both apps are known, and mounted in the fund's URL namespace
(fund.pages), so their addresses and names stay /fund/…, fund:…
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from fund import reports as fund_reports
from fund import selectors as fund_selectors
from fund import services as fund_services
from fund.exports import xlsx_response
from fund.forms import AsOfForm, ReasonForm, ReportForm
from fund.models import LedgerAccount
from fund.risk import leverage_ceiling, payout_alert_threshold
from fund.svg import balance_chart
from fund.views import fund_page
from yunfu_ipfund.accounts.roles import PERM_BUREAU_APPROVE, PERM_FINANCE
from yunfu_ipfund.audit.workflow import available_move_names
from yunfu_ipfund.common.dates import add_months
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.notices.selectors import notices_about
from yunfu_ipfund.policy.services import policy_in_force

from . import risk, selectors, services
from .forms import AcceptForm
from .services.proposals import PROPOSAL_DUE, propose_suspensions, suspension_review

# --- the fund's overview and its reports -----------------------------------------------------------


@fund_page
def overview(request):
    form = AsOfForm(request.GET or None)
    as_of = form.cleaned_data.get("as_of") if form.is_valid() else None
    today = local_today()
    figures = risk.fund_figures_with_cover(as_of=as_of)
    end = as_of or today
    series = fund_selectors.balance_series(start=add_months(end, -12), end=end, points=13)
    try:
        policy = policy_in_force(end)
    except DomainError:
        policy = None
    return render(
        request,
        "lenders/fund_overview.html",
        {
            "form": form,
            "f": figures,
            "as_of": as_of,
            "chart": mark_safe(balance_chart(series)),  # noqa: S308 - our own markup
            "policy": policy,
            "ceiling": leverage_ceiling(figures.available, policy) if policy else 0,
            "can_instruct": request.user.has_perm(PERM_BUREAU_APPROVE),
            "can_confirm": request.user.has_perm(PERM_FINANCE),
            "report_form": _report_form(request.user, today),
            "can_issue_monthly": fund_reports.report_can_issue(request.user, annual=False),
            "can_issue_annual": fund_reports.report_can_issue(request.user, annual=True),
            "notices": notices_about(LedgerAccount(code="cash"), request.user)[:10],
        },
    )


def _report_form(user, today):
    """The report form as `user` may use it: without the annual report, the month is required."""
    form = ReportForm(
        initial={"year": today.year - (1 if today.month == 1 else 0), "month": (today.month - 2) % 12 + 1}
    )
    if not fund_reports.report_can_issue(user, annual=True):
        form.fields["month"].required = True
        form.fields["month"].label = "月份"
    return form


@fund_page
@require_POST
def report_issue(request):
    form = ReportForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("fund:overview")
    d = form.cleaned_data
    notice = services.fund_report_issue(by=request.user, year=d["year"], month=d.get("month"))
    messages.success(request, f"已出具{notice.title}（{notice.number}），PDF 生成后可下载。")
    return redirect(reverse("fund:overview"))


# --- risk ------------------------------------------------------------------------------------------

RISK_HEADER = [
    "银行",
    "在保余额（元）",
    "逾期在保（元）",
    "逾期率",
    "不良在保（元）",
    "统计期起",
    "统计期止",
    "统计期内在保本金（元）",
    "统计期内不良本金（元）",
    "统计期内不良率",
    "统计期内获得补偿（元）",
    "占资金规模",
    "补偿申请（笔）",
    "获得补偿（元）",
    "返还追偿款（元）",
    "追回（元）",
    "逾期未返还（笔）",
    "逾期未返还（元）",
    "最长逾期（天）",
    "暂停备案理由",
    "暂停备案建议",
]


def _risk_row(r):
    def ratio(v):
        return float(v) if v is not None else ""

    return [
        r["bank"].name,
        r["covered_outstanding"],
        r["overdue"],
        ratio(r["overdue_ratio"]),
        r["non_performing"],
        r["window_start"],
        r["window_end"],
        r["window_covered"],
        r["window_npl"],
        ratio(r["npl_ratio"]),
        r["window_compensation"],
        ratio(r["claims_share"]),
        r["claims"],
        r["compensation"],
        r["recoveries"],
        r["clawbacks"],
        r["overdue_returns"],
        r["overdue_returns_amount"],
        r["overdue_days"],
        "；".join(r["grounds"]),
        r["proposal_text"],
    ]


@fund_page
def risk_page(request):
    """The per-bank figures, their 超阈值 marks and where each bank's suspension proposal stands: all from
    ONE computation (lenders.services.proposals.suspension_review)."""
    form = AsOfForm(request.GET or None)
    as_of = form.cleaned_data.get("as_of") if form.is_valid() else None
    today = local_today()
    rows, policy = suspension_review(today=today, as_of=as_of)
    if request.GET.get("export") == "xlsx":
        return xlsx_response("fund-bank-risk", "合作银行风险", RISK_HEADER, (_risk_row(r) for r in rows))
    window_start, window_end = risk.suspension_window(as_of or today, policy)
    return render(
        request,
        "lenders/fund_risk.html",
        {
            "form": form,
            "rows": rows,
            "policy": policy,
            "window_start": window_start,
            "window_end": window_end,
            "claims_threshold": risk.claims_threshold(policy),
            "f": risk.fund_figures_with_cover(as_of=as_of),
            "as_of": as_of,
            "can_propose": as_of is None
            and request.user.has_perm(PERM_BUREAU_APPROVE)
            and any(r["proposal_state"] == PROPOSAL_DUE for r in rows),
            "proposals": selectors.proposals_visible_to(request.user).select_related("bank")[:50],
            "pause_threshold": payout_alert_threshold(policy),
            "cover_pause": fund_selectors.open_cover_pause(),
            "pauses": fund_selectors.cover_pauses()[:10],
            "can_pause": fund_services.cover_can_decide(request.user),
            "pause_form": ReasonForm(prefix="cover"),
        },
    )


@fund_page
@require_POST
def risk_propose(request):
    """The approver proposes at once what the daily check would propose today (the same rows)."""
    made = propose_suspensions(local_today(), by=request.user)  # Forbidden (403) for anyone else
    if made:
        messages.success(
            request, f"已提出 {len(made)} 项暂停备案建议：{'、'.join(p.bank.name for p in made)}。"
        )
    else:
        messages.info(request, "没有需要提出的暂停备案建议。")
    return redirect("fund:risk")


def _refused(form, exc):
    form.add_error(None, exc.message)
    for item in exc.details:
        if item.get("message"):
            form.add_error(None, item["message"])


@fund_page
def proposal_detail(request, pk):
    proposal = selectors.access_proposal(request.user, pk)
    moves = available_move_names(proposal, request.user)
    action = request.POST.get("action")
    accept_form = AcceptForm(
        request.POST if action == "accept" else None, initial={"effective_on": local_today()}
    )
    dismiss_form = ReasonForm(request.POST if action == "dismiss" else None)
    if request.method == "POST" and action in moves:
        form = accept_form if action == "accept" else dismiss_form
        if form.is_valid():
            try:
                if action == "accept":
                    services.proposal_accept(
                        by=request.user,
                        proposal=proposal,
                        reason=form.cleaned_data["reason"],
                        effective_on=form.cleaned_data["effective_on"],
                    )
                else:
                    services.proposal_dismiss(
                        by=request.user, proposal=proposal, reason=form.cleaned_data["reason"]
                    )
            except DomainError as exc:
                _refused(form, exc)
            else:
                messages.success(request, "已作出决定。")
                return redirect(proposal.get_absolute_url())
    return render(
        request,
        "lenders/proposal_detail.html",
        {
            "proposal": proposal,
            "moves": moves,
            "accept_form": accept_form,
            "dismiss_form": dismiss_form,
            "events": risk.proposal_trail(proposal),
        },
    )


# --- the public statistics page (DOMAIN.md, the public's role): aggregate figures only, no names --------


def statistics(request):
    context = {"as_of": local_today(), **selectors.public_statistics()}
    return render(request, "lenders/statistics.html", context)


# The routes under /fund/ (mounted by lenders.apps through fund.pages): (route, view, name).
FUND_PAGES = [
    ("", overview, "overview"),
    ("statistics/", statistics, "statistics"),
    ("risk/", risk_page, "risk"),
    ("risk/propose/", risk_propose, "risk_propose"),
    ("risk/proposals/<int:pk>/", proposal_detail, "proposal_detail"),
    ("reports/", report_issue, "report_issue"),
]
