"""{% load money %}: {{ amount|money }} -> '5,000,000.00'; {{ amount|capitals }} -> '人民币伍佰万元整'.

Django's floatformat does not group thousands under zh-hans, so amounts go through common.money."""

from django import template

from yunfu_ipfund.common.money import amount_in_capitals, format_money

register = template.Library()


@register.filter
def money(value):
    if value in (None, ""):
        return "—"
    return format_money(value)


@register.filter
def capitals(value):
    return amount_in_capitals(value)


@register.filter
def pct(value):
    """Decimal ratio -> '12.34%' ('—' for None)."""
    if value is None:
        return "—"
    return f"{value:.2%}"
