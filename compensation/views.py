"""Pages: the bank's claims, the bureau's and finance's queues, each claim's page, the public notices.

Views read through selectors and write through services. A refusal on an action comes back to the
claim page with its message (platform middleware); the public objection form keeps its input.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import (
    PERM_BANK_COUNTERSIGN,
    PERM_BANK_PREPARE,
    PERM_BUREAU_APPROVE,
    PERM_BUREAU_REVIEW,
    PERM_FINANCE,
)
from yunfu_ipfund.accounts.selectors import access
from yunfu_ipfund.audit.selectors import trail_for
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError, NotFound, ValidationFailed
from yunfu_ipfund.common.middleware import client_ip
from yunfu_ipfund.common.uploads import serve_private_file
from yunfu_ipfund.notices.selectors import notices_about
from yunfu_ipfund.public_views import rate_limited

from . import forms, selectors, services
from .evidence import EVIDENCE_BY_CODE
from .models import Claim, Recovery

PAGE_SIZE = 20


def _is_bank(user):
    return bool(user.organisation_id and user.organisation.kind == Organisation.Kind.BANK)


def _invalid(form):
    raise ValidationFailed("提交的内容有误：" + "；".join(f"{form.fields[f].label if f in form.fields else ''}{'：' if f in form.fields else ''}{'；'.join(e)}" for f, e in form.errors.items()))


@login_required
def claim_list(request):
    user = request.user
    qs = selectors.claims_visible_to(user)
    status = request.GET.get("status", "")
    if status in Claim.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "statuses": Claim.Status.choices, "is_bank": _is_bank(user), "today": local_today()}
    if not _is_bank(user):
        context["queues"] = selectors.bureau_queues(user)
        context["recoveries_due"], context["clawbacks_due"] = selectors.receipts_due(user)
    return render(request, "compensation/claim_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request):
    if not (_is_bank(request.user) and request.user.has_perm(PERM_BANK_PREPARE)):
        raise NotFound()
    loans = list(selectors.claimable_loans(request.user))
    form = forms.NewClaimForm(request.POST or None, loans=loans)
    if request.method == "POST" and form.is_valid():
        loan = access(selectors.claimable_loans(request.user), form.cleaned_data["loan"])
        try:
            claim = services.claim_create(
                by=request.user, covered_loan=loan, unrecovered_principal=form.cleaned_data["unrecovered_principal"],
                enforcement_actions=form.cleaned_data["enforcement_actions"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "补偿申请已创建，请上传材料后提交复核。")
            return redirect(claim.get_absolute_url())
    return render(request, "compensation/claim_new.html", {"form": form, "loans": loans})


def _checklist_rows(claim):
    latest = {}
    for item in claim.evidence.order_by("id"):
        latest[item.kind] = item
    checklist = services.claim_checklist(claim)
    return checklist, [(row, latest.get(row.spec.code)) for row in checklist.rows]


def _claim_notices(claim, user):
    """The notices about the claim and about what hangs off it (its public notice batch, recoveries, clawback)."""
    found = notices_about(claim, user)
    for related in [claim.batch, *claim.recoveries.all(), getattr(claim, "clawback", None)]:
        if related is not None:
            found = found | notices_about(related, user)
    return found.order_by("-issued_at", "-id")


@login_required
def claim_detail(request, pk):
    user = request.user
    claim = selectors.access_claim(user, pk)
    policy = services.policy_of(claim)
    checklist, rows = _checklist_rows(claim)
    bank_user = _is_bank(user)
    can = {
        "edit": bank_user and claim.is_editable and user.has_perm(PERM_BANK_PREPARE),
        "upload": bank_user and claim.is_editable,
        "submit": bank_user and claim.status in (Claim.Status.DRAFT, Claim.Status.SUPPLEMENT_REQUESTED)
        and user.has_perm(PERM_BANK_COUNTERSIGN),
        "intake": claim.status == Claim.Status.SUBMITTED and user.has_perm(PERM_BUREAU_REVIEW),
        "first_review": claim.status == Claim.Status.ACCEPTED and user.has_perm(PERM_BUREAU_REVIEW),
        "joint_meeting": claim.status == Claim.Status.FIRST_REVIEWED and policy.requires_joint_meeting
        and user.has_perm(PERM_BUREAU_APPROVE),
        "second_review": user.has_perm(PERM_BUREAU_APPROVE) and (
            claim.status == Claim.Status.JOINT_MEETING
            or (claim.status == Claim.Status.FIRST_REVIEWED and not policy.requires_joint_meeting)),
        "publish": claim.status == Claim.Status.APPROVED and (user.has_perm(PERM_BUREAU_REVIEW) or user.has_perm(PERM_BUREAU_APPROVE)),
        "instruct": claim.status == Claim.Status.DECIDED and claim.commitment_id and user.has_perm(PERM_BUREAU_APPROVE),
        "pay": claim.status == Claim.Status.PAYMENT_INSTRUCTED and user.has_perm(PERM_FINANCE),
        "recovery": bank_user and claim.status in (Claim.Status.PAID, Claim.Status.RECOVERY)
        and user.has_perm(PERM_BANK_PREPARE),
        "edit_recovery": bank_user and user.has_perm(PERM_BANK_PREPARE),
        "countersign_recovery": bank_user and user.has_perm(PERM_BANK_COUNTERSIGN),
        "close": claim.status in (Claim.Status.PAID, Claim.Status.RECOVERY) and user.has_perm(PERM_BUREAU_APPROVE),
        "rescind": claim.status in Claim.RESCINDABLE and user.has_perm(PERM_BUREAU_APPROVE),
    }
    preview = None
    if claim.status in (Claim.Status.FIRST_REVIEWED, Claim.Status.JOINT_MEETING) and not bank_user:
        try:
            preview = services.claim_compute(claim).as_dict()
        except DomainError:
            preview = None
    context = {
        "claim": claim, "policy": policy, "checklist": checklist, "rows": rows, "can": can,
        "checks": services.claim_checks(claim), "preview": preview,
        "reviews": claim.reviews.select_related("reviewer"), "reductions": claim.reductions.all(),
        "supplements": claim.supplements.all(), "objections": claim.objections.all() if not bank_user else [],
        "recoveries": claim.recoveries.exclude(status=Recovery.Status.DRAFT),
        "recovery_drafts": _recovery_drafts(claim), "clawback": getattr(claim, "clawback", None),
        "notices": _claim_notices(claim, user), "events": trail_for(claim), "postings": selectors.claim_postings(claim),
        "window_end": services.claim_window_end(claim, policy), "today": local_today(),
        # Several forms share field names (kind, reason, opinion...): each gets its own id prefix, so
        # that every label points at its own field.
        "forms": {key: form_class(auto_id=f"{key}-%s", **kwargs) for key, (form_class, kwargs) in {
            "claim": (forms.ClaimForm, {"initial": {"unrecovered_principal": claim.unrecovered_principal,
                                                    "enforcement_actions": claim.enforcement_actions}}),
            "evidence": (forms.EvidenceForm, {}), "na": (forms.NotApplicableForm, {}),
            "supplement": (forms.SupplementForm, {}), "opinion": (forms.OpinionForm, {}),
            "joint": (forms.JointMeetingForm, {}), "second": (forms.SecondReviewForm, {}),
            "voucher": (forms.VoucherForm, {}), "recovery": (forms.RecoveryForm, {}), "close": (forms.CloseForm, {}),
            "rescind": (forms.RescindForm, {}),
        }.items()},
    }
    return render(request, "compensation/claim_detail.html", context)


def _recovery_drafts(claim):
    """The recovery reports waiting for the bank's countersign, each with its own edit form."""
    return [
        (r, forms.RecoveryForm(auto_id=f"recovery-{r.pk}-%s", initial={
            "received_on": r.received_on, "amount": r.amount, "costs": r.costs, "description": r.description}))
        for r in claim.recoveries.filter(status=Recovery.Status.DRAFT).select_related("reported_by").order_by("id")
    ]


