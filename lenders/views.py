"""Pages of the bank side. Views read through selectors and write through services; a DomainError on a
form page keeps the form on screen, elsewhere the platform middleware shows it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from applications.models import LoanRegistration
from applications.selectors import access_registration, registrations_visible_to, search_registrations
from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import (
    PERM_BANK_PREPARE,
    PERM_BUREAU_APPROVE,
    PERM_BUREAU_REVIEW,
)
from yunfu_ipfund.accounts.selectors import is_bank_user, require_perm, sees_everything
from yunfu_ipfund.audit.selectors import trail_for
from yunfu_ipfund.audit.workflow import available_move_names
from yunfu_ipfund.common import confirm
from yunfu_ipfund.common.checks import Check, all_pass
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError, NotFound, ValidationFailed
from yunfu_ipfund.common.file_history import by_kind
from yunfu_ipfund.common.pagination import page_of
from yunfu_ipfund.common.uploads import serve_private_file
from yunfu_ipfund.common.workdays import workdays_between
from yunfu_ipfund.notices.selectors import notices_about
from yunfu_ipfund.policy.services import policy_in_force

from . import archive, imports, selectors, services
from .forms import (
    REPORT_FORMS,
    BankAdmitForm,
    BankStatusForm,
    DocumentForm,
    FilingForm,
    ImportForm,
    ReasonForm,
    ReturnForm,
)
from .models import (
    Classification,
    CooperatingBank,
    CoveredLoan,
    FilingAsset,
    FilingDocument,
    ImportJob,
    LoanFiling,
)
from .rules import filing_checks, filing_deadline

PAGE_SIZE = 20


def _page(request, qs):
    return page_of(request, qs, PAGE_SIZE)


def _query_string(request, *keys):
    return urlencode({k: request.GET[k] for k in keys if request.GET.get(k)})


def _form_error(form, exc):
    form.add_error(None, exc.message)
    for item in exc.details:
        field = item.get("field")
        if field in form.fields:
            form.add_error(field, item.get("message", ""))
        else:
            form.add_error(None, item.get("message", ""))


def countdown(due, today=None):
    """'还剩 3 个工作日' / '今天到期' / '已逾期 2 个工作日' for a deadline."""
    if not due:
        return None
    today = today or local_today()
    if due == today:
        return {"text": "今天到期", "late": False}
    if due > today:
        return {"text": f"还剩 {workdays_between(today, due)} 个工作日", "late": False}
    return {"text": f"已逾期 {workdays_between(due, today)} 个工作日", "late": True}


# --- public ----------------------------------------------------------------------------------------


def public_banks(request):
    return render(request, "lenders/public_banks.html", {"banks": selectors.public_bank_list()})


# --- bureau: cooperating banks ---------------------------------------------------------------------


@login_required
def bank_list(request):
    if not sees_everything(request.user):
        raise NotFound()
    form = None
    if request.user.has_perm(PERM_BUREAU_APPROVE):
        admitted = CooperatingBank.objects.values("organisation_id")
        banks = Organisation.objects.filter(kind=Organisation.Kind.BANK).exclude(pk__in=admitted)
        form = BankAdmitForm(request.POST or None, banks=banks)
        if request.method == "POST" and form.is_valid():
            try:
                profile = services.bank_admit(by=request.user, **form.cleaned_data)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"已准入 {profile}，并签发准入通知书。")
                return redirect("lenders:bank_detail", profile.pk)
    figures = selectors.bank_portfolio_figures()
    banks = list(selectors.banks_for_bureau())
    for bank in banks:
        bank.figures = figures.get(bank.organisation_id)
    return render(request, "lenders/bank_list.html", {"banks": banks, "form": form})


@login_required
def bank_detail(request, pk):
    profile = selectors.access_bank(request.user, pk)
    if request.method == "POST":
        require_perm(request.user, PERM_BUREAU_APPROVE)
        form = BankStatusForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            action = data["action"]
            if action == "suspend":
                services.bank_suspend(
                    by=request.user, bank=profile, reason=data["reason"], effective_on=data["effective_on"]
                )
            elif action == "reinstate":
                services.bank_reinstate(by=request.user, bank=profile, reason=data["reason"])
            else:
                services.bank_terminate(
                    by=request.user, bank=profile, reason=data["reason"], effective_on=data["effective_on"]
                )
            messages.success(request, "已办理并签发通知书。")
            return redirect("lenders:bank_detail", profile.pk)
        messages.error(request, "请填写理由。")
    return render(
        request,
        "lenders/bank_detail.html",
        {
            "bank": profile,
            "figures": selectors.bank_portfolio_figures().get(profile.organisation_id),
            "notices": notices_about(profile, request.user),
            "events": trail_for(profile),
            "moves": available_move_names(profile, request.user),
        },
    )


# --- the bank's registrations (accepted ones are filed from here) ---------------------------------


@login_required
def registration_list(request):
    if not is_bank_user(request.user):
        raise NotFound()
    qs = search_registrations(
        registrations_visible_to(request.user).prefetch_related(
            Prefetch("filings", queryset=LoanFiling.objects.exclude(status=LoanFiling.Status.REFUSED))
        ),
        status=request.GET.get("status", ""),
        q=request.GET.get("q", ""),
    )
    return render(
        request,
        "lenders/registration_list.html",
        {
            "page": _page(request, qs),
            "statuses": LoanRegistration.Status.choices,
            "query_string": _query_string(request, "status", "q"),
        },
    )


# --- filings ---------------------------------------------------------------------------------------


@login_required
def filing_list(request):
    qs = selectors.search_filings(
        selectors.filings_visible_to(request.user),
        status=request.GET.get("status", ""),
        q=request.GET.get("q", ""),
        bank=request.GET.get("bank", ""),
    )
    return render(
        request,
        "lenders/filing_list.html",
        {
            "page": _page(request, qs),
            "statuses": LoanFiling.Status.choices,
            "title": "贷款备案",
            "query_string": _query_string(request, "status", "q", "bank"),
            "banks": selectors.banks_for_bureau() if sees_everything(request.user) else None,
        },
    )


@login_required
def review_queue(request):
    if not (request.user.has_perm(PERM_BUREAU_REVIEW) or request.user.has_perm(PERM_BUREAU_APPROVE)):
        raise NotFound()
    page = _page(request, selectors.review_queue())
    today = local_today()
    for filing in page:
        filing.countdown = countdown(filing.review_due_on, today)
    return render(request, "lenders/review_queue.html", {"page": page})


def _registration_for_filing(user, pk):
    registration = access_registration(user, pk)
    if registration.bank_id != user.organisation_id:
        raise NotFound()
    return registration


@login_required
def filing_create(request, registration_pk):
    require_perm(request.user, PERM_BANK_PREPARE)
    registration = _registration_for_filing(request.user, registration_pk)
    assets = list(registration.assets.all())
    form = FilingForm(
        request.POST or None, assets=assets, initial={"amount": registration.amount, "contract_number": ""}
    )
    if request.method == "POST" and form.is_valid():
        values, pledges = form.service_values()
        try:
            filing = services.filing_create(
                by=request.user, registration=registration, pledges=pledges, **values
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "备案草稿已保存。请上传材料，并交复核人员报送。")
            return redirect("lenders:filing_detail", filing.pk)
    return render(
        request, "lenders/filing_form.html", {"form": form, "registration": registration, "filing": None}
    )


@login_required
def filing_edit(request, pk):
    require_perm(request.user, PERM_BANK_PREPARE)
    filing = selectors.access_filing(request.user, pk, for_write=True)
    assets = list(filing.registration.assets.all())
    pledges = {p.asset_id: p for p in filing.pledges.all()}
    initial = {
        f: getattr(filing, f)
        for f in (
            "contract_number",
            "amount",
            "ip_amount",
            "other_collateral",
            "disbursed_on",
            "maturity_on",
            "annual_rate",
            "repayment_method",
        )
    }
    initial["annual_rate"] = f"{filing.annual_rate.normalize():f}"  # 3.85, not 3.8500
    form = FilingForm(request.POST or None, assets=assets, pledges=pledges, initial=initial)
    if request.method == "POST" and form.is_valid():
        values, new_pledges = form.service_values()
        try:
            services.filing_update(by=request.user, filing=filing, pledges=new_pledges, **values)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "备案已修改。")
            return redirect("lenders:filing_detail", filing.pk)
    return render(
        request,
        "lenders/filing_form.html",
        {"form": form, "registration": filing.registration, "filing": filing},
    )


@login_required
def filing_detail(request, pk):
    user = request.user
    filing = selectors.access_filing(user, pk)
    pledges = FilingAsset.objects.filter(filing=filing).select_related("asset")
    checks = []
    if filing.status in LoanFiling.OPEN:
        try:
            checks = filing_checks(filing, on=local_today())
        except DomainError as exc:
            messages.warning(request, exc.message)
    else:
        checks = [Check(**c) for c in filing.checks_snapshot]  # stored as dicts when submitted/confirmed
    due = {
        LoanFiling.Status.DRAFT: ("备案期限", None),
        LoanFiling.Status.SUBMITTED: ("审核期限", filing.review_due_on),
        LoanFiling.Status.FIRST_REVIEWED: ("审核期限", filing.review_due_on),
        LoanFiling.Status.RETURNED: ("补正期限", filing.correction_due_on),
    }.get(filing.status)
    if due and filing.status == LoanFiling.Status.DRAFT:
        try:
            due = ("备案期限", filing_deadline(filing, policy_in_force(filing.disbursed_on)))
        except DomainError:
            due = None
    return render(
        request,
        "lenders/filing_detail.html",
        {
            "filing": filing,
            "pledges": pledges,
            "documents": _documents(filing),
            "checks": checks,
            "checks_ok": all_pass(checks) if checks else None,
            "due_label": due[0] if due else "",
            "due_on": due[1] if due else None,
            "countdown": countdown(due[1]) if due else None,
            "notices": notices_about(filing, user),
            "events": trail_for(filing),
            "can_edit": services.filing_can_edit(filing, user),
            "moves": available_move_names(filing, user),
            "can_override": services.filing_can_override_late(filing, user),
            "can_prepare_again": services.filing_can_prepare_again(filing, user),
            "document_form": DocumentForm(),
            "reason_form": ReasonForm(),
            "return_form": ReturnForm(),
            "loan": getattr(filing, "covered_loan", None)
            if filing.status == LoanFiling.Status.CONFIRMED
            else None,
        },
    )


@require_POST
@login_required
def filing_document_upload(request, pk):
    filing = selectors.access_filing(request.user, pk, for_write=True)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择材料类型和文件。")
    else:
        services.filing_document_add(
            by=request.user, filing=filing, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"]
        )
        messages.success(request, "材料已上传。")
    return redirect("lenders:filing_detail", filing.pk)


def _documents(filing):
    """The filing's documents, one line per kind: the current file and the replaced ones under it."""
    grouped = by_kind(filing.documents.select_related("uploaded_by"))
    return [grouped[k] for k in FilingDocument.Kind.values if k in grouped]


