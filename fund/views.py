"""Pages of the fund for finance and the bureau. Everyone else gets 404 (require_fund_reader).

Views only read through selectors and write through services; a refusal (DomainError) keeps the
form on screen with the message, or goes back to the page through the platform's middleware.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yunfu_ipfund.accounts.roles import PERM_BUREAU_APPROVE, PERM_FINANCE
from yunfu_ipfund.audit.selectors import trail_for
from yunfu_ipfund.audit.workflow import available_move_names
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError, Forbidden, NotFound
from yunfu_ipfund.common.money import format_money
from yunfu_ipfund.common.pagination import page_of

from . import selectors, services
from .exports import xlsx_response
from .forms import (
    InstructionForm,
    JournalFilter,
    LineForm,
    MatchForm,
    PayForm,
    PeriodForm,
    ReasonForm,
    ReceiptForm,
    UploadForm,
)

PAGE_SIZE = 50


def fund_page(view):
    """Login, then 404 for anyone who is not finance or the bureau (banks, enterprises, outsiders)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        selectors.require_fund_reader(request.user)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _refused(request, form, exc):
    form.add_error(None, exc.message)
    for item in exc.details:
        if item.get("message"):
            form.add_error(None, item["message"])


# --- journal, postings ------------------------------------------------------------------


@fund_page
def journal(request):
    form = JournalFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.journal(request.user, **{k: v for k, v in filters.items() if v})
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "fund-journal", "资金流水", JOURNAL_HEADER, (_journal_row(p) for p in qs.iterator(2000))
        )
    page = page_of(request, qs, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "fund/journal.html", {"form": form, "page": page, "query_string": query.urlencode()}
    )


JOURNAL_HEADER = [
    "凭证号",
    "记账日期",
    "登记时间",
    "类型",
    "金额（元）",
    "银行",
    "业务对象",
    "业务标识",
    "登记人",
    "摘要",
]


def _journal_row(p):
    return [
        p.pk,
        p.value_date,
        p.booked_at.replace(tzinfo=None),
        p.get_kind_display(),
        p.amount,
        p.bank.name if p.bank_id else "",
        f"{p.reference_type}:{p.reference_id}" if p.reference_type else "",
        p.key,
        p.actor_name,
        p.reason,
    ]


@fund_page
def posting_detail(request, pk):
    posting = selectors.access_posting(request.user, pk)
    user = request.user
    form = ReasonForm(request.POST or None) if services.posting_can_reverse(posting, user) else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            reversal = services.posting_reverse(
                by=user, posting=posting, reason=form.cleaned_data["reason"], key=f"reverse-{posting.pk}"
            )
        except DomainError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, f"已冲正，冲正凭证 #{reversal.pk}。")
            return redirect(reversal.get_absolute_url())
    return render(
        request,
        "fund/posting_detail.html",
        {
            "posting": posting,
            "entries": posting.entries.all(),
            "events": trail_for(posting),
            "form": form,
            "reversal": getattr(posting, "reversed_by", None) if hasattr(posting, "reversed_by") else None,
        },
    )


# --- money in (finance), instructions (bureau), payments (finance) --------------------------------


