"""Pages of the enterprise side. Views only read through selectors and write through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from yunfu_ipfund.accounts.roles import (
    PERM_BANK_PREPARE,
    PERM_BUREAU_APPROVE,
    PERM_BUREAU_REVIEW,
    PERM_ENTERPRISE,
)
from yunfu_ipfund.accounts.selectors import access, require_perm, sees_everything
from yunfu_ipfund.audit.selectors import trail_for
from yunfu_ipfund.audit.workflow import available_move_names
from yunfu_ipfund.common.checks import FAIL
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import DomainError, NotFound
from yunfu_ipfund.common.middleware import client_ip
from yunfu_ipfund.common.pagination import page_of
from yunfu_ipfund.common.uploads import serve_private_file
from yunfu_ipfund.notices.selectors import notices_about
from yunfu_ipfund.policy.models import ip_type_choices
from yunfu_ipfund.policy.services import policy_in_force

from . import hooks, services
from .eligibility import credit_check_check, enterprise_checks, registration_checks
from .forms import (
    AssetForm,
    AssetUpdateForm,
    BlacklistForm,
    CommitmentForm,
    CreditCheckForm,
    DecisionForm,
    OptionalReasonForm,
    ProfileForm,
    ReasonForm,
    RegistrationForm,
)
from .models import Blacklisting, LoanRegistration
from .selectors import (
    access_asset,
    access_enterprise,
    access_registration,
    assets_of,
    assets_visible_to,
    blacklisting_in_force,
    blacklistings_of,
    credit_checks_of,
    latest_credit_check,
    profile_of,
    registrations_visible_to,
    search_registrations,
)

Status = LoanRegistration.Status
PAGE_SIZE = 20


def _refuse(form, exc):
    """Show a service's refusal on the form, keeping what the user typed. A 404 stays a 404."""
    if isinstance(exc, NotFound):
        raise exc
    form.add_error(None, exc.message)
    for item in exc.details:
        form.add_error(None, item.get("message", str(item)))


def _policy_today():
    try:
        return policy_in_force(today()), ""
    except DomainError as exc:
        return None, exc.message


def _own_enterprise(user):
    require_perm(user, PERM_ENTERPRISE)
    return access_enterprise(user)


# --- enterprise profile ----------------------------------------------------------------------------


def _profile_page(request, enterprise, *, region_form=None, blacklist_form=None, status=200):
    profile = profile_of(enterprise)
    policy, policy_error = _policy_today()
    checks = []
    if policy and profile:
        checks = enterprise_checks(enterprise, policy=policy, on=today())
        checks.append(credit_check_check(enterprise, policy=policy, on=today()))
    own = services.enterprise_can_edit_profile(enterprise, request.user)
    user = request.user
    can_override = services.region_can_override(profile, user) and any(
        c.rule == "uscc_region" and c.outcome == FAIL for c in checks
    )
    return render(
        request,
        "applications/profile.html",
        {
            "enterprise": enterprise,
            "profile": profile,
            "checks": checks,
            "policy": policy,
            "policy_error": policy_error,
            "own": own,
            "events": trail_for(profile) if profile else [],
            "blacklisting": blacklisting_in_force(enterprise),
            "blacklistings": blacklistings_of(enterprise),
            "credit_check": latest_credit_check(enterprise),
            "can_check_credit": services.credit_check_can_record(user),
            "can_override_region": can_override,
            "region_form": region_form or ReasonForm(),
            "can_blacklist": user.has_perm(PERM_BUREAU_APPROVE),
            "blacklist_form": blacklist_form or BlacklistForm(),
        },
        status=status,
    )


@login_required
def profile_view(request, pk=None):
    return _profile_page(request, access_enterprise(request.user, pk))


@require_POST
@login_required
def region_override(request, pk):
    """The bureau accepts a registration authority outside the declared district (with a reason)."""
    enterprise = access_enterprise(request.user, pk)
    require_perm(request.user, PERM_BUREAU_REVIEW, PERM_BUREAU_APPROVE)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.enterprise_region_override(
                by=request.user, enterprise=enterprise, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, "已核准登记机关与注册地不一致。")
            return redirect("applications:enterprise_detail", pk=enterprise.pk)
    return _profile_page(request, enterprise, region_form=form, status=400)


