from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from yunfu_ipfund.common.errors import MSG_NO_ROLE, DomainError, Forbidden, NotFound

from . import second_factor, services
from .context_processors import task_context
from .forms import EnrolForm, LoginForm, SecondFactorForm
from .models import AdminRequest, RecoveryCodeDevice, User
from .passwords import password_change_due
from .roles import Role
from .signals import available_moves

MSG_CHANGE_REQUIRED = (
    "为保障账号安全，您须先修改密码（首次登录、密码被重置或已超过有效期）后才能继续使用本平台。"
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["change_required"] = password_change_due(self.request.user)
        context["required_message"] = MSG_CHANGE_REQUIRED
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(self.request.user, by=self.request.user)
        return response


# --- the second factor (accounts.second_factor) -------------------------------------------------------


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("accounts:home")


def _with_next(name, request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    url = reverse(name)
    return f"{url}?{urlencode({'next': target})}" if target else url


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request):
    """The code page: the authenticator's code (or a recovery code) verifies the session."""
    user = request.user
    if second_factor.session_verified(user):
        return redirect(_next_url(request))
    device = second_factor.totp_device(user)
    if device is None:
        return redirect(_with_next("accounts:second_factor_enrol", request))
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            verified = second_factor.verify(user=user, token=form.cleaned_data["code"])
        except second_factor.SecondFactorLocked as error:
            logout(request)
            return render(
                request, "accounts/second_factor_locked.html", {"message": error.message}, status=403
            )
        except DomainError as error:
            form.add_error("code", error.message)
            status = 400
        else:
            second_factor.login(request, verified)
            if not isinstance(verified, type(device)):
                messages.warning(
                    request,
                    "您使用了一个恢复码登录，该恢复码已作废。如认证器应用丢失，请联系安全管理员申请重置。",
                )
            return redirect(_next_url(request))
    user.refresh_from_db(fields=["otp_locked_until"])
    context = {
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next") or "",
        "locked": second_factor.lock_message(user) if second_factor.locked_now(user) else "",
        "demo_code": second_factor.current_code(device) if settings.DEMO_SHOW_TOTP else "",
    }
    return render(request, "accounts/second_factor.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request):
    """Enrolment at the first login (staff) or by choice (an enterprise user): the secret and its QR code,
    a code to confirm it, then the recovery codes, shown once."""
    user = request.user
    if second_factor.is_enrolled(user):
        if second_factor.session_verified(user):
            messages.info(request, "您的账号已启用第二认证因素。如需更换手机，请联系安全管理员申请重置。")
            return redirect(_next_url(request))
        return redirect(_with_next("accounts:second_factor", request))
    device = second_factor.enrolment_device(user)
    form = EnrolForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        done = second_factor.enrol_confirm(user=user, device=device, token=form.cleaned_data["code"])
        if done is not None:
            confirmed, codes = done
            second_factor.login(request, confirmed)
            return render(
                request,
                "accounts/second_factor_recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error("code", second_factor.MSG_ENROL_WRONG_CODE)
        status = 400
    context = {
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next") or "",
        "secret": second_factor.secret_grouped(device),
        "qr_svg": second_factor.qr_svg(device),
        "issuer": second_factor.ISSUER,
        "required": second_factor.is_staff_account(user),
    }
    return render(request, "accounts/second_factor_enrol.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes_reissue(request):
    """New recovery codes (a verified session: the second-factor rule of the middleware applies here)."""
    user = request.user
    if not second_factor.session_verified(user):
        return redirect(_with_next("accounts:second_factor_enrol", request))
    if request.method == "POST":
        codes = second_factor.recovery_codes_reissue(user=user)
        return render(
            request,
            "accounts/second_factor_recovery_codes.html",
            {"codes": codes, "next": reverse("accounts:home"), "reissued": True},
        )
    left = RecoveryCodeDevice.objects.filter(user=user).first()
    return render(
        request, "accounts/second_factor_recovery_reissue.html", {"left": left.codes_left() if left else 0}
    )


@login_required
def home(request):
    context = {
        **task_context(request.user),
        # An enterprise user without a second factor may enrol one (staff cannot get here without it).
        "offer_second_factor": not second_factor.session_verified(request.user),
    }
    return render(request, "accounts/home.html", context)


@login_required
def tasks(request):
    return render(request, "accounts/tasks.html", task_context(request.user))


# --- administrative requests (三员分立) ------------------------------------------------------------


class AdminRequestForm(forms.Form):
    kind = forms.ChoiceField(label="申请事项", choices=AdminRequest.Kind.choices)
    username = forms.CharField(label="所涉账号（用户名）", max_length=150)
    role = forms.ChoiceField(
        label="角色（授予或撤销角色时填写）", choices=[("", "—")] + Role.choices, required=False
    )
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label="审批意见", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000
    )


def _require_administrator(user):
    if not services.may_file(user) and not user.has_perm("accounts.audit_read"):
        raise NotFound()


@login_required
def admin_requests(request):
    """Administrators' requests: filing (system and security administrators), the list to decide
    (security administrators), read-only for the audit administrator."""
    user = request.user
    _require_administrator(user)
    form = AdminRequestForm(request.POST or None)
    if request.method == "POST":
        if not services.may_file(user):
            raise Forbidden(MSG_NO_ROLE, code="no_role")
        if form.is_valid():
            data = form.cleaned_data
            target = User.objects.filter(username=data["username"]).first()
            if target is None:
                form.add_error("username", "没有该用户名的账号。")
            else:
                try:
                    filed = services.admin_request_file(
                        by=user, kind=data["kind"], target=target, reason=data["reason"], role=data["role"]
                    )
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, f"申请已提交（申请编号 {filed.pk}），待另一名安全管理员审批。")
                    return redirect("accounts:admin_request", pk=filed.pk)
    qs = AdminRequest.objects.select_related("target", "requested_by", "decided_by")
    return render(
        request,
        "accounts/admin_requests.html",
        {
            "form": form if services.may_file(user) else None,
            "pending": qs.filter(status=AdminRequest.Status.PENDING),
            "decided": qs.exclude(status=AdminRequest.Status.PENDING)[:50],
        },
    )


def _access_request(user, pk):
    _require_administrator(user)
    request = (
        AdminRequest.objects.select_related("target", "requested_by", "decided_by").filter(pk=pk).first()
    )
    if request is None:
        raise NotFound()
    return request


@login_required
def admin_request(request, pk):
    obj = _access_request(request.user, pk)
    return render(
        request,
        "accounts/admin_request.html",
        {"obj": obj, "moves": available_moves(obj, request.user), "form": DecisionForm()},
    )


@login_required
@require_POST
def admin_request_decide(request, pk, move):
    obj = _access_request(request.user, pk)
    if move not in ("approve", "reject"):
        raise NotFound()
    form = DecisionForm(request.POST)
    reason = form.data.get("reason", "").strip()[:1000]
    if move == "approve":
        services.admin_request_approve(by=request.user, request=obj, reason=reason)
        messages.success(request, "已批准，变更已生效并已通知相关人员。")
    else:
        services.admin_request_reject(by=request.user, request=obj, reason=reason)
        messages.success(request, "已驳回，已通知申请人和所涉账号。")
    return redirect(reverse("accounts:admin_request", args=[obj.pk]))