@fund_page
def receipt_new(request):
    if not request.user.has_perm(PERM_FINANCE):
        messages.error(request, "只有财政局可以登记到账资金。")
        return redirect("fund:overview")
    form = ReceiptForm(request.POST or None, initial={"value_date": local_today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        service = services.contribution_post if d["kind"] == "contribution" else services.interest_post
        try:
            posting = service(
                by=request.user,
                amount=d["amount"],
                value_date=d["value_date"],
                key=f"{d['kind']}-{d['reference'].strip()}",
                reference=("statement", d["reference"]),
                reason=d["reason"],
            )
        except DomainError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, f"已登记，凭证 #{posting.pk}。")
            return redirect(posting.get_absolute_url())
    return render(
        request,
        "fund/form_page.html",
        {
            "form": form,
            "title": "登记到账资金（出资、利息）",
            "confirm": "确认按对账单登记该笔到账资金？",
            "submit": "登记",
        },
    )


@fund_page
def commitment_list(request):
    commitments = (
        selectors.commitments_visible_to(request.user).select_related("bank", "created_by").order_by("-id")
    )
    page = page_of(request, selectors.with_committed_total(commitments), PAGE_SIZE)
    for c in page:
        c.remaining = selectors.commitment_remaining(c)
    form = None
    if request.user.has_perm(PERM_BUREAU_APPROVE):
        form = InstructionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                c = services.commitment_create(
                    by=request.user,
                    amount=d["amount"],
                    purpose=d["purpose"],
                    reason=d["reason"],
                    reference=("fund.instruction", d["reference"].strip()),
                    key=f"{d['purpose']}-{d['reference'].strip()}",
                )
            except DomainError as exc:
                _refused(request, form, exc)
            else:
                messages.success(request, "已下达指令，待财政局确认付款。")
                return redirect("fund:commitment_detail", c.pk)
    return render(request, "fund/commitment_list.html", {"page": page, "form": form})


@fund_page
def commitment_detail(request, pk):
    commitment = selectors.access_commitment(request.user, pk)
    remaining = selectors.commitment_remaining(commitment)
    user = request.user
    pay_form = release_form = None
    if services.commitment_can_pay(commitment, user, remaining):
        pay_form = PayForm(
            request.POST if request.POST.get("action") == "pay" else None,
            initial={"amount": format_money(remaining).replace(",", ""), "value_date": local_today()},
        )
    if services.commitment_can_release(commitment, user, remaining):
        release_form = ReasonForm(request.POST if request.POST.get("action") == "release" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        form = pay_form if action == "pay" else release_form if action == "release" else None
        if form is not None and form.is_valid():
            d = form.cleaned_data
            n = commitment.postings.count()
            try:
                if action == "pay":
                    service = {
                        "claim": services.payout_post,
                        "fee": services.fee_pay,
                        "treasury": services.treasury_return_post,
                    }[commitment.purpose]
                    service(
                        by=user,
                        commitment=commitment,
                        amount=d["amount"],
                        value_date=d["value_date"],
                        key=f"pay-{commitment.pk}-{n}",
                        reason=d["reason"] or commitment.get_purpose_display(),
                    )
                else:
                    services.commitment_release(
                        by=user, commitment=commitment, key=f"release-{commitment.pk}-{n}", reason=d["reason"]
                    )
            except DomainError as exc:
                _refused(request, form, exc)
            else:
                messages.success(request, "已登记。")
                return redirect("fund:commitment_detail", commitment.pk)
    return render(
        request,
        "fund/commitment_detail.html",
        {
            "commitment": commitment,
            "remaining": remaining,
            "paid": selectors.commitment_paid(commitment),
            "postings": commitment.postings.order_by("id"),
            "pay_form": pay_form,
            "release_form": release_form,
            "events": trail_for(commitment),
        },
    )


# --- the pause of new cover (its buttons are on the risk page, lenders.fund_pages) ----------------------


COVER_ACTIONS = {
    "pause": (services.cover_pause, "已暂停新增纳入风险补偿。"),
    "resume": (services.cover_resume, "已恢复新增纳入风险补偿。"),
}


@require_POST
@fund_page
def cover_action(request, action):
    """The bureau approver pauses or resumes new cover (button pair on the risk page)."""
    if action not in COVER_ACTIONS:
        raise NotFound()
    service, done = COVER_ACTIONS[action]
    form = ReasonForm(request.POST, prefix="cover")
    try:
        service(by=request.user, reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except Forbidden:
        raise
    except DomainError as exc:  # reason missing, already paused, nothing to resume: back to the page
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("fund:risk")


# --- reconciliation -------------------------------------------------------------------------------


@fund_page
def period_list(request):
    periods = selectors.periods_visible_to(request.user).order_by("-start")
    form = PeriodForm(request.POST or None) if request.user.has_perm(PERM_FINANCE) else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            period = services.period_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _refused(request, form, exc)
        else:
            return redirect(period.get_absolute_url())
    page = page_of(request, periods, PAGE_SIZE)
    return render(request, "fund/period_list.html", {"page": page, "form": form})


@fund_page
def period_detail(request, pk):
    period = selectors.access_period(request.user, pk)
    editable = services.period_can_edit(period, request.user)
    moves = available_move_names(period, request.user)
    action = request.POST.get("action")
    line_form = LineForm(request.POST if action == "line" else None) if editable else None
    upload_form = (
        UploadForm(
            request.POST if action == "upload" else None, request.FILES if action == "upload" else None
        )
        if editable
        else None
    )
    match_form = MatchForm(request.POST if action == "match" else None) if editable else None
    signoff_form = ReasonForm(request.POST if action == "signoff" else None) if "sign_off" in moves else None
    if request.method == "POST" and editable:
        user = request.user
        try:
            if action == "line" and line_form.is_valid():
                services.statement_line_add(by=user, period=period, **line_form.cleaned_data)
                messages.success(request, "已录入。")
                return redirect(period.get_absolute_url())
            if action == "upload" and upload_form.is_valid():
                lines = services.statement_import(
                    by=user, period=period, file=upload_form.cleaned_data["file"]
                )
                messages.success(request, f"已导入 {len(lines)} 条对账单明细。")
                return redirect(period.get_absolute_url())
            if action == "auto":
                n = services.reconciliation_match(by=user, period=period)
                messages.success(request, f"自动匹配 {n} 条。")
                return redirect(period.get_absolute_url())
            if action == "match" and match_form.is_valid():
                line = period.lines.filter(pk=match_form.cleaned_data["line"]).first()
                posting = (
                    selectors.postings_visible_to(user).filter(pk=match_form.cleaned_data["posting"]).first()
                )
                if line is None or posting is None:
                    match_form.add_error("posting", "未找到该凭证或对账单明细。")
                else:
                    services.statement_line_match(by=user, line=line, posting=posting)
                    return redirect(period.get_absolute_url())
            if action == "unmatch":
                line = period.lines.filter(pk=request.POST.get("line") or 0).first()
                if line is not None:
                    services.statement_line_unmatch(by=user, line=line)
                return redirect(period.get_absolute_url())
            if action == "signoff" and signoff_form is not None and signoff_form.is_valid():
                services.period_sign_off(by=user, period=period, reason=signoff_form.cleaned_data["reason"])
                messages.success(request, "已签核。该期间内不能再补记凭证。")
                return redirect(period.get_absolute_url())
        except DomainError as exc:
            target = {
                "line": line_form,
                "upload": upload_form,
                "match": match_form,
                "signoff": signoff_form,
            }.get(action)
            if target is None:
                raise
            _refused(request, target, exc)
    return render(
        request,
        "fund/period_detail.html",
        {
            "period": period,
            "r": selectors.reconciliation(period),
            "editable": editable,
            "line_form": line_form,
            "upload_form": upload_form,
            "match_form": match_form,
            "signoff_form": signoff_form,
            "moves": moves,
            "events": trail_for(period),
        },
    )
