from django.contrib import admin

from .models import Notice, Reminder
from .reminders import reminder_kind


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "addressee", "issued_at", "render_status")
    list_filter = ("kind", "render_status", "year")
    search_fields = ("number", "title", "addressee__name")
    readonly_fields = [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "kind_label",
        "due_date",
        "recipient_org",
        "recipient_role",
        "last_sent_on",
        "escalated_at",
        "resolved_at",
    )
    list_filter = ("kind", "recipient_role", "resolved_at")
    search_fields = ("title", "key")
    readonly_fields = [f.name for f in Reminder._meta.fields]

    @admin.display(description="提醒类型", ordering="kind")
    def kind_label(self, obj):
        return reminder_kind.label(obj.kind) if obj.kind else "—"

    def has_add_permission(self, request):
        return False
