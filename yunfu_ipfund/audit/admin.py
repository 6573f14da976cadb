from django.apps import apps
from django.contrib import admin

from yunfu_ipfund.common.admin_display import code_shown, titled

from .models import AuditEvent


def _model_name(label):
    """'accounts.adminrequest' -> the model's Chinese name (the code when it is not a model)."""
    try:
        return apps.get_model(label)._meta.verbose_name
    except (LookupError, ValueError):
        return label


# Codes, hashes and the event's details are shown as stored, as codes (common.admin_display).
_CODES = {
    "code": code_shown("code", "操作代码"),
    "object_type": code_shown("object_type", "对象类型"),
    "from_state": code_shown("from_state", "原状态"),
    "to_state": code_shown("to_state", "新状态"),
    "data": code_shown("data", "详情"),
    "prev_hash": code_shown("prev_hash", "前一条记录摘要"),
    "hash": code_shown("hash", "本条记录摘要"),
    "key_id": code_shown("key_id", "密钥编号"),
}


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "actor_name",
        "organisation_name",
        "action",
        "object_repr",
        _CODES["from_state"],
        _CODES["to_state"],
    )
    list_filter = ("action", ("object_type", titled("对象类型", _model_name)))
    search_fields = ("actor_name", "object_repr", "reason")
    readonly_fields = [_CODES.get(f.name, f.name) for f in AuditEvent._meta.fields]
    exclude = list(_CODES)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
