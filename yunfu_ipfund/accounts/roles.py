"""Roles are groups with named permissions. The constants here are the only spelling of either.

三员分立 (docs/security.md): three administrative roles, each unable to do the others' work, and none of
them held together with a business role (`role_conflict`):
- the system administrator (users and organisations, policy versions, the LPR and holiday tables; never
  roles, passwords or money);
- the security administrator (files and approves role grants, password resets and reactivations, and
  clears login lockouts; a second security administrator approves what one files);
- the audit administrator (reads, verifies and exports the audit trail; changes nothing).
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import TextChoices

PERM_ENTERPRISE = "accounts.act_for_enterprise"
PERM_BANK_PREPARE = "accounts.bank_prepare"
PERM_BANK_COUNTERSIGN = "accounts.bank_countersign"
PERM_BUREAU_REVIEW = "accounts.bureau_review"
PERM_BUREAU_APPROVE = "accounts.bureau_approve"
PERM_FINANCE = "accounts.finance_confirm"
PERM_READ_ALL = "accounts.read_all"
PERM_ADMINISTER = "accounts.administer"
PERM_SECURITY = "accounts.administer_security"
PERM_AUDIT = "accounts.audit_read"


class Role(TextChoices):
    ENTERPRISE_USER = "enterprise_user", "企业用户"
    BANK_OFFICER = "bank_officer", "银行经办"
    BANK_SUPERVISOR = "bank_supervisor", "银行复核"
    BUREAU_CLERK = "bureau_clerk", "市监局经办"
    BUREAU_APPROVER = "bureau_approver", "市监局审核"
    FINANCE = "finance", "财政局"
    ADMINISTRATOR = "administrator", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


ADMIN_ROLES = frozenset({Role.ADMINISTRATOR, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
BUSINESS_ROLES = frozenset(set(Role) - ADMIN_ROLES)

MSG_ADMIN_AND_BUSINESS = "三员分立：管理员角色（{admin}）不能与业务角色（{business}）由同一账号兼任。"
MSG_TWO_ADMIN_ROLES = "三员分立：系统管理员、安全管理员、审计管理员须由不同人员担任（{roles}）。"
MSG_BOTH_BANK_ROLES = "银行经办与银行复核须由不同人员担任（四眼原则），同一账号不能兼任。"
MSG_ROLE_NOT_FOR_ORG = "角色“{role}”不适用于{org}的用户。"


def _labels(roles):
    return "、".join(Role(r).label for r in sorted(roles))


def role_conflict(roles):
    """Why one account may not hold all of `roles` together (a Chinese message), or None."""
    roles = {r for r in roles if r in Role.values}
    admin = roles & ADMIN_ROLES
    business = roles & BUSINESS_ROLES
    if admin and business:
        return MSG_ADMIN_AND_BUSINESS.format(admin=_labels(admin), business=_labels(business))
    if len(admin) > 1:
        return MSG_TWO_ADMIN_ROLES.format(roles=_labels(admin))
    if {Role.BANK_OFFICER, Role.BANK_SUPERVISOR} <= roles:
        return MSG_BOTH_BANK_ROLES
    return None


# What the system administrator needs in the admin site: users (groups and passwords read-only: they
# are changed through administrative requests), organisations, policy versions, LPR, the holiday table
# (DOMAIN.md), read-only notices and reminders. Audit events are the audit administrator's, lockouts
# the security administrator's.
ADMIN_SITE_PERMISSIONS = [
    "accounts.view_user",
    "accounts.add_user",
    "accounts.change_user",
    "accounts.view_organisation",
    "accounts.add_organisation",
    "accounts.change_organisation",
    "policy.view_policyversion",
    "policy.add_policyversion",
    "policy.change_policyversion",
    "policy.view_lprrate",
    "policy.add_lprrate",
    "policy.change_lprrate",
    "policy.view_holidayyear",
    "policy.add_holidayyear",
    "policy.change_holidayyear",
    "policy.delete_holidayyear",
    "policy.view_holidayday",
    "policy.add_holidayday",
    "policy.change_holidayday",
    "policy.delete_holidayday",
    "policy.view_iptypeentry",
    "policy.add_iptypeentry",
    "policy.change_iptypeentry",
    "notices.view_notice",
    "notices.view_reminder",
    "accounts.view_adminrequest",
    "accounts.add_adminrequest",
]
SECURITY_SITE_PERMISSIONS = [
    "accounts.view_user",
    "accounts.view_organisation",
    "accounts.view_adminrequest",
    "accounts.add_adminrequest",
    "accounts.change_adminrequest",
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    "axes.view_accessfailurelog",
]
AUDIT_SITE_PERMISSIONS = [
    "audit.view_auditevent",
    "accounts.view_user",
    "accounts.view_organisation",
    "accounts.view_adminrequest",
    "axes.view_accessattempt",
    "axes.view_accessfailurelog",
]

ROLE_PERMISSIONS = {
    Role.ENTERPRISE_USER: [PERM_ENTERPRISE],
    Role.BANK_OFFICER: [PERM_BANK_PREPARE],
    Role.BANK_SUPERVISOR: [PERM_BANK_COUNTERSIGN],
    Role.BUREAU_CLERK: [PERM_BUREAU_REVIEW, PERM_READ_ALL],
    Role.BUREAU_APPROVER: [PERM_BUREAU_APPROVE, PERM_READ_ALL],
    Role.FINANCE: [PERM_FINANCE, PERM_READ_ALL],
    Role.ADMINISTRATOR: [PERM_ADMINISTER, *ADMIN_SITE_PERMISSIONS],
    Role.SECURITY_ADMIN: [PERM_SECURITY, *SECURITY_SITE_PERMISSIONS],
    Role.AUDIT_ADMIN: [PERM_AUDIT, *AUDIT_SITE_PERMISSIONS],
}

# Which roles a user of each organisation kind may hold.
ROLES_BY_ORG_KIND = {
    "enterprise": {Role.ENTERPRISE_USER},
    "bank": {Role.BANK_OFFICER, Role.BANK_SUPERVISOR},
    "bureau": {Role.BUREAU_CLERK, Role.BUREAU_APPROVER, *ADMIN_ROLES},
    "finance": {Role.FINANCE},
    None: set(ADMIN_ROLES),
}

# Who is escalated to when an obligation of a role is overdue.
SUPERVISOR_OF = {
    Role.ENTERPRISE_USER: Role.ENTERPRISE_USER,
    Role.BANK_OFFICER: Role.BANK_SUPERVISOR,
    Role.BANK_SUPERVISOR: Role.BANK_SUPERVISOR,
    Role.BUREAU_CLERK: Role.BUREAU_APPROVER,
    Role.BUREAU_APPROVER: Role.BUREAU_APPROVER,
    Role.FINANCE: Role.FINANCE,
    Role.ADMINISTRATOR: Role.ADMINISTRATOR,
    Role.SECURITY_ADMIN: Role.SECURITY_ADMIN,
    Role.AUDIT_ADMIN: Role.AUDIT_ADMIN,
}
# Who hears of a change to an account of each organisation kind, besides its holder (AdminRequest).
ORG_SUPERVISOR_ROLE = {
    "bank": Role.BANK_SUPERVISOR,
    "bureau": Role.BUREAU_APPROVER,
    "finance": Role.FINANCE,
    "enterprise": Role.ENTERPRISE_USER,
}


def ensure_role_groups(**kwargs):
    """Create or refresh the role groups and their permissions (post_migrate of every app; idempotent).

    Runs after each app's post_migrate, because the permissions of apps migrated after `accounts`
    only exist from their own post_migrate on."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted += list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def user_roles(user):
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_cache = cached
    return cached


def has_role(user, role):
    return role in user_roles(user)
