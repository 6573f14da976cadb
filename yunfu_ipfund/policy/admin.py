"""Policy versions, LPR and holidays in the admin. Every save goes through the audited services,
so a frozen version refuses here exactly as it does everywhere else."""

from django.contrib import admin, messages
from django.forms import ModelForm
from django.http import HttpResponseRedirect

from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.errors import DomainError

from . import services
from .actions import (
    HOLIDAY_DAY_CREATE,
    HOLIDAY_DAY_DELETE,
    HOLIDAY_DAY_UPDATE,
    HOLIDAY_YEAR_CREATE,
    HOLIDAY_YEAR_DELETE,
)
from .models import HolidayDay, HolidayYear, LprRate, PolicyVersion


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


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ServiceSavedAdmin):
    list_display = (
        "code",
        "title",
        "effective_from",
        "effective_to",
        "requires_joint_meeting",
        "first_used_at",
    )
    readonly_fields = ("first_used_at", "created_at")

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


@admin.register(HolidayYear)
class HolidayYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "created_at")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            by=request.user,
            action=HOLIDAY_YEAR_CREATE,
            obj=obj,
            data={"year": obj.year, "source": obj.source},
        )

    def delete_model(self, request, obj):
        audit_record(by=request.user, action=HOLIDAY_YEAR_DELETE, obj=obj, data={"year": obj.year})
        super().delete_model(request, obj)


@admin.register(HolidayDay)
class HolidayDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            by=request.user,
            action=HOLIDAY_DAY_UPDATE if change else HOLIDAY_DAY_CREATE,
            obj=obj,
            data={"date": str(obj.date), "kind": obj.kind, "name": obj.name},
        )

    def delete_model(self, request, obj):
        audit_record(by=request.user, action=HOLIDAY_DAY_DELETE, obj=obj, data={"date": str(obj.date)})
        super().delete_model(request, obj)
