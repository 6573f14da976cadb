from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "actor_name",
        "organisation_name",
        "action",
        "object_repr",
        "from_state",
        "to_state",
    )
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_repr", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
