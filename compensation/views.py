"""Pages: the bank's claims, the bureau's and finance's queues, each claim's page, the public notices.

Views read through selectors and write through services. A refusal on an action comes back to the
claim page with its message (platform middleware); the public objection form keeps its input.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from yunfu_ipfund.accounts.roles import PERM_READ_ALL
from yunfu_ipfund.accounts.selectors import access, is_bank_user
from yunfu_ipfund.audit.selectors import trail_for
from yunfu_ipfund.audit.workflow import available_move_names
from yunfu_ipfund.common import confirm
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError, NotFound, ValidationFailed
from yunfu_ipfund.common.file_history import by_kind
from yunfu_ipfund.common.middleware import client_ip
from yunfu_ipfund.common.pagination import page_of
from yunfu_ipfund.common.ratelimit import rate_limited
from yunfu_ipfund.common.uploads import serve_private_file
from yunfu_ipfund.notices.selectors import notices_about

from . import archive, forms, selectors, services
from .evidence import EVIDENCE_BY_CODE
from .models import Claim, ClaimEvidence, Recovery

PAGE_SIZE = 20


def _problems(form):
    def one(name, errors):
        label = f"{form.fields[name].label}：" if name in form.fields else ""
        return label + "；".join(errors)

    return "提交的内容有误：" + "；".join(one(name, errors) for name, errors in form.errors.items())


def _invalid(form):
    raise ValidationFailed(_problems(form))


@login_required
def claim_list(request):
    user = request.user
    qs = selectors.claims_visible_to(user)
    status = request.GET.get("status", "")
    if status in Claim.Status.values:
        qs = qs.filter(status=status)
    page = page_of(request, qs.order_by("-id"), PAGE_SIZE)
    bank_user = is_bank_user(user)
    context = {"page": page, "statuses": Claim.Status.choices, "is_bank": bank_user, "today": local_today()}
    if not bank_user:
        context["queues"] = selectors.bureau_queues(user)
        context["recoveries_due"], context["clawbacks_due"] = selectors.receipts_due(user)
        context["ripe"] = services.claims_ripe_for_decision(selectors.claims_visible_to(user))
    return render(request, "compensation/claim_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request):
    if not services.claim_can_create(request.user):
        raise NotFound()
    loans = list(selectors.claimable_loans(request.user))
    form = forms.NewClaimForm(request.POST or None, loans=loans)
    if request.method == "POST" and form.is_valid():
        loan = access(selectors.claimable_loans(request.user), form.cleaned_data["loan"])
        try:
            claim = services.claim_create(
                by=request.user,
                covered_loan=loan,
                unrecovered_principal=form.cleaned_data["unrecovered_principal"],
                enforcement_actions=form.cleaned_data["enforcement_actions"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "补偿申请已创建，请上传材料后提交复核。")
            return redirect(claim.get_absolute_url())
    return render(request, "compensation/claim_new.html", {"form": form, "loans": loans})


def _checklist_rows(claim):
    """The checklist's rows, each with its current item and the earlier (replaced) ones."""
    items = by_kind(claim.evidence.select_related("uploaded_by"))
    checklist = services.claim_checklist(claim)
    return checklist, [(row, *items.get(row.spec.code, (None, []))) for row in checklist.rows]


def _claim_notices(claim, user):
    """The notices about the claim and about what hangs off it (its public notice batch, recoveries,
    clawback)."""
    found = notices_about(claim, user)
    for related in [claim.batch, *claim.recoveries.all(), getattr(claim, "clawback", None)]:
        if related is not None:
            found = found | notices_about(related, user)
    return found.order_by("-issued_at", "-id")


@login_required
def claim_detail(request, pk):
    return _claim_page(request, selectors.access_claim(request.user, pk))