@require_POST
@login_required
def blacklist(request, pk):
    """A bureau approver lists the enterprise by hand; the period comes from the version in force."""
    enterprise = access_enterprise(request.user, pk)
    require_perm(request.user, PERM_BUREAU_APPROVE)
    form = BlacklistForm(request.POST)
    if form.is_valid():
        try:
            listing = services.blacklist_enterprise(
                enterprise,
                by=request.user,
                reason=form.cleaned_data["reason"],
                source=Blacklisting.Source.MANUAL,
            )
        except DomainError as exc:
            _refuse(form, exc)
        else:
            messages.success(
                request,
                f"已列入失信黑名单，自 {listing.listed_from:%Y-%m-%d} 起至 {listing.listed_until:%Y-%m-%d}。",
            )
            return redirect("applications:enterprise_detail", pk=enterprise.pk)
    return _profile_page(request, enterprise, blacklist_form=form, status=400)


def _lookback_months():
    """The credit look-back of the version in force today (Art 7), for the clerk's form label."""
    try:
        return policy_in_force(today()).credit_lookback_months
    except DomainError:
        return None


@login_required
def credit_check(request, pk):
    """The bureau clerk records the credit and annual-report check of an enterprise (Art 7)."""
    enterprise = access_enterprise(request.user, pk)
    require_perm(request.user, PERM_BUREAU_REVIEW, PERM_BUREAU_APPROVE)
    status = 200
    if request.method == "POST":
        form = CreditCheckForm(request.POST, request.FILES, lookback_months=_lookback_months())
        if form.is_valid():
            try:
                services.enterprise_credit_check_record(
                    by=request.user, enterprise=enterprise, **form.cleaned_data
                )
            except DomainError as exc:
                _refuse(form, exc)
            else:
                messages.success(request, "信用核查结果已记录。")
                return redirect("applications:enterprise_detail", pk=enterprise.pk)
        status = 400
    else:
        form = CreditCheckForm(initial={"queried_on": today()}, lookback_months=_lookback_months())
    context = {
        "form": form,
        "enterprise": enterprise,
        "profile": profile_of(enterprise),
        "checks_done": credit_checks_of(enterprise),
    }
    return render(request, "applications/credit_check_form.html", context, status=status)


@login_required
def credit_check_extract(request, pk, check_pk):
    """The extract a clerk uploaded: bureau and finance staff only (anyone else: 404)."""
    enterprise = access_enterprise(request.user, pk)
    if not sees_everything(request.user):
        raise NotFound()
    check = access(credit_checks_of(enterprise), check_pk)
    if not check.extract:
        raise NotFound()
    return serve_private_file(
        check.extract,
        download_name=f"信用核查-{check.queried_on:%Y%m%d}-{check.pk}",
        content_type=check.content_type,
    )


@login_required
def profile_edit(request):
    enterprise = _own_enterprise(request.user)
    profile = profile_of(enterprise)
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.add_rule_errors():
            try:
                services.enterprise_profile_save(by=request.user, enterprise=enterprise, **form.cleaned_data)
            except DomainError as exc:
                _refuse(form, exc)
            else:
                messages.success(request, "企业信息已保存。")
                return redirect("applications:profile")
        status = 400
    else:
        initial = {"uscc": enterprise.uscc or ""}
        if profile:
            initial.update({f: getattr(profile, f) for f in services.PROFILE_FIELDS})
            legal = profile.is_independent_legal_person
            initial["is_independent_legal_person"] = {True: "yes", False: "no"}.get(legal, "")
        form = ProfileForm(initial=initial)
    context = {"form": form, "enterprise": enterprise}
    return render(request, "applications/profile_form.html", context, status=status)


@require_POST
@login_required
def credit_declare(request):
    enterprise = _own_enterprise(request.user)
    services.enterprise_credit_declare(by=request.user, enterprise=enterprise)
    messages.success(request, "信用声明已记录。")
    return redirect("applications:profile")


# --- IP assets -------------------------------------------------------------------------------------


@login_required
def asset_list(request):
    qs = assets_visible_to(request.user).order_by("enterprise__name", "ip_type", "number")
    ip_type = request.GET.get("type", "")
    ip_types = ip_type_choices()
    if ip_type in dict(ip_types):
        qs = qs.filter(ip_type=ip_type)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(enterprise__name__icontains=q))
    page = page_of(request, qs, PAGE_SIZE)
    return render(
        request,
        "applications/asset_list.html",
        {
            "page": page,
            "ip_types": ip_types,
            "type": ip_type,
            "q": q,
            "query_string": urlencode({k: v for k, v in {"type": ip_type, "q": q}.items() if v}),
            "can_add": request.user.has_perm(PERM_ENTERPRISE),
        },
    )