@login_required
def document_download(request, pk):
    doc = selectors.access_document(request.user, pk)
    return serve_private_file(doc.file, download_name=doc.download_name, content_type=doc.content_type)


@require_POST
@login_required
def filing_action(request, pk, action):
    user = request.user
    if action == "submit":
        filing = selectors.access_filing(user, pk, for_write=True)
        services.filing_submit(by=user, filing=filing)
        messages.success(request, "备案已报送市场监督管理局审核。")
        return redirect("lenders:filing_detail", filing.pk)
    filing = selectors.access_filing(user, pk)
    if action == "return":
        form = ReturnForm(request.POST)
        if not form.is_valid():
            raise DomainError("请逐项填写需要补正的事项。")
        services.filing_return(by=user, filing=filing, reasons=form.reason_list())
        messages.success(request, "已退回补正，并签发补正通知书。")
    elif action == "prepare_again":
        services.filing_prepare_again(by=user, filing=filing)
        messages.success(request, "已重新确认经办，可由复核人员报送。")
    elif action == "first_review":
        services.filing_first_review(by=user, filing=filing, opinion=request.POST.get("opinion", ""))
        messages.success(request, "已初审通过，提交审核人审核决定。")
    elif action in ("override", "confirm", "refuse"):
        reason = request.POST.get("reason", "")
        if action == "override":
            services.filing_override_late(by=user, filing=filing, reason=reason)
            messages.success(request, "已核准逾期备案。")
        elif action == "confirm":
            services.filing_confirm(by=user, filing=filing, reason=reason)
            messages.success(request, "已确认纳入风险补偿范围，并签发备案确认书。")
        else:
            services.filing_refuse(by=user, filing=filing, reason=reason)
            messages.success(request, "已作出不予备案决定，并签发通知书。")
    else:
        raise NotFound()
    return redirect("lenders:filing_detail", filing.pk)