def _claim_page(request, claim, *, bound=None, status=200):
    """The claim page; `bound` replaces one of its blank forms by the posted one that was refused, so
    the page comes back with everything typed and the errors under the fields (HTTP 400)."""
    user = request.user
    policy = services.policy_of(claim)
    checklist, rows = _checklist_rows(claim)
    bank_user = is_bank_user(user)
    # The buttons: the claim's moves this user may make now (the guards that refuse a move hide it),
    # and the abilities that are not moves, from the functions beside the services.
    moves = available_move_names(claim, user)
    can = {
        "edit": services.claim_can_edit(claim, user),
        "upload": services.claim_can_upload(claim, user),
        "prepare_again": services.claim_can_prepare_again(claim, user),
        "prepare_recovery": services.recovery_can_prepare(claim, user),
        "decide": services.claim_can_decide(claim, user),
    }
    preview = None
    if claim.status in (Claim.Status.FIRST_REVIEWED, Claim.Status.JOINT_MEETING) and not bank_user:
        try:
            preview = services.claim_compute(claim).as_dict()
        except DomainError:
            preview = None
    recoveries = claim.recoveries.exclude(status=Recovery.Status.DRAFT)
    drafts = _recovery_drafts(claim, user)
    can["countersign_a_draft"] = any({"countersign", "countersign_nothing_due"} & d["moves"] for d in drafts)
    clawback = getattr(claim, "clawback", None)
    context = {
        "claim": claim,
        "policy": policy,
        "checklist": checklist,
        "rows": rows,
        "moves": moves,
        "can": can,
        "checks": services.claim_checks(claim),
        "preview": preview,
        "reviews": claim.reviews.select_related("reviewer"),
        "reductions": claim.reductions.all(),
        "supplements": claim.supplements.all(),
        "objections": _objection_rows(claim, user) if not bank_user else [],
        "pending_objections": services.pending_objections(claim).count(),
        "decision_due": services.decision_due_of(claim),
        "recoveries": [(r, available_move_names(r, user)) for r in recoveries],
        "recovery_drafts": drafts,
        # Duplicate evidence (by content): the bank is never told which other claim; the bureau is.
        "evidence_duplicates": ClaimEvidence.duplicate_findings(claim, reveal=not bank_user),
        "clawback": clawback,
        "clawback_moves": available_move_names(clawback, user) if clawback else set(),
        "notices": _claim_notices(claim, user),
        "events": trail_for(claim),
        "postings": selectors.claim_postings(claim),
        "window_end": services.claim_window_end(claim),
        "loss_day": claim.loss_event()[0],
        "loss_how": claim.loss_event()[1],
        "today": local_today(),
        # Several forms share field names (kind, reason, opinion...): each gets its own id prefix, so
        # that every label points at its own field.
        "forms": {
            key: form_class(auto_id=f"{key}-%s", **kwargs)
            for key, (form_class, kwargs) in {
                "claim": (
                    forms.ClaimForm,
                    {
                        "initial": {
                            "unrecovered_principal": claim.unrecovered_principal,
                            "enforcement_actions": claim.enforcement_actions,
                        }
                    },
                ),
                "evidence": (forms.EvidenceForm, {}),
                "na": (forms.NotApplicableForm, {}),
                "supplement": (forms.SupplementForm, {}),
                "opinion": (forms.OpinionForm, {}),
                "joint": (forms.JointMeetingForm, {}),
                "second": (forms.SecondReviewForm, {}),
                "voucher": (forms.VoucherForm, {}),
                "recovery": (forms.RecoveryForm, {}),
                "close": (forms.CloseForm, {}),
                "rescind": (forms.RescindForm, {}),
            }.items()
        },
    }
    if bound is not None:
        key, form = bound
        form.auto_id = f"{key}-%s"
        context["forms"][key] = form
        context["refused_form"] = key
    return render(request, "compensation/claim_detail.html", context, status=status)


def _objection_rows(claim, user):
    """The claim's objections, each with the clerk's ruling form when they may rule it now."""
    return [
        {
            "objection": o,
            "form": forms.ObjectionRulingForm(auto_id=f"objection-{o.pk}-%s", initial={"objection": o.pk})
            if services.objection_can_rule(o, user)
            else None,
        }
        for o in claim.objections.select_related("answered_by").order_by("submitted_at", "id")
    ]


