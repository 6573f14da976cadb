"""{% load fund_labels %}: {{ posting|reference }} -> '补偿申请 #3' (linked to the claim) for
'compensation.claim:3', so that nobody reads raw model labels on the ledger pages."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

register = template.Library()

# reference_type -> (words, URL name of the page it opens, or None)
REFERENCES = {
    "compensation.claim": ("补偿申请", "compensation:claim_detail"),
    "compensation.recovery": ("追偿返还", None),
    "compensation.clawback": ("追回", None),
    "policy.policyversion": ("管理办法", None),
    "statement": ("对账单", None),
    "fund.instruction": ("指令文号", None),
    "fund.transfer": ("划转", None),
}


@register.filter
def reference(obj):
    """A posting's or commitment's business reference in words; unknown types are shown as they are."""
    ref_type, ref_id = getattr(obj, "reference_type", ""), getattr(obj, "reference_id", "")
    if not ref_type:
        return "—"
    words, url_name = REFERENCES.get(ref_type, (ref_type, None))
    text = f"{words} #{ref_id}" if str(ref_id).isdigit() else f"{words} {ref_id}"
    if url_name and str(ref_id).isdigit():
        try:
            return format_html('<a href="{}">{}</a>', reverse(url_name, args=[ref_id]), text)
        except NoReverseMatch:
            pass
    return text
