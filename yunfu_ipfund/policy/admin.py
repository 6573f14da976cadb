"""Policy versions, LPR and holidays in the admin. Every save goes through the audited services,
so a frozen version refuses here exactly as it does everywhere else."""

from django import forms
from django.contrib import admin, messages
from django.forms import ModelForm
from django.http import HttpResponseRedirect

from yunfu_ipfund.common.admin_display import shown
from yunfu_ipfund.common.errors import DomainError

from . import services
from .holidays import holiday_year_complete
from .models import HolidayDay, HolidayYear, IPTypeEntry, LprRate, PolicyVersion, active_ip_type_choices


class ServiceSavedAdmin(admin.ModelAdmin):
    """Routes the admin's save through a service; a refusal is shown as a message and nothing is saved."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.path)

    def has_delete_permission(self, request, obj=None):
        return False


class PolicyVersionForm(ModelForm):
    """The version's IP types are picked from the IP type table (Art 2), not typed as JSON (the admin
    builds the rest of the form from the model)."""

    ip_types_in_scope = forms.TypedMultipleChoiceField(
        label="纳入范围的知识产权类型",
        choices=active_ip_type_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="《管理办法》第二条。新增类型请先在“知识产权类型”中登记。",
    )


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ServiceSavedAdmin):
    form = PolicyVersionForm
    list_display = (
        "code",
        "title",
        "effective_from",
        "effective_to",
        "requires_joint_meeting",
        "first_used_at",
    )
    readonly_fields = ("first_used_at", shown("created_at", "创建时间"))

    def save_model(self, request, obj, form: ModelForm, change):
        reason = "管理后台修改"
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            services.policy_version_update(
                by=request.user, version=PolicyVersion.objects.get(pk=obj.pk), reason=reason, **fields
            )
        else:
            fields = {
                f.name: getattr(obj, f.name)
                for f in PolicyVersion._meta.concrete_fields
                if f.editable and f.name != "id"
            }
            created = services.policy_version_create(by=request.user, reason=reason, **fields)
            obj.pk = created.pk


@admin.register(LprRate)
class LprRateAdmin(ServiceSavedAdmin):
    list_display = ("effective_date", "one_year_rate", "first_used_at")
    readonly_fields = ("first_used_at",)

    def save_model(self, request, obj, form, change):
        rate = LprRate.objects.get(pk=obj.pk) if change else None
        saved = services.lpr_save(
            by=request.user,
            effective_date=obj.effective_date,
            one_year_rate=obj.one_year_rate,
            reason="管理后台",
            rate=rate,
        )
        obj.pk = saved.pk


MSG_YEAR_WITHOUT_DAYS = (
    "已登记 {year} 年度，但节假日表中还没有 {year} 年的节假日或调休日：请在“节假日/调休日”中录入该年安排，"
    "录入后“节假日表缺少 {year} 年安排”的待办才会办结，期限才按该年安排计算。"
)


@admin.register(HolidayYear)
class HolidayYearAdmin(ServiceSavedAdmin):
    list_display = ("year", "source", shown("created_at", "登记时间"))

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def save_model(self, request, obj, form, change):
        entry = HolidayYear.objects.get(pk=obj.pk) if change else None
        saved = services.holiday_year_save(by=request.user, year=obj.year, source=obj.source, entry=entry)
        obj.pk = saved.pk
        _tell_moved(self, request, saved.moved_reminders)
        if not holiday_year_complete(saved.year):
            self.message_user(request, MSG_YEAR_WITHOUT_DAYS.format(year=saved.year), messages.WARNING)

    def delete_model(self, request, obj):
        _tell_moved(self, request, services.holiday_year_delete(by=request.user, entry=obj))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


def _tell_moved(model_admin, request, moved):
    if moved:
        model_admin.message_user(
            request, f"节假日表调整后已重新计算 {len(moved)} 项未办结事项的截止日，并已通知相关人员。"
        )


@admin.register(HolidayDay)
class HolidayDayAdmin(ServiceSavedAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def save_model(self, request, obj, form, change):
        day = HolidayDay.objects.get(pk=obj.pk) if change else None
        saved = services.holiday_day_save(
            by=request.user, date=obj.date, kind=obj.kind, name=obj.name, day=day
        )
        obj.pk = saved.pk
        _tell_moved(self, request, saved.moved_reminders)

    def delete_model(self, request, obj):
        _tell_moved(self, request, services.holiday_day_delete(by=request.user, day=obj))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(IPTypeEntry)
class IPTypeEntryAdmin(ServiceSavedAdmin):
    """The IP type table (Art 2): a new Measures adds its type here, then lists it in its version."""

    list_display = ("code", "name", "family", "sort", "active")
    list_filter = ("family", "active")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def save_model(self, request, obj, form, change):
        entry = IPTypeEntry.objects.get(pk=obj.pk) if change else None
        saved = services.ip_type_save(
            by=request.user,
            code=entry.code if entry else obj.code,
            name=obj.name,
            family=obj.family,
            sort=obj.sort,
            active=obj.active,
            entry=entry,
            reason="管理后台",
        )
        obj.pk = saved.pk
