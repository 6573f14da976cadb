from django.contrib import admin

from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.admin_display import shown, titled

from . import outbox
from .models import Notice, OutboxMessage, Reminder
from .reminders import reminder_kind

# Fields of Notice and Reminder without a Chinese name of their own, shown under one (common.admin_display).
_NOTICE_LABELS = {
    "prefix": shown("prefix", "文号前缀"),
    "year": shown("year", "年度"),
    "sequence": shown("sequence", "序号"),
    "pdf": shown("pdf", "PDF 文件"),
    "render_status": shown("render_status", "生成状态", lambda v: Notice.RenderStatus(v).label),
    "render_attempts": shown("render_attempts", "生成次数"),
    "render_error": shown("render_error", "生成错误"),
    "rendered_at": shown("rendered_at", "生成时间"),
}


def _role_label(code):
    return Role(code).label if code in Role.values else code


_REMINDER_LABELS = {
    "kind": shown("kind", "提醒类型", lambda v: reminder_kind.label(v)),
    "subject_type": shown("subject_type", "关联对象类型"),
    "subject_id": shown("subject_id", "关联对象ID"),
    "next_notify_on": shown("next_notify_on", "下次提醒日期"),
    "recipient_org": shown("recipient_org", "责任机构"),
    "recipient_role": shown("recipient_role", "责任角色", _role_label),
    "escalate_role": shown("escalate_role", "逾期上报角色", _role_label),
    "last_sent_on": shown("last_sent_on", "最近提醒日期"),
    "times_sent": shown("times_sent", "已提醒次数"),
    "escalated_at": shown("escalated_at", "上报时间"),
    "action_done_at": shown("action_done_at", "自动处理时间"),
    "last_error": shown("last_error", "最近错误"),
    "resolved_at": shown("resolved_at", "办结时间"),
    "created_at": shown("created_at", "创建时间"),
}


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "addressee", "issued_at", "render_status_shown")
    list_filter = ("kind", ("render_status", titled("生成状态")), ("year", titled("年度")))
    search_fields = ("number", "title", "addressee__name")
    readonly_fields = [_NOTICE_LABELS.get(f.name, f.name) for f in Notice._meta.fields]
    exclude = list(_NOTICE_LABELS)
    render_status_shown = _NOTICE_LABELS["render_status"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        _REMINDER_LABELS["kind"],
        "due_date",
        _REMINDER_LABELS["recipient_org"],
        _REMINDER_LABELS["recipient_role"],
        _REMINDER_LABELS["last_sent_on"],
        _REMINDER_LABELS["escalated_at"],
        _REMINDER_LABELS["resolved_at"],
    )
    list_filter = (
        ("kind", titled("提醒类型", reminder_kind.label)),
        ("recipient_role", titled("责任角色", dict(Role.choices))),
        ("resolved_at", titled("办结时间")),
    )
    search_fields = ("title", "key")
    readonly_fields = [_REMINDER_LABELS.get(f.name, f.name) for f in Reminder._meta.fields]
    exclude = list(_REMINDER_LABELS)

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
