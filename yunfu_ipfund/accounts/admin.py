"""The admin site of accounts under 三员分立 (docs/security.md).

Nobody grants a role, sets another person's password or reactivates an account here directly:
- the user form's roles (groups) are a request: roles added or removed are filed as administrative
  requests (accounts.services.admin_request_file, with the reason typed on the form), and the account
  keeps its roles until another security administrator approves;
- switching an inactive account back on is filed as a reactivation request the same way;
- the admin's password form is refused (403, audited): a reset is an administrative request;
- a new account is created without roles and must change its password at first login.
"""

from axes.conf import settings as axes_settings
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from yunfu_ipfund.common.admin_display import MODEL_NAMES, RecordLabelled, shown, titled
from yunfu_ipfund.common.errors import DomainError, ValidationFailed
from yunfu_ipfund.common.identifiers import validate_uscc

from . import actions
from .models import AdminRequest, Organisation, User
from .roles import ROLES_BY_ORG_KIND, Role
from .services import admin_request_file, refuse_direct_change
from .signals import send_admin_changed, send_security_event

MSG_FILED = "已提交管理操作申请（{items}），经另一名安全管理员批准后生效；在此之前账号的角色和状态不变。"
MSG_REASON_FOR_REQUEST = "变更角色或启用账号须填写申请理由（将随申请提交另一名安全管理员审批）。"


MSG_MULTI_SELECT = "按住 Ctrl 键（苹果电脑为 ⌘ 键）可选择多项。"


def _chinese_multi_select(field):
    """Django 5.2's "Hold down Control, or Command on a Mac…" is left untranslated in zh-hans."""
    if field is not None and "Control" in str(field.help_text):
        field.help_text = MSG_MULTI_SELECT
    return field


def role_label(code):
    """A group is shown by its role's Chinese name; its code (the group's name) stays the key."""
    return Role(code).label if code in Role.values else code


def roles_of(user):
    return "、".join(role_label(code) for code in sorted(user.groups.values_list("name", flat=True)))


class OrganisationForm(forms.ModelForm):
    """The portal's own USCC rule (GB 32100 check digits, common.identifiers), not just 18 characters."""

    def clean_uscc(self):
        code = self.cleaned_data.get("uscc")
        if not code:
            return None  # unique and nullable: an empty code is no code
        try:
            return validate_uscc(code)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
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


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return role_label(obj.name)


class RoleListFilter(admin.SimpleListFilter):
    title = "角色"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


class UserChangeForm(RequestReasonMixin, BaseUserAdmin.form):
    pass


