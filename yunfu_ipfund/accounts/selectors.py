"""Access helpers. Every read of a record goes through a `*_visible_to(user)` queryset or an
`access_*` function, so that a record outside the user's organisation answers 404 (never 403).

`scope_to_org(qs, user, *paths)`: government staff with read_all (bureau, finance) see everything;
everyone else sees rows whose organisation, reached through any of `paths`, is their own.
"""

from django.db.models import Q

from yunfu_ipfund.common.errors import MSG_NO_ROLE, Forbidden, NotFound

from .roles import PERM_READ_ALL, user_roles


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


def require_perm(user, perm):
    if not (user.is_authenticated and user.is_active and user.has_perm(perm)):
        raise Forbidden(MSG_NO_ROLE, code="no_role")


def users_with_role(organisation, role):
    from .models import User

    return User.objects.filter(organisation=organisation, groups__name=role, is_active=True)


def users_with_role_anywhere(role):
    from .models import User

    return User.objects.filter(groups__name=role, is_active=True)


def role_labels(user):
    from .roles import Role

    return [Role(r).label for r in sorted(user_roles(user)) if r in Role.values]
