"""The bank user's API keys: the list (name, prefix, dates, status; never a secret), a new key (name and
expiry; the plain key is on the answer to that POST only, never stored or shown again) and revocation
with a confirmation step and a reason. Only the holder's own keys: another person's key is 404."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from yunfu_ipfund.accounts.selectors import is_bank_user
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError, NotFound

from .apikeys.selectors import access_api_key, api_keys_of
from .services import tokens


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="用途名称",
        max_length=tokens.NAME_LIMIT,
        help_text="这把密钥给哪个系统使用，例如“信贷系统对接”“测试环境”。",
    )
    expires_on = forms.DateField(
        label="到期日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="到期后密钥自动失效。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = local_today()
        self.fields["expires_on"].initial = tokens.default_expiry(today)
        latest = today + dt.timedelta(days=tokens.max_days())
        self.fields["expires_on"].help_text = (
            f"默认 {tokens.default_days()} 日后到期，最长不超过 {latest:%Y-%m-%d}"
            f"（{tokens.max_days()} 日）；到期后密钥自动失效。"
        )


class RevokeForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


def _bank_user_or_404(request):
    if not is_bank_user(request.user):
        raise NotFound()


def _context(request, form):
    return {
        "keys": api_keys_of(request.user).select_related("revoked_by"),
        "form": form,
        "docs_url": reverse("api-docs"),
        "schema_url": reverse("api-schema"),
    }


@login_required
def key_list(request):
    _bank_user_or_404(request)
    return render(request, "lenders/api_keys/list.html", _context(request, ApiKeyForm()))


@login_required
def key_create(request):
    _bank_user_or_404(request)
    if request.method != "POST":
        return redirect("lenders:api_token")
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        try:
            key, plain = tokens.api_key_issue(
                by=request.user, name=form.cleaned_data["name"], expires_on=form.cleaned_data["expires_on"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            # The only time the plain key exists outside the caller's hands: this answer (no-store).
            return render(request, "lenders/api_keys/created.html", {"key": key, "plain": plain})
    return render(request, "lenders/api_keys/list.html", _context(request, form), status=400)


@login_required
def key_revoke(request, pk):
    _bank_user_or_404(request)
    key = access_api_key(request.user, pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tokens.api_key_revoke(by=request.user, key=key, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"接口密钥“{key.name}”（{key.prefix}…）已撤销，使用它的请求将被拒绝。")
            return redirect("lenders:api_token")
    status = 400 if request.method == "POST" else 200
    return render(request, "lenders/api_keys/revoke.html", {"key": key, "form": form}, status=status)
