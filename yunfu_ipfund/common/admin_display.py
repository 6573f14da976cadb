"""Chinese labels in the admin for fields whose models carry none (a package's models, or fields
without a verbose name): ADR 0006 keeps no translation catalogue, so the admin names them itself.

- `shown(field, label, values=None)`: a read-only column or field labelled `label`, showing the value
  (mapped through `values`, a dict or a function, when given: codes shown by their Chinese names);
- `MODEL_NAMES`: a package's model under a Chinese name in the admin's app list;
- `RecordLabelled`: records named in Chinese on their pages and check boxes;
- `code_shown(field, label)`: the same for codes, hashes and JSON, in <code>;
- `titled(title)`: a list filter on a field, titled `title`, otherwise the field's own filter.
"""

import json

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.utils.html import format_html

# A package's model -> the Chinese plural name its admin registration gives it (the app list's names:
# templates/admin/app_list.html, through the admin_names template filter).
MODEL_NAMES: dict[type, str] = {}


def shown(field, label, values=None, *, boolean=False):
    def value(obj):
        raw = getattr(obj, field)
        if values is None or raw in (None, ""):
            return raw if raw not in (None, "") or boolean else "—"
        return _label(values, raw)

    value.__name__ = f"{field}_shown"
    return admin.display(description=label, ordering=field, boolean=boolean)(value)


def code_shown(field, label):
    """A read-only column or field whose value is a code, a hash or a machine record (JSON): in <code>,
    shown as it is stored."""

    def value(obj):
        raw = getattr(obj, field)
        if raw in (None, "", {}, []):
            return "—"
        return format_html(
            "<code>{}</code>", json.dumps(raw, ensure_ascii=False) if isinstance(raw, dict | list) else raw
        )

    value.__name__ = f"{field}_code"
    return admin.display(description=label, ordering=field)(value)


def titled(title, values=None):
    """A FieldListFilter for `(field, titled("标题"))` in list_filter; `values` (a dict or a function)
    relabels the choices of a field filtered by its distinct values."""

    class Titled(admin.FieldListFilter):
        def __new__(cls, field, request, params, model, model_admin, field_path):
            spec = admin.FieldListFilter.create(field, request, params, model, model_admin, field_path)
            spec.title = title
            if values is not None and hasattr(spec, "lookup_choices"):
                spec.lookup_choices = list(spec.lookup_choices)
                spec.choices = _relabelled(spec.choices, values)
            return spec

    return Titled


def _label(values, raw):
    return values(raw) if callable(values) else values.get(raw, raw)


def _relabelled(choices, values):
    def relabel(changelist):
        for choice in choices(changelist):
            display = choice.get("display")
            shown_as = _label(values, str(display)) if display not in (None, "") else None
            yield {**choice, "display": shown_as} if shown_as else choice

    return relabel


class RecordLabelled:
    """A ModelAdmin mixin: a record is named by `record_label(obj)` (Chinese), not by the model's
    __str__ (a package's English one, or a code), on its change page (title and breadcrumb) and on its
    row's action check box."""

    change_form_template = "admin/record_labelled_change_form.html"

    def record_label(self, obj):
        return str(obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        context = {"subtitle": self.record_label(obj)} if obj is not None else {}
        return super().change_view(request, object_id, form_url, {**context, **(extra_context or {})})

    def action_checkbox(self, obj):
        attrs = {"class": "action-select", "aria-label": f"选择此记录以执行操作：{self.record_label(obj)}"}
        checkbox = forms.CheckboxInput(attrs, lambda value: False)
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))