@login_required
def asset_new(request):
    enterprise = _own_enterprise(request.user)
    status = 200
    if request.method == "POST":
        form = AssetForm(request.POST)
        if form.is_valid():
            try:
                asset = services.ip_asset_register(
                    by=request.user, enterprise=enterprise, **form.cleaned_data
                )
            except DomainError as exc:
                _refuse(form, exc)
            else:
                messages.success(request, f"已登记{asset}。")
                return redirect(asset)
        status = 400
    else:
        form = AssetForm(initial={"holder_name": enterprise.name})
    context = {"form": form, "title": "登记知识产权"}
    return render(request, "applications/asset_form.html", context, status=status)


def _asset_page(request, asset, *, override_form=None, status=200):
    can_override = services.asset_can_override_holder(asset, request.user)
    return render(
        request,
        "applications/asset_detail.html",
        {
            "asset": asset,
            "events": trail_for(asset),
            "can_edit": services.asset_can_edit(asset, request.user),
            "can_override": can_override,
            "override_form": override_form or (ReasonForm() if can_override else None),
        },
        status=status,
    )


@login_required
def asset_detail(request, pk):
    return _asset_page(request, access_asset(request.user, pk))


@login_required
def asset_edit(request, pk):
    asset = access_asset(request.user, pk)
    if asset.enterprise_id != request.user.organisation_id:
        raise NotFound()
    require_perm(request.user, PERM_ENTERPRISE)
    status = 200
    if request.method == "POST":
        form = AssetUpdateForm(request.POST)
        if form.is_valid():
            try:
                services.ip_asset_update(by=request.user, asset=asset, **form.cleaned_data)
            except DomainError as exc:
                _refuse(form, exc)
            else:
                messages.success(request, "知识产权信息已更新。")
                return redirect(asset)
        status = 400
    else:
        form = AssetUpdateForm(initial={f: getattr(asset, f) for f in services.ASSET_EDITABLE})
    context = {"form": form, "title": f"更新 {asset}", "asset": asset}
    return render(request, "applications/asset_form.html", context, status=status)


@require_POST
@login_required
def asset_override(request, pk):
    asset = access_asset(request.user, pk)
    require_perm(request.user, PERM_BUREAU_REVIEW, PERM_BUREAU_APPROVE)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.ip_asset_override_holder(
                by=request.user, asset=asset, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, "已核准权利人名称。")
            return redirect(asset)
    return _asset_page(request, asset, override_form=form, status=400)


# --- registrations ---------------------------------------------------------------------------------


@login_required
def registration_list(request, incoming=False):
    status = request.GET.get("status", Status.SUBMITTED if incoming and "status" not in request.GET else "")
    q = request.GET.get("q", "").strip()[:100]
    qs = search_registrations(registrations_visible_to(request.user), status=status, q=q)
    page = page_of(request, qs.order_by("-created_at", "-id"), PAGE_SIZE)
    return render(
        request,
        "applications/registration_list.html",
        {
            "page": page,
            "statuses": Status.choices,
            "status": status,
            "q": q,
            "incoming": incoming,
            "query_string": urlencode({k: v for k, v in {"status": status, "q": q}.items() if v}),
            "can_create": request.user.has_perm(PERM_ENTERPRISE),
            "title": "融资申请" if incoming else "质押融资登记",
        },
    )


def _registration_form(request, registration=None):
    enterprise = _own_enterprise(request.user)
    kwargs = {"banks": hooks.active_bank_orgs(), "assets": assets_of(enterprise)}
    status = 200
    if request.method == "POST":
        form = RegistrationForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                if registration is None:
                    registration = services.registration_create(by=request.user, **form.cleaned_data)
                else:
                    registration = services.registration_update(
                        by=request.user, registration=registration, **form.cleaned_data
                    )
            except DomainError as exc:
                _refuse(form, exc)
            else:
                messages.success(request, "草稿已保存。请核验资格条件后签署承诺书并提交。")
                return redirect("applications:registration_check", pk=registration.pk)
        status = 400
    elif registration is not None:
        form = RegistrationForm(
            initial={
                "bank": registration.bank_id,
                "amount": registration.amount,
                "term_months": registration.term_months,
                "purpose": registration.purpose,
                "assets": list(registration.assets.values_list("pk", flat=True)),
            },
            **kwargs,
        )
    else:
        form = RegistrationForm(**kwargs)
    return render(
        request,
        "applications/registration_form.html",
        {"form": form, "registration": registration},
        status=status,
    )


