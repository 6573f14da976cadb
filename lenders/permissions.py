"""API permission that fails closed: a view lists the permission each of its actions needs; an action
it does not list (a new route, a typo, an unexpected method) is refused."""

from rest_framework.permissions import BasePermission

from yunfu_ipfund.accounts.models import Organisation


class ActionPermissions(BasePermission):
    """`view.action_permissions = {"list": (PERM_A, PERM_B), ...}`: the user must be a bank user holding
    any one of the listed permissions for the current action."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active and user.organisation_id):
            return False
        if user.organisation.kind != Organisation.Kind.BANK:
            return False
        action = getattr(view, "action", None)
        perms = getattr(view, "action_permissions", {}).get(action)
        if not perms:
            return False
        return any(user.has_perm(p) for p in perms)
