"""{% load audit_labels %}: {{ event|state_label:event.to_state }} -> '已提交，待受理'
rather than 'submitted'.

Audit events keep the raw state codes (stable, searchable); people read the label of the audited
model's `status` choices. An unknown model or code is shown as it is: displaying must never fail."""

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

register = template.Library()


@register.filter
def state_label(event, value):
    if not value:
        return "—"
    try:
        field = apps.get_model(event.object_type)._meta.get_field("status")
    except (LookupError, ValueError, FieldDoesNotExist):
        return value
    return dict(field.flatchoices).get(value, value)