def _recovery_drafts(claim, user):
    """The recovery reports waiting for the bank's countersign, each with its own edit form, the moves
    this user may make on it and whether they may edit it."""
    drafts = claim.recoveries.filter(status=Recovery.Status.DRAFT).select_related("reported_by", "claim")
    return [
        {
            "report": r,
            "form": forms.RecoveryForm(
                auto_id=f"recovery-{r.pk}-%s",
                initial={
                    "received_on": r.received_on,
                    "amount": r.amount,
                    "costs": r.costs,
                    "description": r.description,
                    "confirm": bool(r.confirm_reason),
                    "confirm_reason": r.confirm_reason,
                },
            ),
            "moves": available_move_names(r, user),
            "can_edit": services.recovery_can_edit(r, user),
            "can_prepare_again": services.recovery_can_prepare_again(r, user),
        }
        for r in drafts.order_by("id")
    ]


class _FormRefused(Exception):
    """A posted form that its parser or the service refused (a 400 ValidationFailed), kept bound."""

    def __init__(self, form, error, *, edit=False):
        super().__init__(error.message)
        self.form = form
        self.error = error
        self.edit = edit  # back from the confirm page to change the values: not a refusal (200)


def _refuse_on(form, exc):
    form.add_error(None, exc.message)
    for item in exc.details:
        form.add_error(None, item.get("message", str(item)))
    return _FormRefused(form, exc)


def _do(form_class, fn, confirm_with=None):
    """A page action: validate the posted form (if any), then call `fn(request, obj, cleaned_data)`.

    A refusal of the input (the form's or the service's ValidationFailed) raises `_FormRefused` with
    the bound form, the service's message on it, so the page can show it again as typed.

    `confirm_with` (title, warning): an irreversible action with input is confirmed after the server
    accepted it (common.confirm): the first POST tries the service and rolls it back, then answers
    with the 请确认 page; the POST from that page performs it."""

    def handler(request, obj):
        if form_class is None:
            return fn(request, obj, {})
        form = form_class(request.POST, request.FILES)
        if confirm_with and confirm.wants_edit(request):
            form.is_valid()
            raise _FormRefused(form, ValidationFailed(""), edit=True)
        if not form.is_valid():
            raise _FormRefused(form, ValidationFailed(_problems(form)))
        data = form.cleaned_data
        data = {**data, "_form": form} if hasattr(form, "reductions") else data

        def perform():
            return fn(request, obj, data)

        scope = f"claim:{obj.pk}:{request.path}"
        if confirm_with and not confirm.is_confirmed(request, form, scope):
            refused = confirm.dry_run(perform)
            if refused is not None and not isinstance(refused, ValidationFailed):
                raise refused
            if refused is not None:
                raise _refuse_on(form, refused)
            title, warning = confirm_with
            return confirm.confirm_page(
                request,
                form=form,
                scope=scope,
                title=title,
                record=f"补偿申请 {obj.reference}",
                action_url=request.path,
                back_url=obj.get_absolute_url(),
                warning=warning,
                button=f"确认{title}",
            )
        try:
            perform()
        except ValidationFailed as exc:
            raise _refuse_on(form, exc) from None
        return None

    return handler


def _update(request, claim, data):
    return services.claim_update(by=request.user, claim=claim, **data)


def _evidence(request, claim, data):
    item = services.evidence_upload(by=request.user, claim=claim, kind=data["kind"], file=data["file"])
    if item.duplicates.get("kinds") or item.duplicates.get("claims"):
        messages.warning(request, "上传的文件与其他材料内容相同，请核对（详见材料清单上方的提示）。")
    return item


def _not_applicable(request, claim, data):
    return services.evidence_mark_not_applicable(by=request.user, claim=claim, **data)


def _prepare_again(request, claim, data):
    return services.claim_prepare_again(by=request.user, claim=claim)


def _submit(request, claim, data):
    return services.claim_submit(by=request.user, claim=claim)


def _accept(request, claim, data):
    return services.claim_accept(by=request.user, claim=claim)


def _supplement(request, claim, data):
    items = [{"code": code, "note": data["note"]} for code in data["codes"]]
    return services.claim_request_supplement(by=request.user, claim=claim, items=items)


def _first_review(request, claim, data):
    notes = {k[5:]: v for k, v in request.POST.items() if k.startswith("rule_")}
    return services.claim_first_review(
        by=request.user, claim=claim, opinion=data["opinion"], rule_opinions=notes
    )