# --- covered loans ---------------------------------------------------------------------------------


@login_required
def loan_list(request):
    qs = selectors.search_loans(
        selectors.loans_visible_to(request.user),
        status=request.GET.get("status", ""),
        q=request.GET.get("q", ""),
        bank=request.GET.get("bank", ""),
        classification=request.GET.get("classification", ""),
    )
    return render(
        request,
        "lenders/loan_list.html",
        {
            "page": _page(request, qs),
            "statuses": CoveredLoan.Status.choices,
            "classifications": Classification.choices,
            "query_string": _query_string(request, "status", "q", "bank", "classification"),
            "banks": selectors.banks_for_bureau() if sees_everything(request.user) else None,
        },
    )


@login_required
def loan_detail(request, pk):
    return _loan_page(request, selectors.access_loan(request.user, pk))


def _report_forms(loan, bound):
    """The bank's four report forms; the classification one starts from the loan's current class, and
    a posted form that was refused (or sent back from the confirm page) replaces its blank one."""
    initial = {"classification": {"classification": loan.classification}}
    return [
        (name, label, bound[1] if bound and bound[0] == name else cls(prefix=name, initial=initial.get(name)))
        for name, (label, cls) in REPORT_FORMS.items()
    ]


def _loan_page(request, loan, *, bound=None, status=200):
    can_report = services.loan_can_report(loan, request.user)
    return render(
        request,
        "lenders/loan_detail.html",
        {
            "loan": loan,
            "events": loan.events.select_related("reported_by").order_by("-occurred_on", "-id"),
            "trail": trail_for(loan),
            "notices": notices_about(loan.filing, request.user),
            "countdown": countdown(loan.maturity_on) if loan.status in CoveredLoan.LIVE else None,
            "can_exclude": services.loans.loan_can_exclude_for_fraud(loan, request.user),
            "can_clear_flag": loan.is_flagged_for_review
            and sees_everything(request.user)
            and (request.user.has_perm(PERM_BUREAU_REVIEW) or request.user.has_perm(PERM_BUREAU_APPROVE)),
            "sees_evidence": bool(loan.exclusion_evidence)
            and sees_everything(request.user)
            and not is_bank_user(request.user),
            "forms": _report_forms(loan, bound) if can_report else [],
            "refused_form": bound[0] if bound else None,
        },
        status=status,
    )