class UserCreationForm(RequestReasonMixin, BaseUserAdmin.add_form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "usable_password" in self.fields:  # Django's help text here is English
            self.fields[
                "usable_password"
            ].help_text = "是否允许该用户以密码登录；停用后只能通过其他认证方式登录。平台用户一般应启用。"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    add_form_template = "admin/accounts/user/add_form.html"
    list_display = ("username", "full_name", "organisation", "role_names", "is_active", "last_login")
    list_filter = ("is_active", RoleListFilter, "organisation__kind")
    filter_horizontal = ()  # roles are check boxes labelled in Chinese (no English "Choose all")
    search_fields = ("username", "full_name", "email", "organisation__name")
    fieldsets = BaseUserAdmin.fieldsets + (
        ("所属机构", {"fields": ("organisation", "full_name", "phone")}),
        ("安全", {"fields": ("must_change_password", "password_changed_at", "request_reason")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("所属机构", {"fields": ("organisation", "full_name", "groups", "request_reason")}),
    )

    @admin.display(description="角色")
    def role_names(self, obj):
        return roles_of(obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            return RoleChoiceField(
                queryset=Group.objects.order_by("name"),
                required=False,
                label="角色",
                widget=forms.CheckboxSelectMultiple,
                help_text="勾选的角色以管理操作申请提交，经另一名安全管理员批准后生效。",
            )
        return _chinese_multi_select(super().formfield_for_manytomany(db_field, request, **kwargs))

    # Roles are the only way to grant rights: an administrator who is not a superuser never sees the
    # superuser flag or per-user permissions, and cannot change their own roles or status.
    SUPERUSER_ONLY = ("is_superuser", "user_permissions")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        hidden = () if request.user.is_superuser else self.SUPERUSER_ONLY
        if obj is not None and (obj.pk == request.user.pk or not self.has_change_permission(request, obj)):
            hidden += ("request_reason",)  # nothing to request about oneself, or when only viewing
        shown_as = {"groups": "role_names"} if self._roles_read_only(request, obj) else {}
        return [
            (
                name,
                {
                    **options,
                    "fields": tuple(shown_as.get(f, f) for f in options["fields"] if f not in hidden),
                },
            )
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj)) + [
            "must_change_password",
            "password_changed_at",
        ]
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            readonly += ["groups", "is_staff", "is_active", "organisation"]
        if "groups" in readonly or not self.has_change_permission(request, obj):
            readonly += ["role_names"]  # the roles read-only: by their Chinese names
        return readonly

    def _roles_read_only(self, request, obj):
        own = obj is not None and obj.pk == request.user.pk and not request.user.is_superuser
        return own or not self.has_change_permission(request, obj)

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
    # the payload (JSON) holds the role's code: shown as the role's Chinese name instead
    readonly_fields = [f.name for f in AdminRequest._meta.fields if f.name != "payload"] + ["role_label"]
    exclude = ("payload",)

    @admin.display(description="角色")
    def role_label(self, obj):
        return role_label(obj.role) if obj.role else "—"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- groups are roles, shown by their Chinese names (issue 14 item 5) ------------------------------
admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(RecordLabelled, BaseGroupAdmin):
    """A group is a role of accounts.roles: listed by its Chinese name; its code (the name) is the key
    the code and the permissions use, so it is shown but not renamed here."""

    list_display = ("role",)
    search_fields = ("name",)

    @admin.display(description="角色", ordering="name")
    def role(self, obj):
        return role_label(obj.name)

    def record_label(self, obj):
        return role_label(obj.name)

    def get_fields(self, request, obj=None):
        return ("role", "permissions") if obj is not None else ("name", "permissions")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return _chinese_multi_select(super().formfield_for_manytomany(db_field, request, **kwargs))

    def get_readonly_fields(self, request, obj=None):
        return ("role",) if obj is not None else ()


# --- django-axes' lockouts, in Chinese (it ships no zh-hans; ADR 0006 keeps no catalogue) -----------
# The security administrator clears lockouts here (docs/security.md). The models stay axes' own (their
# permissions are the roles'); their fields, filters and names are labelled here.
AXES_NAMES = {
    AccessAttempt: ("登录失败计数", "登录失败计数"),
    AccessFailureLog: ("登录失败记录", "登录失败记录"),
    AccessLog: ("登录记录", "登录记录"),
}
_AXES = {
    "user_agent": shown("user_agent", "浏览器标识"),
    "ip_address": shown("ip_address", "IP 地址"),
    "username": shown("username", "用户名"),
    "http_accept": shown("http_accept", "请求接受类型"),
    "path_info": shown("path_info", "访问路径"),
    "attempt_time": shown("attempt_time", "尝试时间"),
    "logout_time": shown("logout_time", "退出时间"),
    "get_data": shown("get_data", "查询参数"),
    "post_data": shown("post_data", "提交数据"),
    "failures_since_start": shown("failures_since_start", "失败次数"),
    "locked_out": shown("locked_out", "已锁定", boolean=True),
}
apps.get_app_config("axes").verbose_name = "登录锁定"
MODEL_NAMES.update({model: plural for model, (_, plural) in AXES_NAMES.items()})


class LockedOutFilter(admin.SimpleListFilter):
    title = "锁定状态"
    parameter_name = "locked_out"

    def lookups(self, request, model_admin):
        return (("yes", "已锁定"), ("no", "未锁定"))

    def queryset(self, request, queryset):
        limit = axes_settings.AXES_FAILURE_LIMIT
        if self.value() == "yes":
            return queryset.filter(failures_since_start__gte=limit)
        if self.value() == "no":
            return queryset.filter(failures_since_start__lt=limit)
        return queryset


class ChineseAxesAdmin(RecordLabelled, admin.ModelAdmin):
    """Axes' admin with each field under its Chinese name and the model under its Chinese name."""

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.opts = NamedOptions(model._meta, *AXES_NAMES[model])

    def changelist_view(self, request, extra_context=None):
        title = f"选择{self.opts.verbose_name}来{'修改' if self.has_change_permission(request) else '查看'}"
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        changelist.opts = self.opts  # "共 1 条登录失败计数", not axes' English name
        return changelist

    def record_label(self, obj):
        return f"{obj.username or '—'}（{obj.ip_address or '—'}）"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        title = f"{'修改' if self.has_change_permission(request, obj) else '查看'}{self.opts.verbose_name}"
        return super().change_view(request, object_id, form_url, {"title": title, **(extra_context or {})})

    def has_add_permission(self, request):
        return False


class NamedOptions:
    """A model's options under another (Chinese) name: what the admin's pages show of the model."""

    def __init__(self, opts, verbose_name, verbose_name_plural):
        self._opts = opts
        self.verbose_name = verbose_name
        self.verbose_name_plural = verbose_name_plural

    def __getattr__(self, name):
        return getattr(self._opts, name)


def _axes_fields(*names):
    return tuple(_AXES[name] for name in names)


class AccessAttemptAdmin(ChineseAxesAdmin):
    list_display = (
        *_axes_fields("attempt_time", "ip_address", "user_agent", "username", "path_info"),
        _AXES["failures_since_start"],
    )
    list_filter = [("attempt_time", titled("尝试时间")), LockedOutFilter]
    search_fields = ["ip_address", "username", "user_agent", "path_info"]
    date_hierarchy = "attempt_time"
    fieldsets = (
        (None, {"fields": _axes_fields("username", "path_info", "failures_since_start")}),
        ("表单数据", {"fields": _axes_fields("get_data", "post_data")}),
        ("请求信息", {"fields": _axes_fields("user_agent", "ip_address", "http_accept")}),
    )
    readonly_fields = tuple(_AXES[name] for name in _AXES if name not in ("logout_time", "locked_out"))
    actions = ["delete_selected"]


class AccessFailureLogAdmin(ChineseAxesAdmin):
    list_display = _axes_fields(
        "attempt_time", "ip_address", "username", "user_agent", "path_info", "locked_out"
    )
    list_filter = [("attempt_time", titled("尝试时间")), ("locked_out", titled("已锁定"))]
    search_fields = ["ip_address", "user_agent", "username", "path_info"]
    date_hierarchy = "attempt_time"
    fieldsets = (
        (None, {"fields": _axes_fields("username", "path_info", "attempt_time", "locked_out")}),
        ("请求信息", {"fields": _axes_fields("user_agent", "ip_address", "http_accept")}),
    )
    readonly_fields = _axes_fields(
        "user_agent", "ip_address", "username", "http_accept", "path_info", "attempt_time", "locked_out"
    )


class AccessLogAdmin(ChineseAxesAdmin):
    list_display = _axes_fields(
        "attempt_time", "logout_time", "ip_address", "username", "user_agent", "path_info"
    )
    list_filter = [("attempt_time", titled("尝试时间")), ("logout_time", titled("退出时间"))]
    search_fields = ["ip_address", "user_agent", "username", "path_info"]
    date_hierarchy = "attempt_time"
    fieldsets = (
        (None, {"fields": _axes_fields("username", "path_info", "attempt_time", "logout_time")}),
        ("请求信息", {"fields": _axes_fields("user_agent", "ip_address", "http_accept")}),
    )
    readonly_fields = _axes_fields(
        "user_agent", "ip_address", "username", "http_accept", "path_info", "attempt_time", "logout_time"
    )


for _model, _admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
    (AccessLog, AccessLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(_model, _admin)
