"""The admin site of accounts under 三员分立 (docs/security.md).

Nobody grants a role, sets another person's password or reactivates an account here directly:
- the user form's roles (groups) are a request: roles added or removed are filed as administrative
  requests (accounts.services.admin_request_file, with the reason typed on the form), and the account
  keeps its roles until another security administrator approves;
- switching an inactive account back on is filed as a reactivation request the same way;
- the admin's password form is refused (403, audited): a reset is an administrative request;
- a new account is created without roles and must change its password at first login.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from yunfu_ipfund.common.errors import DomainError

from . import actions
from .models import AdminRequest, Organisation, User
from .roles import ROLES_BY_ORG_KIND, Role
from .services import admin_request_file, refuse_direct_change
from .signals import send_admin_changed, send_security_event

MSG_FILED = "已提交管理操作申请（{items}），经另一名安全管理员批准后生效；在此之前账号的角色和状态不变。"
MSG_REASON_FOR_REQUEST = "变更角色或启用账号须填写申请理由（将随申请提交另一名安全管理员审批）。"


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "uscc", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "uscc")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        send_admin_changed(by=request.user, obj=obj, created=not change, data=form.cleaned_data)


class RequestReasonMixin(forms.ModelForm):
    request_reason = forms.CharField(
        label="申请理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="变更角色或启用账号时必填：变更以管理操作申请提交，经另一名安全管理员批准后生效。",
    )

    def requested_changes(self):
        """(kind, role) pairs this form asks for, compared with the account as stored."""
        instance = self.instance
        before = set(instance.groups.values_list("name", flat=True)) if instance.pk else set()
        after = set()
        if "groups" in self.cleaned_data:
            after = {g.name for g in self.cleaned_data["groups"]}
        else:
            after = before
        changes = [(AdminRequest.Kind.GRANT_ROLE, r) for r in sorted(after - before)]
        changes += [(AdminRequest.Kind.REVOKE_ROLE, r) for r in sorted(before - after)]
        if instance.pk and "is_active" in self.cleaned_data:
            was_active = User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
            if self.cleaned_data["is_active"] and not was_active:
                changes.append((AdminRequest.Kind.REACTIVATE, ""))
        return changes

    def clean(self):
        cleaned = super().clean()
        if self.requested_changes() and not (cleaned.get("request_reason") or "").strip():
            raise forms.ValidationError(MSG_REASON_FOR_REQUEST)
        return cleaned


class UserChangeForm(RequestReasonMixin, BaseUserAdmin.form):
    pass


class UserCreationForm(RequestReasonMixin, BaseUserAdmin.add_form):
    pass


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("username", "full_name", "organisation", "is_active", "last_login")
    list_filter = ("is_active", "groups", "organisation__kind")
    search_fields = ("username", "full_name", "email", "organisation__name")
    fieldsets = BaseUserAdmin.fieldsets + (
        ("所属机构", {"fields": ("organisation", "full_name", "phone")}),
        ("安全", {"fields": ("must_change_password", "password_changed_at", "request_reason")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("所属机构", {"fields": ("organisation", "full_name", "groups", "request_reason")}),
    )

    # Roles are the only way to grant rights: an administrator who is not a superuser never sees the
    # superuser flag or per-user permissions, and cannot change their own roles or status.
    SUPERUSER_ONLY = ("is_superuser", "user_permissions")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        hidden = () if request.user.is_superuser else self.SUPERUSER_ONLY
        if obj is not None and obj.pk == request.user.pk:
            hidden += ("request_reason",)  # nothing to request about oneself
        return [
            (name, {**options, "fields": tuple(f for f in options["fields"] if f not in hidden)})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj)) + [
            "must_change_password",
            "password_changed_at",
        ]
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            readonly += ["groups", "is_staff", "is_active", "organisation"]
        return readonly

    def user_change_password(self, request, id, form_url=""):
        """Setting another person's password here is refused: it is an administrative request."""
        target = self.get_object(request, id)
        if target is None:
            return super().user_change_password(request, id, form_url)
        raise refuse_direct_change(by=request.user, target=target, what="admin_password_form")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = (
                True  # the first password is the administrator's: changed at first login
            )
        stored = User.objects.filter(pk=obj.pk).first() if change and obj.pk else None
        if stored is not None and obj.is_active and not stored.is_active:
            obj.is_active = False  # a reactivation is a request (filed in save_related)
        super().save_model(request, obj, form, change)
        if stored is not None and stored.is_active and not obj.is_active:
            send_security_event(actions.ACCOUNT_DEACTIVATE, by=request.user, obj=obj)
        if stored is not None and stored.organisation_id != obj.organisation_id:
            send_security_event(
                actions.ORGANISATION_MOVE,
                by=request.user,
                obj=obj,
                data={"from": stored.organisation_id, "to": obj.organisation_id},
            )

    def save_related(self, request, form, formsets, change):
        changes = (
            form.requested_changes()
            if change
            else [(AdminRequest.Kind.GRANT_ROLE, g.name) for g in form.cleaned_data.get("groups", [])]
        )
        form.cleaned_data.pop("groups", None)  # never written here: filed below
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
        filed, refused = [], []
        reason = (form.cleaned_data.get("request_reason") or "").strip()
        for request_kind, role in changes:
            try:
                filed.append(
                    admin_request_file(
                        by=request.user, kind=request_kind, target=user, reason=reason, role=role
                    )
                )
            except DomainError as error:
                refused.append(error.message)
        if filed:
            self.message_user(
                request, MSG_FILED.format(items="；".join(r.summary for r in filed)), messages.WARNING
            )
        for message in refused:
            self.message_user(request, message, messages.ERROR)
        send_admin_changed(
            by=request.user,
            obj=user,
            created=not change,
            data={
                "groups": sorted(user.groups.values_list("name", flat=True)),
                "active": user.is_active,
                **({"requests": [r.pk for r in filed]} if filed else {}),
            },
        )


@admin.register(AdminRequest)
class AdminRequestAdmin(admin.ModelAdmin):
    """Read-only here: requests are filed from the user form or the requests page, and decided on the
    requests page (accounts:admin_requests), where the workflow's moves are the buttons."""

    list_display = (
        "id",
        "kind",
        "target",
        "role_label",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
    )
    list_filter = ("status", "kind")
    search_fields = ("target__username", "target__full_name", "requested_by__username", "reason")
    readonly_fields = [f.name for f in AdminRequest._meta.fields]

    @admin.display(description="角色")
    def role_label(self, obj):
        return dict(Role.choices).get(obj.role, obj.role)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
