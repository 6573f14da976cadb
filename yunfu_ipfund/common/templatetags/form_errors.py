"""The error summary of a refused form: every failing field at once, each named by its Chinese label."""

from django import template

register = template.Library()


@register.filter
def error_summary(form):
    """[(field id or "", "label：message"), ...] for every error of the form, field errors first in the
    form's order, then the form's own (non-field) errors. A message that already names its field (the
    parsers' "label：..." messages) is not prefixed twice."""
    items = []
    for field in form.visible_fields() + form.hidden_fields():
        for message in field.errors:
            label = str(field.label or "")
            text = message if not label or message.startswith(f"{label}：") else f"{label}：{message}"
            items.append((field.id_for_label, text))
    items.extend(("", str(message)) for message in form.non_field_errors())
    return items
