"""The bank API's permission class, failing closed: a view lists the permission each of its actions
needs; an action it does not list (a new route, a typo, an unexpected method) is refused."""

from rest_framework.permissions import BasePermission

from .selectors import is_bank_user


class ActionPermissions(BasePermission):
    """`view.action_permissions = {"list": (PERM_A, PERM_B), ...}`: the user must be an active user of a
    cooperating bank holding any one of the permissions listed for the current action. An action missing
    from the map, or mapped to nothing, is refused (403; 401 without credentials)."""

    def has_permission(self, request, view):
        user = request.user
        if not is_bank_user(user):
            return False
        perms = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if not perms:
            return False
        return any(user.has_perm(p) for p in perms)