REPORT_SERVICES = {
    "repayment": services.loan_report_repayment,
    "overdue": services.loan_report_overdue,
    "classification": services.loan_report_classification,
    "extension": services.loan_report_extension,
}


@require_POST
@login_required
def loan_report(request, pk, kind):
    if kind not in REPORT_FORMS:
        raise NotFound()
    loan = selectors.access_loan(request.user, pk, for_write=True)
    label, form_class = REPORT_FORMS[kind]
    form = form_class(request.POST, prefix=kind)
    scope = f"loan:{loan.pk}:{kind}"
    if confirm.wants_edit(request):
        form.is_valid()
        return _loan_page(request, loan, bound=(kind, form))
    if not form.is_valid():
        return _loan_page(request, loan, bound=(kind, form), status=400)

    def report():
        return REPORT_SERVICES[kind](by=request.user, loan=loan, **form.cleaned_data)

    # The report cannot be changed once made: it is confirmed after the service accepted the input.
    if not confirm.is_confirmed(request, form, scope):
        refused = confirm.dry_run(report)
        if refused is not None:
            if not isinstance(refused, ValidationFailed):
                raise refused
            form.add_error(None, refused.message)
            for item in refused.details:
                form.add_error(None, item.get("message", str(item)))
            return _loan_page(request, loan, bound=(kind, form), status=400)
        return confirm.confirm_page(
            request,
            form=form,
            scope=scope,
            title=label,
            record=f"在保贷款 {loan.contract_number}",
            action_url=request.path,
            back_url=loan.get_absolute_url(),
            warning="报告后不能修改，如有错误请补报更正。",
            button=f"确认{label}",
        )
    report()
    messages.success(request, f"{label}已记录。")
    return redirect("lenders:loan_detail", loan.pk)


# --- bulk import -----------------------------------------------------------------------------------