def _joint_meeting(request, claim, data):
    return services.claim_joint_meeting(by=request.user, claim=claim, **data)


def _second_review(request, claim, data):
    return services.claim_second_review(
        by=request.user,
        claim=claim,
        outcome=data["outcome"],
        reason=data["reason"],
        reductions=data["_form"].reductions(),
    )


def _publish(request, claim, data):
    return services.notice_batch_publish(by=request.user, claims=[claim])


def _decide(request, claim, data):
    return services.claim_decide(by=request.user, claim=claim)


def _rule_objection(request, claim, data):
    objection = claim.objections.filter(pk=data["objection"]).first()
    if objection is None:
        raise NotFound()
    return services.objection_rule(
        by=request.user, objection=objection, outcome=data["outcome"], reason=data["reason"]
    )


def _instruct(request, claim, data):
    return services.claim_instruct_payment(by=request.user, claim=claim)


def _pay(request, claim, data):
    return services.claim_confirm_payment(by=request.user, claim=claim, **data)


def _recovery(request, claim, data):
    return services.recovery_prepare(by=request.user, claim=claim, **data)


def _close(request, claim, data):
    return services.claim_close(by=request.user, claim=claim, **data)


def _rescind(request, claim, data):
    return services.claim_rescind(by=request.user, claim=claim, **data)


# The claim page's forms post to claims/<pk>/<action>/: each action is one service call.
ACTIONS = {
    "update": (_do(forms.ClaimForm, _update), "申请已保存。"),
    "evidence": (_do(forms.EvidenceForm, _evidence), "材料已上传。"),
    "not_applicable": (_do(forms.NotApplicableForm, _not_applicable), "已标记为不适用。"),
    "prepare_again": (_do(None, _prepare_again), "已重新确认经办，可由复核人员提交。"),
    "submit": (_do(None, _submit), "申请已提交市监局。"),
    "accept": (_do(None, _accept), "已受理，受理通知书已签发。"),
    "supplement": (_do(forms.SupplementForm, _supplement), "补充材料通知书已签发。"),
    "first_review": (_do(forms.OpinionForm, _first_review), "初审意见已提交。"),
    "joint_meeting": (_do(forms.JointMeetingForm, _joint_meeting), "联席会议审议情况已登记。"),
    "second_review": (
        _do(
            forms.SecondReviewForm,
            _second_review,
            confirm_with=("提交复审结论", "提交后不能修改；不予补偿的将签发决定书。"),
        ),
        "复审结论已提交。",
    ),
    "publish": (_do(None, _publish), "已发布公示。"),
    "decide": (_do(None, _decide), "已作出补偿决定，补偿决定书已签发。"),
    "rule_objection": (_do(forms.ObjectionRulingForm, _rule_objection), "异议认定已记录，并已答复异议人。"),
    "instruct": (_do(None, _instruct), "拨付通知书已签发。"),
    "pay": (
        _do(forms.VoucherForm, _pay, confirm_with=("拨付", "确认后将记账，不可撤回。")),
        "已确认拨付。",
    ),
    "recovery": (_do(forms.RecoveryForm, _recovery), "追偿报告已起草，待本行复核人员复核后报告市监局。"),
    "close": (_do(forms.CloseForm, _close, confirm_with=("结案", "结案后不能撤回。")), "已结案。"),
    "rescind": (_do(forms.RescindForm, _rescind), "已撤销补偿并签发追回通知书。"),
}


# The claim page's form (key of its "forms") each action posts: a refused input comes back in it.
FORM_OF_ACTION = {
    "update": "claim",
    "evidence": "evidence",
    "not_applicable": "na",
    "supplement": "supplement",
    "first_review": "opinion",
    "joint_meeting": "joint",
    "second_review": "second",
    "pay": "voucher",
    "recovery": "recovery",
    "close": "close",
    "rescind": "rescind",
}