@login_required
def registration_new(request):
    return _registration_form(request)


@login_required
def registration_edit(request, pk):
    registration = access_registration(request.user, pk, for_write=True)
    require_perm(request.user, PERM_ENTERPRISE)
    if not services.registration_can_edit(registration, request.user):
        messages.error(request, "只有草稿可以修改。")
        return redirect(registration)
    return _registration_form(request, registration)


def _checks_for(registration):
    """Live checks for a draft; what was checked at submission for anything later."""
    if registration.status in (Status.DRAFT, Status.WITHDRAWN):
        policy, error = _policy_today()
        return (registration_checks(registration, policy=policy, on=today()) if policy else []), error
    return registration.submitted_checks, ""


@login_required
def registration_check(request, pk):
    registration = access_registration(request.user, pk, for_write=True)
    require_perm(request.user, PERM_ENTERPRISE)
    if not services.registration_can_edit(registration, request.user):
        return redirect(registration)
    status = 200
    if request.method == "POST":
        form = CommitmentForm(request.POST)
        if form.is_valid():
            try:
                services.registration_sign(
                    by=request.user, registration=registration, ip=client_ip(request), **form.cleaned_data
                )
                services.registration_submit(by=request.user, registration=registration)
            except DomainError as exc:
                _refuse(form, exc)
            else:
                messages.success(request, f"已提交至{registration.bank.name}，请等待银行受理。")
                return redirect(registration)
        status = 400
        registration.refresh_from_db()
    else:
        form = CommitmentForm()
    checks, policy_error = _checks_for(registration)
    return render(
        request,
        "applications/registration_check.html",
        {
            "registration": registration,
            "checks": checks,
            "policy_error": policy_error,
            "form": form,
            "assets": registration.assets.all(),
        },
        status=status,
    )


@require_POST
@login_required
def registration_withdraw(request, pk):
    registration = access_registration(request.user, pk, for_write=True)
    form = OptionalReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.registration_withdraw(by=request.user, registration=registration, reason=reason)
    messages.success(request, "申请已撤回。")
    return redirect(registration)


@require_POST
@login_required
def registration_redraft(request, pk):
    registration = access_registration(request.user, pk, for_write=True)
    services.registration_redraft(by=request.user, registration=registration)
    messages.success(request, "已恢复为草稿，可修改后重新签署并提交。")
    return redirect("applications:registration_edit", pk=pk)


DECISIONS = {"accept", "decline"}


@login_required
def registration_detail(request, pk):
    registration = access_registration(request.user, pk)
    user = request.user
    moves = available_move_names(registration, user)
    checks, policy_error = _checks_for(registration)
    return render(
        request,
        "applications/registration_detail.html",
        {
            "registration": registration,
            "assets": registration.assets.all(),
            "checks": checks,
            "policy_error": policy_error,
            "moves": moves,
            "can_decide": bool(moves & DECISIONS),
            "can_edit": services.registration_can_edit(registration, user),
            "notices": notices_about(registration, user),
            "events": trail_for(registration),
            "withdraw_form": OptionalReasonForm(),
        },
    )


@login_required
def registration_decide(request, pk):
    registration = access_registration(request.user, pk)
    if registration.bank_id != request.user.organisation_id:
        raise NotFound()
    require_perm(request.user, PERM_BANK_PREPARE)
    if not available_move_names(registration, request.user) & DECISIONS:
        messages.error(request, f"当前状态为“{registration.get_status_display()}”，无需受理。")
        return redirect(registration)
    status = 200
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            accept = form.cleaned_data["decision"] == "accept"
            decide = services.registration_accept if accept else services.registration_decline
            try:
                decide(by=request.user, registration=registration, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                _refuse(form, exc)
            else:
                messages.success(request, "已记录银行意见并通知企业。")
                return redirect(registration)
        status = 400
    else:
        form = DecisionForm()
    return render(
        request,
        "applications/registration_decide.html",
        {
            "registration": registration,
            "form": form,
            "checks": registration.submitted_checks,
            "assets": registration.assets.all(),
        },
        status=status,
    )
