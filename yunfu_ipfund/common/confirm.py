"""Confirmation of an irreversible action AFTER the server accepted its input (issue 14 item 2).

The first POST validates the form and tries the service in a transaction that is always rolled back
(`dry_run`): a refusal comes back on the form, as typed. Accepted input is shown on a "请确认" page
(`confirm_page`, template `_confirm.html`) that posts the same fields again with a signed token
binding them to the user, the action and the record; the second POST (`is_confirmed`) performs the
action, through the service again (so a rule that changed meanwhile still refuses).

Actions without input to validate (a single button) keep the browser's `data-confirm` question.
"""

import hashlib
import json

from django.core import signing
from django.db import transaction
from django.shortcuts import render

from .errors import DomainError, ValidationFailed

TOKEN_FIELD = "_confirm_token"
EDIT_FIELD = "_confirm_edit"
MAX_AGE_SECONDS = 30 * 60
MSG_STALE = "确认页面已过期或提交的内容与确认时不一致，请重新填写并确认。"


class _RolledBack(Exception):
    pass


def dry_run(fn):
    """Run `fn()` in a savepoint that is always rolled back. Returns the DomainError it raised, or None
    when the service accepts the input (nothing it wrote stays; `on_commit` hooks never run)."""
    try:
        with transaction.atomic():
            fn()
            raise _RolledBack()
    except _RolledBack:
        return None
    except DomainError as exc:
        return exc


def _fields(form):
    """The posted fields of `form` as (name, [values]) pairs, in the form's order."""
    data = form.data
    out = []
    for name in form.fields:
        key = form.add_prefix(name)
        values = data.getlist(key) if hasattr(data, "getlist") else [data.get(key, "")]
        out.append((key, [str(v) for v in values]))
    return out


def _digest(request, form, scope):
    payload = json.dumps([request.user.pk, scope, _fields(form)], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def token_for(request, form, scope):
    return signing.dumps(_digest(request, form, scope), salt="yunfu_ipfund.confirm")


def wants_edit(request):
    """The confirm page's 返回修改: the page shows the form again with the values it carried."""
    return bool(request.POST.get(EDIT_FIELD))


def is_confirmed(request, form, scope):
    """Whether this POST is the second step: it carries a valid token for exactly these fields, this
    user and this scope (e.g. "loan:12:repayment"). A token that is present but stale or does not match
    refuses (400), it never performs something else than what was confirmed."""
    token = request.POST.get(TOKEN_FIELD)
    if not token:
        return False
    try:
        digest = signing.loads(token, salt="yunfu_ipfund.confirm", max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        raise ValidationFailed(MSG_STALE, code="confirm_stale") from None
    if digest != _digest(request, form, scope):
        raise ValidationFailed(MSG_STALE, code="confirm_stale")
    return True


def _shown(form, name):
    """The value of a cleaned field as the person typed or chose it (choice labels, 是/否, dates)."""
    field = form.fields[name]
    value = form.cleaned_data.get(name)
    if isinstance(value, bool):
        return "是" if value else "否"
    if value in (None, ""):
        return "（未填写）"
    choices = dict(getattr(field, "choices", ()) or ())
    if choices:
        if isinstance(value, (list, tuple)):
            return "、".join(str(choices.get(v, v)) for v in value)
        return str(choices.get(value, value))
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def confirm_page(request, *, form, scope, title, action_url, back_url, warning, button, record=""):
    """The "请确认" page: the accepted values, the warning, and the confirm button posting the same
    fields with the token."""
    shown = [name for name in form.fields if name in form.cleaned_data]
    rows = [(form.fields[name].label, _shown(form, name)) for name in shown]
    context = {
        "title": title,
        "record": record,
        "rows": rows,
        "warning": warning,
        "button": button,
        "action_url": action_url,
        "back_url": back_url,
        "hidden": [(key, value) for key, values in _fields(form) for value in values],
        "token_field": TOKEN_FIELD,
        "edit_field": EDIT_FIELD,
        "token": token_for(request, form, scope),
    }
    return render(request, "_confirm.html", context)
