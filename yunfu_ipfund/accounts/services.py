"""Administration of accounts under 三员分立 (docs/security.md).

Nobody changes another person's rights alone. Granting or revoking a role, resetting another person's
password and reactivating an account are filed as an `AdminRequest` (`admin_request_file`) by a system
or security administrator, and made only when a *different* security administrator approves it
(`admin_request_approve`), who is neither the one who filed it nor the account concerned. The
approval applies the change here, in the same transaction, audited; the account's holder and their
organisation's supervisors (bank supervisor, bureau approver, finance users) are told in their inbox.

The role rules hold whatever writes the groups (`check_groups_change`, on every change of
User.groups): no administrative role beside a business role, no two administrative roles, no bank
account with both the officer and the supervisor role.
"""

import datetime as dt
import secrets
import string

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yunfu_ipfund.common.errors import Conflict, Forbidden, ValidationFailed

from . import actions, second_factor
from .models import AdminRequest, User
from .roles import (
    MSG_ROLE_NOT_FOR_ORG,
    ORG_SUPERVISOR_ROLE,
    PERM_ADMINISTER,
    PERM_SECURITY,
    ROLES_BY_ORG_KIND,
    Role,
    role_conflict,
)
from .signals import send_notify, send_security_event, transition

ADMIN_REQUEST_VALID_DAYS = 7

MSG_NEEDS_REQUEST = (
    "授予或撤销角色、重置他人密码或第二认证因素、重新启用账号须提交管理操作申请，"
    "经另一名安全管理员批准后生效（三员分立）。"
)
MSG_NOT_AN_ADMINISTRATOR = "只有系统管理员或安全管理员可以提交管理操作申请。"
MSG_NOT_FOR_YOURSELF = "不能为本人账号提交管理操作申请：本人的角色、密码和状态须由其他管理员申请和审批。"
MSG_DECIDER_IS_REQUESTER = "申请人不能审批本人提交的管理操作申请，须由另一名安全管理员审批。"
MSG_DECIDER_IS_TARGET = "所涉账号本人不能审批与本人有关的管理操作申请。"
MSG_NOT_A_SECURITY_ADMIN = "只有安全管理员可以审批管理操作申请。"
MSG_REASON_REQUIRED = "请填写申请理由。"
MSG_DUPLICATE = "该账号已有一项相同的待审批申请（申请编号 {pk}），请勿重复提交。"
MSG_UNKNOWN_ROLE = "未知的角色：{role}。"
MSG_ALREADY_HAS_ROLE = "{user} 已持有角色“{role}”。"
MSG_DOES_NOT_HAVE_ROLE = "{user} 并未持有角色“{role}”。"
MSG_ALREADY_ACTIVE = "{user} 的账号处于启用状态，无须启用。"
MSG_INACTIVE_LOCKED = "超过 {days} 日未登录使用，账号已锁定；须经管理操作申请审批后启用。"
MSG_SUPERUSER = "超级用户的账号不能通过管理操作申请变更。"


# --- the role rules, whatever writes the groups -------------------------------------------------


def roles_refusal(user, roles):
    """Why `user` may not hold exactly `roles` (a Chinese message), or None."""
    kind = user.organisation.kind if user.organisation_id else None
    allowed = {r.value for r in ROLES_BY_ORG_KIND.get(kind, set())}
    for role in sorted(set(roles) - allowed):
        org = user.organisation.get_kind_display() if user.organisation_id else "未归属机构"
        label = Role(role).label if role in Role.values else role
        return MSG_ROLE_NOT_FOR_ORG.format(role=label, org=org)
    return role_conflict(roles)


def check_groups_change(sender, instance, action, reverse, pk_set, **kwargs):
    """m2m_changed of User.groups: refuse (ValidationFailed) an addition that breaks the role rules."""
    if action != "pre_add" or not pk_set:
        return
    if reverse:  # group.user_set.add(...)
        users = User.objects.filter(pk__in=pk_set).select_related("organisation")
        added = {instance.name}
    else:
        users = [instance]
        added = set(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
    for user in users:
        current = set(user.groups.values_list("name", flat=True))
        message = role_conflict(current | added)
        if message:
            raise ValidationFailed(message, code="role_conflict")


# --- administrative requests --------------------------------------------------------------------


def is_security_admin(user):
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(PERM_SECURITY))


def may_file(user):
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.has_perm(PERM_ADMINISTER) or user.has_perm(PERM_SECURITY))
    )


def guard_decider(request, user):
    """The approver is another security administrator: not the requester, not the account concerned."""
    if user is None:
        return
    if user.pk == request.requested_by_id:
        raise Forbidden(MSG_DECIDER_IS_REQUESTER, code="same_person")
    if user.pk == request.target_id:
        raise Forbidden(MSG_DECIDER_IS_TARGET, code="same_person")