def _do(form_class, fn):
    def handler(request, claim):
        if form_class is None:
            return fn(request, claim, {})
        form = form_class(request.POST, request.FILES)
        if not form.is_valid():
            _invalid(form)
        return fn(request, claim, form.cleaned_data if not hasattr(form, "reductions") else {**form.cleaned_data, "_form": form})
    return handler


ACTIONS = {
    "update": (_do(forms.ClaimForm, lambda r, c, d: services.claim_update(by=r.user, claim=c, **d)), "申请已保存。"),
    "evidence": (_do(forms.EvidenceForm, lambda r, c, d: services.evidence_upload(by=r.user, claim=c, kind=d["kind"], file=d["file"])), "材料已上传。"),
    "not_applicable": (_do(forms.NotApplicableForm, lambda r, c, d: services.evidence_mark_not_applicable(by=r.user, claim=c, **d)), "已标记为不适用。"),
    "submit": (_do(None, lambda r, c, d: services.claim_submit(by=r.user, claim=c)), "申请已提交市监局。"),
    "accept": (_do(None, lambda r, c, d: services.claim_accept(by=r.user, claim=c)), "已受理，受理通知书已签发。"),
    "supplement": (_do(forms.SupplementForm, lambda r, c, d: services.claim_request_supplement(
        by=r.user, claim=c, items=[{"code": code, "note": d["note"]} for code in d["codes"]])), "补充材料通知书已签发。"),
    "first_review": (_do(forms.OpinionForm, lambda r, c, d: services.claim_first_review(
        by=r.user, claim=c, opinion=d["opinion"],
        rule_opinions={k[5:]: v for k, v in r.POST.items() if k.startswith("rule_")})), "初审意见已提交。"),
    "joint_meeting": (_do(forms.JointMeetingForm, lambda r, c, d: services.claim_joint_meeting(by=r.user, claim=c, **d)), "联席会议审议情况已登记。"),
    "second_review": (_do(forms.SecondReviewForm, lambda r, c, d: services.claim_second_review(
        by=r.user, claim=c, outcome=d["outcome"], reason=d["reason"], reductions=d["_form"].reductions())), "复审结论已提交。"),
    "publish": (_do(None, lambda r, c, d: services.notice_batch_publish(by=r.user, claims=[c])), "已发布公示。"),
    "instruct": (_do(None, lambda r, c, d: services.claim_instruct_payment(by=r.user, claim=c)), "拨付通知书已签发。"),
    "pay": (_do(forms.VoucherForm, lambda r, c, d: services.claim_confirm_payment(by=r.user, claim=c, **d)), "已确认拨付。"),
    "recovery": (_do(forms.RecoveryForm, lambda r, c, d: services.recovery_prepare(by=r.user, claim=c, **d)),
                 "追偿报告已起草，待本行复核人员复核后报告市监局。"),
    "close": (_do(forms.CloseForm, lambda r, c, d: services.claim_close(by=r.user, claim=c, **d)), "已结案。"),
    "rescind": (_do(forms.RescindForm, lambda r, c, d: services.claim_rescind(by=r.user, claim=c, **d)), "已撤销补偿并签发追回通知书。"),
}


