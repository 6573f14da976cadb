"""Access helpers. Every read of a record goes through a `*_visible_to(user)` queryset or an
`access_*` function, so that a record outside the user's organisation answers 404 (never 403).

`scope_to_org(qs, user, *paths)`: government staff with read_all (bureau, finance) see everything;
everyone else sees rows whose organisation, reached through any of `paths`, is their own.

`is_bank_user(user)` and its siblings are the one spelling of "a signed-in user of a bank (an
enterprise, the bureau, the finance bureau)"; `require_perm(user, *perms)` refuses (403) anyone who
holds none of `perms`.
"""

from django.db.models import Q

from yunfu_ipfund.common.errors import MSG_NO_ROLE, Forbidden, NotFound

from .models import Organisation, User
from .roles import PERM_READ_ALL, Role, user_roles


def _active(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _of_kind(user, kind):
    return _active(user) and bool(user.organisation_id) and user.organisation.kind == kind


def is_bank_user(user):
    """A signed-in, active user of a cooperating bank (whatever their role there)."""
    return _of_kind(user, Organisation.Kind.BANK)


def is_enterprise_user(user):
    return _of_kind(user, Organisation.Kind.ENTERPRISE)


def is_bureau_user(user):
    """A user of the market regulation bureau (clerks, approvers, and administrators who belong to it)."""
    return _of_kind(user, Organisation.Kind.BUREAU)


def is_finance_user(user):
    return _of_kind(user, Organisation.Kind.FINANCE)


def sees_everything(user):
    return user.is_authenticated and user.is_active and user.has_perm(PERM_READ_ALL)


def scope_to_org(queryset, user, *paths):
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if sees_everything(user):
        return queryset
    if not user.organisation_id:
        return queryset.none()
    condition = Q()
    for path in paths:
        condition |= Q(**{path: user.organisation_id})
    return queryset.filter(condition).distinct() if len(paths) > 1 else queryset.filter(condition)


def access(queryset, pk, *, user=None, perm=None):
    """Fetch one row of an already scoped queryset, or NotFound. With `perm`, the user must also hold it."""
    try:
        obj = queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if perm is not None and not user.has_perm(perm):
        raise Forbidden(MSG_NO_ROLE, code="no_role")
    return obj


def require_perm(user, *perms):
    """Refuse (Forbidden, MSG_NO_ROLE) unless `user` is signed in, active and holds one of `perms`.
    No user (None: the system) is refused too: a caller that lets the system act says so itself."""
    if not perms:
        raise TypeError("require_perm needs at least one permission")
    if not (_active(user) and any(user.has_perm(perm) for perm in perms)):
        raise Forbidden(MSG_NO_ROLE, code="no_role")


def users_with_role(organisation, role):
    return User.objects.filter(organisation=organisation, groups__name=role, is_active=True)


def users_with_role_anywhere(role):
    return User.objects.filter(groups__name=role, is_active=True)


def role_labels(user):
    return [Role(r).label for r in sorted(user_roles(user)) if r in Role.values]
