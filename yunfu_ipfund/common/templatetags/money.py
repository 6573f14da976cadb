"""{% load money %}: {{ amount|money }} -> '5,000,000.00'; {{ amount|capitals }} -> '人民币伍佰万元整'.

Django's floatformat does not group thousands under zh-hans, so amounts go through common.money."""

from decimal import InvalidOperation

from django import template

from yunfu_ipfund.common.money import amount_in_capitals, format_money

register = template.Library()


@register.filter
def money(value):
    """A Decimal, number or numeric string ('192000.00', '192,000.00') -> '192,000.00'; '—' for none.
    A value that is not a number is shown as it is: displaying must never fail."""
    if value in (None, ""):
        return "—"
    try:
        return format_money(value.replace(",", "") if isinstance(value, str) else value)
    except (InvalidOperation, ValueError, TypeError):
        return value


@register.filter
def capitals(value):
    return amount_in_capitals(value)


@register.filter
def pct(value):
    """Decimal ratio -> '12.34%' ('—' for None)."""
    if value is None:
        return "—"
    return f"{value:.2%}"