@login_required
@require_POST
def claim_action(request, pk, action):
    claim = selectors.access_claim(request.user, pk)
    if action not in ACTIONS:
        raise NotFound()
    handler, done = ACTIONS[action]
    handler(request, claim)
    messages.success(request, done)
    return redirect(claim.get_absolute_url())


@login_required
def evidence_download(request, pk, item_pk):
    item = selectors.access_evidence(request.user, pk, item_pk)
    return serve_private_file(item.file, download_name=item.download_name, content_type=item.content_type)


@login_required
def queue(request):
    """The payment queue: bureau and finance see all of it; a bank sees only its own claims in it."""
    user = request.user
    if not (_is_bank(user) or user.has_perm("accounts.read_all")):
        raise NotFound()
    return render(request, "compensation/queue.html", {"claims": selectors.fund_queue(user)})


RECOVERY_ACTIONS = {
    "update": (_do(forms.RecoveryForm, lambda r, rec, d: services.recovery_update(by=r.user, recovery=rec, **d)), "追偿报告已保存。"),
    "withdraw": (_do(None, lambda r, rec, d: services.recovery_withdraw(by=r.user, recovery=rec)), "追偿报告已撤回。"),
    "countersign": (_do(None, lambda r, rec, d: services.recovery_countersign(by=r.user, recovery=rec)),
                    "追偿报告已复核并报告市监局。"),
}