def _check_applicable(kind, target, role):
    """The change is still possible on `target` now (at filing and again at approval)."""
    if target.is_superuser:
        raise ValidationFailed(MSG_SUPERUSER)
    current = set(target.groups.values_list("name", flat=True))
    if kind in (AdminRequest.Kind.GRANT_ROLE, AdminRequest.Kind.REVOKE_ROLE):
        if role not in Role.values:
            raise ValidationFailed(MSG_UNKNOWN_ROLE.format(role=role))
        label = Role(role).label
        if kind == AdminRequest.Kind.GRANT_ROLE:
            if role in current:
                raise ValidationFailed(MSG_ALREADY_HAS_ROLE.format(user=target, role=label))
            message = roles_refusal(target, current | {role})
            if message:
                raise ValidationFailed(message, code="role_conflict")
        elif role not in current:
            raise ValidationFailed(MSG_DOES_NOT_HAVE_ROLE.format(user=target, role=label))
    elif kind == AdminRequest.Kind.REACTIVATE and target.is_active:
        raise ValidationFailed(MSG_ALREADY_ACTIVE.format(user=target))
    elif kind == AdminRequest.Kind.RESET_SECOND_FACTOR:
        second_factor.check_resettable(target)


def refuse_direct_change(*, by, target, what, data=None):
    """An administrator tried to change rights directly (the admin site's password form, a groups
    field): audited, then refused with the way to do it."""
    send_security_event(
        actions.REQUEST_REFUSED,
        by=by,
        obj=target,
        reason=MSG_NEEDS_REQUEST,
        data={
            "attempted": what,
            **(data or {}),
        },
    )
    return Forbidden(MSG_NEEDS_REQUEST, code="needs_second_administrator")


@transaction.atomic
def admin_request_file(*, by, kind, target, reason, role=""):
    """File a request; nothing changes until another security administrator approves it."""
    if not may_file(by):
        raise Forbidden(MSG_NOT_AN_ADMINISTRATOR, code="no_role")
    if target.pk == by.pk:
        raise Forbidden(MSG_NOT_FOR_YOURSELF, code="same_person")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MSG_REASON_REQUIRED)
    if kind not in AdminRequest.Kind.values:
        raise ValidationFailed(f"未知的申请事项：{kind}。")
    if kind == AdminRequest.Kind.RESET_SECOND_FACTOR and not is_security_admin(by):
        raise Forbidden(second_factor.MSG_RESET_BY_SECURITY_ADMIN, code="no_role")
    role = role or ""
    User.objects.select_for_update().get(pk=target.pk)  # one pending request per change, even in a race
    _check_applicable(kind, target, role)
    payload = {"role": role} if role else {}
    duplicate = AdminRequest.objects.filter(
        kind=kind, target=target, status=AdminRequest.Status.PENDING, payload=payload
    ).first()
    if duplicate is not None:
        raise Conflict(MSG_DUPLICATE.format(pk=duplicate.pk), code="duplicate")
    request = AdminRequest.objects.create(
        kind=kind, target=target, payload=payload, reason=reason, requested_by=by
    )
    send_security_event(
        actions.REQUEST_FILE, by=by, obj=request, reason=reason, data=_event_data(request), to_state="pending"
    )
    approvers = User.objects.filter(groups__name=Role.SECURITY_ADMIN, is_active=True).exclude(
        pk__in=[by.pk, target.pk]
    )
    send_notify(
        approvers,
        title=f"待审批：{request.summary}",
        body=f"{by.display_name} 提交了管理操作申请（{request.summary}），理由：{reason}。",
        url=_request_url(request),
    )
    return request


def _event_data(request):
    return {
        "request": request.pk,
        "kind": request.kind,
        "target": request.target.username,
        **({"role": request.role} if request.role else {}),
    }


def _request_url(request):
    return f"/admin/accounts/adminrequest/{request.pk}/change/"


@transaction.atomic
def admin_request_approve(*, by, request, reason=""):
    """Approve and apply (another security administrator). Returns the request, approved."""

    def check(locked):
        _check_applicable(locked.kind, locked.target, locked.role)

    locked, moved = transition(
        request,
        "approve",
        by=by,
        reason=reason,
        check=check,
        data=_event_data(request),
        decided_by=by,
        decided_at=timezone.now(),
        decision_reason=reason,
    )
    if moved:
        _apply(locked, by=by)
    return locked


@transaction.atomic
def admin_request_reject(*, by, request, reason):
    if not (reason or "").strip():
        raise ValidationFailed("请填写驳回理由。")
    locked, _moved = transition(
        request,
        "reject",
        by=by,
        reason=reason,
        data=_event_data(request),
        decided_by=by,
        decided_at=timezone.now(),
        decision_reason=reason,
    )
    _tell(locked, title=f"管理操作申请已驳回：{locked.summary}", body=f"驳回理由：{reason}")
    return locked


