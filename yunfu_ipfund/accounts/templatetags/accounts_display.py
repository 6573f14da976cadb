"""{% large_type_on as large_type %}: whether this request's pages are in 大字版 (accounts.display)."""

from django import template

from yunfu_ipfund.accounts.display import large_type_on as _large_type_on

register = template.Library()


@register.simple_tag(takes_context=True)
def large_type_on(context):
    request = context.get("request")
    return request is not None and _large_type_on(request)
