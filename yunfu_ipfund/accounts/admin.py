from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Organisation, User
from .roles import ROLES_BY_ORG_KIND
from .signals import send_admin_changed


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "uscc", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "uscc")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        send_admin_changed(by=request.user, obj=obj, created=not change, data=form.cleaned_data)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "organisation", "is_active", "last_login")
    list_filter = ("is_active", "groups", "organisation__kind")
    search_fields = ("username", "full_name", "email", "organisation__name")
    fieldsets = BaseUserAdmin.fieldsets + (("所属机构", {"fields": ("organisation", "full_name", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("所属机构", {"fields": ("organisation", "full_name", "groups")}),
    )

    # Roles are the only way to grant rights: an administrator who is not a superuser never sees the
    # superuser flag or per-user permissions, and cannot change their own roles or status.
    SUPERUSER_ONLY = ("is_superuser", "user_permissions")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": tuple(f for f in options["fields"] if f not in self.SUPERUSER_ONLY)})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            readonly += ["groups", "is_staff", "is_active", "organisation"]
        return readonly

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        kind = user.organisation.kind if user.organisation_id else None
        allowed = {r.value for r in ROLES_BY_ORG_KIND.get(kind, set())}
        wrong = set(user.groups.values_list("name", flat=True)) - allowed
        if wrong:
            user.groups.remove(*user.groups.filter(name__in=wrong))
            self.message_user(
                request, f"已移除与机构类型不符的角色：{'、'.join(sorted(wrong))}。", level="warning"
            )
        send_admin_changed(
            by=request.user,
            obj=user,
            created=not change,
            data={"groups": sorted(user.groups.values_list("name", flat=True)), "active": user.is_active},
        )
