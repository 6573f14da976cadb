"""`{{ model|admin_model_name }}` in templates/admin/app_list.html: the Chinese name an admin
registration gave a package's model (common.admin_display.MODEL_NAMES), else the model's own."""

from django import template

from yunfu_ipfund.common.admin_display import MODEL_NAMES

register = template.Library()


@register.filter
def admin_model_name(model_entry):
    return MODEL_NAMES.get(model_entry.get("model"), model_entry.get("name"))
