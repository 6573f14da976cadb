from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from yunfu_ipfund.common.errors import MSG_NO_ROLE, DomainError, Forbidden, NotFound

from . import services
from .context_processors import tasks_for
from .forms import LoginForm
from .models import AdminRequest, User
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


@login_required
def home(request):
    tasks = tasks_for(request.user)
    return render(request, "accounts/home.html", {"tasks": tasks[:10], "task_count": len(tasks)})


@login_required
def tasks(request):
    return render(request, "accounts/tasks.html", {"tasks": tasks_for(request.user)})


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