@login_required
@require_POST
def recovery_action(request, pk, action):
    """The bank's moves on a draft recovery report: the officer edits or withdraws, a supervisor countersigns."""
    recovery = selectors.access_recovery(request.user, pk)
    if action not in RECOVERY_ACTIONS:
        raise NotFound()
    handler, done = RECOVERY_ACTIONS[action]
    handler(request, recovery)
    messages.success(request, done)
    return redirect(recovery.claim.get_absolute_url())


@login_required
def recovery_evidence(request, pk):
    recovery = selectors.access_recovery(request.user, pk)
    if not recovery.evidence:
        raise NotFound()
    return serve_private_file(recovery.evidence, download_name=recovery.download_name, content_type=recovery.content_type)


@login_required
@require_POST
def recovery_receipt(request, pk):
    recovery = selectors.access_recovery(request.user, pk)
    form = forms.VoucherForm(request.POST)
    if not form.is_valid():
        _invalid(form)
    services.recovery_confirm_receipt(by=request.user, recovery=recovery, **form.cleaned_data)
    messages.success(request, "已确认追偿返还款到账。")
    return redirect(recovery.claim.get_absolute_url())


@login_required
@require_POST
def clawback_receipt(request, pk):
    clawback = selectors.access_clawback(request.user, pk)
    form = forms.VoucherForm(request.POST)
    if not form.is_valid():
        _invalid(form)
    services.clawback_confirm_receipt(by=request.user, clawback=clawback, **form.cleaned_data)
    messages.success(request, "已确认追回资金到账。")
    return redirect(clawback.claim.get_absolute_url())


# --- public ------------------------------------------------------------------------------------------


def public_list(request):
    page = Paginator(selectors.published_batches(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "compensation/public_list.html", {"page": page, "today": local_today()})


@require_http_methods(["GET", "POST"])
def public_detail(request, pk):
    batch = selectors.access_public_batch(pk)
    today = local_today()
    open_now = batch.starts_on <= today <= batch.ends_on
    on_notice = set(batch.claims.filter(status=Claim.Status.PUBLIC_NOTICE).values_list("pk", flat=True))
    form = forms.ObjectionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if rate_limited(request, "objection"):
            form.add_error(None, "提交过于频繁，请一小时后再试。")
            status = 429
        elif form.is_valid():
            claim_pk = form.cleaned_data["claim"]
            if claim_pk not in on_notice:
                form.add_error(None, services.MSG_NOT_IN_NOTICE)
            else:
                try:
                    services.objection_submit(
                        claim=batch.claims.get(pk=claim_pk), name=form.cleaned_data["name"],
                        contact=form.cleaned_data["contact"], content=form.cleaned_data["content"], ip=client_ip(request),
                    )
                except DomainError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, "您的异议已收到，我局将核实处理。")
                    return redirect("compensation:public_detail", pk=batch.pk)
        if status == 200 and form.errors:
            status = 400
    rows = [dict(row, open=row["claim"] in on_notice) for row in batch.rows]
    return render(request, "compensation/public_detail.html",
                  {"batch": batch, "rows": rows, "open_now": open_now, "form": form}, status=status)


__all__ = ["EVIDENCE_BY_CODE"]
