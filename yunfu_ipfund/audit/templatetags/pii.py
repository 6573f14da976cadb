"""{% load pii %}{% pii objection "contact" %}: personal data as the viewer may see it.

Masked for everyone (common.pii), in full for the person it is about; a role that may see the field in
full (accounts.pii_access) gets a "显示完整信息" link (`?reveal=<field>.<pk>`) and, having followed it,
the full value, the view being recorded in the audit log (audit.pii.pii_reveal). Following such a link
without that right is refused (403). `{{ value|mask:"mobile" }}` masks a bare value.
"""

from django import template
from django.utils.html import format_html

from yunfu_ipfund.accounts import pii_access
from yunfu_ipfund.common import pii as masks

from ..pii import field_key, pii_display, pii_reveal

register = template.Library()

REVEAL_PARAMETER = "reveal"


def _token(obj, attribute):
    return f"{field_key(obj, attribute)}.{obj.pk}"


@register.simple_tag(takes_context=True)
def pii(context, obj, attribute):
    request = context.get("request")
    user = getattr(request, "user", None)
    token = _token(obj, attribute)
    anchor = "pii-" + token.replace(".", "-").replace("_", "-")
    if request is not None and request.GET.get(REVEAL_PARAMETER) == token:
        value = pii_reveal(by=user, obj=obj, attribute=attribute)  # 403 for a role not allowed
        return format_html(
            '<span class="pii revealed" id="{}">{}</span> <small>（完整信息，本次查看已记录）</small>',
            anchor,
            value,
        )
    shown = pii_display(user, obj, attribute)
    if shown and not pii_access.is_own(user, obj) and pii_access.may_reveal(user, field_key(obj, attribute)):
        query = request.GET.copy()
        query[REVEAL_PARAMETER] = token
        return format_html(
            '<span class="pii" id="{}">{}</span> <a class="small" href="?{}#{}">显示完整信息</a>',
            anchor,
            shown,
            query.urlencode(),
            anchor,
        )
    return format_html('<span class="pii">{}</span>', shown or "—")


@register.filter
def mask(value, kind):
    return masks.mask(kind, value or "")