@login_required
@require_POST
def claim_action(request, pk, action):
    claim = selectors.access_claim(request.user, pk)
    if action not in ACTIONS:
        raise NotFound()
    handler, done = ACTIONS[action]
    try:
        answer = handler(request, claim)
    except _FormRefused as refused:
        if action not in FORM_OF_ACTION:
            raise refused.error from None
        status = 200 if refused.edit else 400
        return _claim_page(request, claim, bound=(FORM_OF_ACTION[action], refused.form), status=status)
    if isinstance(answer, HttpResponse):  # the 请确认 page of an irreversible action
        return answer
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
    if not (is_bank_user(user) or user.has_perm(PERM_READ_ALL)):
        raise NotFound()
    return render(request, "compensation/queue.html", {"claims": selectors.fund_queue(user)})


def _recovery_update(request, recovery, data):
    return services.recovery_update(by=request.user, recovery=recovery, **data)


def _recovery_withdraw(request, recovery, data):
    return services.recovery_withdraw(by=request.user, recovery=recovery)


def _recovery_prepare_again(request, recovery, data):
    return services.recovery_prepare_again(by=request.user, recovery=recovery)


def _recovery_countersign(request, recovery, data):
    return services.recovery_countersign(by=request.user, recovery=recovery)


RECOVERY_ACTIONS = {
    "update": (_do(forms.RecoveryForm, _recovery_update), "追偿报告已保存。"),
    "withdraw": (_do(None, _recovery_withdraw), "追偿报告已撤回。"),
    "prepare_again": (_do(None, _recovery_prepare_again), "已重新确认经办，可由复核人员复核。"),
    "countersign": (_do(None, _recovery_countersign), "追偿报告已复核并报告市监局。"),
}


@login_required
@require_POST
def recovery_action(request, pk, action):
    """The bank's moves on a draft recovery report: the officer edits or withdraws, a supervisor
    countersigns."""
    recovery = selectors.access_recovery(request.user, pk)
    if action not in RECOVERY_ACTIONS:
        raise NotFound()
    handler, done = RECOVERY_ACTIONS[action]
    try:
        handler(request, recovery)
    except _FormRefused as refused:
        raise refused.error from None
    messages.success(request, done)
    return redirect(recovery.claim.get_absolute_url())


@login_required
def recovery_evidence(request, pk):
    recovery = selectors.access_recovery(request.user, pk)
    if not recovery.evidence:
        raise NotFound()
    return serve_private_file(
        recovery.evidence, download_name=recovery.download_name, content_type=recovery.content_type
    )


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
    batches = selectors.published_batches().prefetch_related("objections")
    page = page_of(request, batches, PAGE_SIZE)
    today = local_today()
    states = [(b, b.state_on(today)) for b in page]
    return render(request, "compensation/public_list.html", {"page": page, "states": states, "today": today})


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
                        claim=batch.claims.get(pk=claim_pk),
                        name=form.cleaned_data["name"],
                        contact=form.cleaned_data["contact"],
                        content=form.cleaned_data["content"],
                        ip=client_ip(request),
                    )
                except DomainError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, "您的异议已收到，我局将核实处理。")
                    return redirect("compensation:public_detail", pk=batch.pk)
        if status == 200 and form.errors:
            status = 400
    withdrawn = batch.withdrawn_claim_ids()
    rows = [
        dict(row, open=row["claim"] in on_notice, withdrawn=row["claim"] in withdrawn) for row in batch.rows
    ]
    state = batch.state_on(today)
    return render(
        request,
        "compensation/public_detail.html",
        {
            "batch": batch,
            "rows": rows,
            "open_now": open_now and bool(on_notice),
            "form": form,
            "state": state,
        },
        status=status,
    )


__all__ = ["EVIDENCE_BY_CODE"]


# --- the case archive ------------------------------------------------------------------------------


@login_required
def claim_archive(request, pk):
    """The claim's case archive (ZIP): bureau and finance users only; banks and others get 404."""
    user = request.user
    if is_bank_user(user) or not user.has_perm(PERM_READ_ALL):
        raise NotFound()
    claim = selectors.access_claim(user, pk)
    built = archive.claim_archive(by=user, claim=claim)
    name = archive.archive_filename(claim)
    response = FileResponse(built.file, as_attachment=True, filename=name, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response