@login_required
def import_list(request):
    if not is_bank_user(request.user):
        raise NotFound()
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require_perm(request.user, PERM_BANK_PREPARE)
        if form.is_valid():
            try:
                job = imports.import_job_create(by=request.user, **form.cleaned_data)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                return redirect("lenders:import_detail", job.pk)
    return render(
        request,
        "lenders/import_list.html",
        {
            "form": form,
            "page": _page(request, selectors.imports_visible_to(request.user)),
            "in_background": imports.runs_in_background(),
        },
    )


@login_required
def import_detail(request, pk):
    job = selectors.access_import(request.user, pk)
    processed, total = imports.job_progress(job)
    context = {
        "job": job,
        "processed": processed,
        "total": total,
        "percent": int(processed * 100 / total) if total else 0,
        "running": job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
    }
    template = "lenders/_import_progress.html" if request.GET.get("partial") else "lenders/import_detail.html"
    return render(request, template, context)


@login_required
def import_errors(request, pk, fmt):
    job = selectors.access_import(request.user, pk)
    if fmt == "xlsx":
        response = HttpResponse(
            imports.error_report_xlsx(job),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(imports.error_report_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.{fmt}"'
    return response


@login_required
def import_template(request, kind):
    if kind not in ImportJob.Kind.values:
        raise NotFound()
    response = HttpResponse(imports.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response


# --- the case archive ------------------------------------------------------------------------------


@login_required
def filing_archive(request, pk):
    """The filing's case archive (ZIP): bureau and finance users only; banks and others get 404."""
    user = request.user
    if is_bank_user(user) or not sees_everything(user):
        raise NotFound()
    filing = selectors.access_filing(user, pk)
    built = archive.filing_archive(by=user, filing=filing)
    name = archive.archive_filename(filing.contract_number)
    response = FileResponse(built.file, as_attachment=True, filename=name, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response


# --- fraud found before a claim: exclusion of a covered loan, and the review flag ---------------------


@login_required
def loan_exclude(request, pk):
    """The bureau approver's confirmation step and decision: exclude a covered loan found fraudulent before
    any claim (a reason and an evidence file). Anyone else who may see the loan: 403; others: 404."""
    loan = selectors.access_loan(request.user, pk)
    require_perm(request.user, PERM_BUREAU_APPROVE)
    error, status = None, 200
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            error, status = "请勾选确认：移出后该笔贷款不再享受风险补偿，且不可撤回。", 400
        else:
            try:
                services.loans.loan_exclude_for_fraud(
                    by=request.user,
                    loan=loan,
                    reason=request.POST.get("reason", ""),
                    evidence=request.FILES.get("evidence"),
                )
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                error, status = exc.message, exc.status
            else:
                messages.success(request, "已认定骗取并移出风险补偿范围，通知书已向贷款银行和借款企业出具。")
                return redirect("lenders:loan_detail", loan.pk)
    others = (
        CoveredLoan.objects.filter(enterprise_id=loan.enterprise_id, status__in=CoveredLoan.LIVE)
        .exclude(pk=loan.pk)
        .select_related("bank")
    )
    return render(
        request,
        "lenders/loan_exclude.html",
        {
            "loan": loan,
            "can_exclude": services.loans.loan_can_exclude_for_fraud(loan, request.user),
            "others": others,
            "error": error,
            "reason": request.POST.get("reason", ""),
        },
        status=status,
    )


@require_POST
@login_required
def loan_review_flag_clear(request, pk):
    """The bureau clears a loan's review flag, with a reason (403 for a bank or finance user)."""
    loan = selectors.access_loan(request.user, pk)
    services.loans.loan_review_flag_clear(by=request.user, loan=loan, reason=request.POST.get("reason", ""))
    messages.success(request, "已解除待复核标记。")
    return redirect("lenders:loan_detail", loan.pk)


@login_required
def loan_exclusion_evidence(request, pk):
    """The evidence of a fraud exclusion: the bureau and finance only (a bank, an enterprise: 404)."""
    user = request.user
    if is_bank_user(user) or not sees_everything(user):
        raise NotFound()
    loan = selectors.access_loan(user, pk)
    if not loan.exclusion_evidence:
        raise NotFound()
    ext = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
        loan.exclusion_evidence_type, ""
    )
    return serve_private_file(
        loan.exclusion_evidence,
        download_name=f"{loan.contract_number}-骗取证据材料{ext}",
        content_type=loan.exclusion_evidence_type or None,
    )
