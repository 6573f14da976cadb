"""Roles are groups with named permissions. The constants here are the only spelling of either."""

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


class Role(TextChoices):
    ENTERPRISE_USER = "enterprise_user", "企业用户"
    BANK_OFFICER = "bank_officer", "银行经办"
    BANK_SUPERVISOR = "bank_supervisor", "银行复核"
    BUREAU_CLERK = "bureau_clerk", "市监局经办"
    BUREAU_APPROVER = "bureau_approver", "市监局审核"
    FINANCE = "finance", "财政局"
    ADMINISTRATOR = "administrator", "系统管理员"


# What the administrator needs in the admin site: users, organisations, policy versions, LPR, the
# holiday table (DOMAIN.md), read-only notices, reminders and audit events, and unlocking logins.
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
    "audit.view_auditevent",
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
]

ROLE_PERMISSIONS = {
    Role.ENTERPRISE_USER: [PERM_ENTERPRISE],
    Role.BANK_OFFICER: [PERM_BANK_PREPARE],
    Role.BANK_SUPERVISOR: [PERM_BANK_COUNTERSIGN],
    Role.BUREAU_CLERK: [PERM_BUREAU_REVIEW, PERM_READ_ALL],
    Role.BUREAU_APPROVER: [PERM_BUREAU_APPROVE, PERM_READ_ALL],
    Role.FINANCE: [PERM_FINANCE, PERM_READ_ALL],
    Role.ADMINISTRATOR: [PERM_ADMINISTER, *ADMIN_SITE_PERMISSIONS],
}

# Which roles a user of each organisation kind may hold.
ROLES_BY_ORG_KIND = {
    "enterprise": {Role.ENTERPRISE_USER},
    "bank": {Role.BANK_OFFICER, Role.BANK_SUPERVISOR},
    "bureau": {Role.BUREAU_CLERK, Role.BUREAU_APPROVER, Role.ADMINISTRATOR},
    "finance": {Role.FINANCE},
    None: {Role.ADMINISTRATOR},
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
