from django.contrib import admin

from . import outbox
from .models import Notice, OutboxMessage, Reminder
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


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """What the queue owes: pending rows wait for the broker, failed ones for an administrator
    (docs/operations.md, "队列与发件箱")."""

    list_display = ("id", "task_name", "status", "attempts", "next_attempt_at", "created_at", "sent_at")
    list_filter = ("status", "task_name")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_failed"]

    @admin.action(description="重新发送所选的发送失败任务")
    def retry_failed(self, request, queryset):
        n = outbox.outbox_retry(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"已将 {n} 项发送失败的任务重新排队，将在一分钟内发送。")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