def admin_requests_expire(today=None):
    """Daily: a request nobody decided within ADMIN_REQUEST_VALID_DAYS lapses (the system)."""
    cutoff = timezone.now() - dt.timedelta(days=ADMIN_REQUEST_VALID_DAYS)
    for request in AdminRequest.objects.filter(status=AdminRequest.Status.PENDING, requested_at__lt=cutoff):
        transition(request, "expire", by=None, reason=f"超过 {ADMIN_REQUEST_VALID_DAYS} 日未审批，申请失效。")


def _apply(request, *, by):
    target = User.objects.select_for_update().get(pk=request.target_id)
    kind = request.kind
    data = _event_data(request)
    if kind == AdminRequest.Kind.GRANT_ROLE:
        target.groups.add(Group.objects.get(name=request.role))
        send_security_event(actions.ROLE_GRANT, by=by, obj=target, data=data)
        body = f"您的账号已被授予角色“{Role(request.role).label}”。"
    elif kind == AdminRequest.Kind.REVOKE_ROLE:
        target.groups.remove(Group.objects.get(name=request.role))
        send_security_event(actions.ROLE_REVOKE, by=by, obj=target, data=data)
        body = f"您的账号已被撤销角色“{Role(request.role).label}”。"
    elif kind == AdminRequest.Kind.RESET_PASSWORD:
        temporary = temporary_password()
        target.set_password(temporary)
        target.must_change_password = True
        target.save()
        send_security_event(actions.PASSWORD_RESET, by=by, obj=target, data=data)
        _deliver_temporary_password(target, temporary)
        body = "您的登录密码已被重置，临时密码已单独发送至您的电子邮箱；登录后须立即修改密码。"
    elif kind == AdminRequest.Kind.RESET_SECOND_FACTOR:
        second_factor.reset(target, by=by, data=data)
        body = "您的第二认证因素（认证器应用及恢复码）已被重置，下次登录时须重新绑定认证器应用。"
    else:  # REACTIVATE
        target.is_active = True
        target.last_login = timezone.now()  # the inactivity lock counts again from today
        target.save(update_fields=["is_active", "last_login"])
        send_security_event(actions.ACCOUNT_REACTIVATE, by=by, obj=target, data=data)
        body = "您的账号已重新启用。"
    _tell(request, title=f"管理操作已生效：{request.summary}", body=body)


def _tell(request, *, title, body):
    """The account's holder, their organisation's supervisors and the requester are told."""
    target = request.target
    people = {target.pk: target, request.requested_by_id: request.requested_by}
    role = ORG_SUPERVISOR_ROLE.get(target.org_kind) if target.organisation_id else None
    if role is not None:
        for user in User.objects.filter(organisation=target.organisation, groups__name=role, is_active=True):
            people.setdefault(user.pk, user)
    send_notify(people.values(), title=title, body=f"{body}（{request.summary}；申请编号 {request.pk}）")


def temporary_password(length=16):
    """A random password of all four character classes."""
    alphabet = string.ascii_letters + string.digits + "@#%+=!?"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.isupper() for c in candidate)
            and any(c.islower() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(not c.isalnum() for c in candidate)
        ):
            return candidate


def _deliver_temporary_password(user, temporary):
    """By e-mail to the holder only (never on a screen an administrator sees)."""
    if user.email:
        transaction.on_commit(
            lambda: send_mail(
                "云浮市知识产权质押融资风险补偿平台：临时密码",
                f"{user.display_name}：您的登录密码已按审批重置，临时密码为 {temporary} 。"
                "请尽快登录并修改密码。如非本人申请，请立即联系安全管理员。",
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
            )
        )


# --- passwords and inactive accounts --------------------------------------------------------------


def password_changed(user, *, by):
    """The holder changed their own password (the change page): the flag is cleared, audited."""
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    user.must_change_password = False
    send_security_event(actions.PASSWORD_CHANGE, by=by, obj=user)


def lock_inactive_accounts(today=None):
    """Daily: an account nobody used for ACCOUNT_INACTIVE_DAYS is locked (deactivated; a request
    reactivates it). Superusers (the deployment's break-glass account) are left to the deployment."""
    cutoff = timezone.now() - dt.timedelta(days=settings.ACCOUNT_INACTIVE_DAYS)
    stale = User.objects.filter(is_active=True, is_superuser=False).filter(
        Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    )
    for user in stale:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(is_active=False)
            send_security_event(
                actions.ACCOUNT_LOCK_INACTIVE,
                by=None,
                obj=user,
                reason=MSG_INACTIVE_LOCKED.format(days=settings.ACCOUNT_INACTIVE_DAYS),
                data={"last_login": user.last_login, "date_joined": user.date_joined},
            )
