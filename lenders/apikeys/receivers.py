"""A user's keys are revoked when their rights change (the services in lenders.services.tokens)."""

from lenders.services.tokens import REASON_ROLES, api_keys_revoke_for_user
from yunfu_ipfund.accounts import actions as accounts_actions
from yunfu_ipfund.accounts.models import User

# The security events after which a user's keys stop, with the reason written on each key.
REVOKING_EVENTS = {
    accounts_actions.ACCOUNT_DEACTIVATE.code: "持有人账号被停用",
    accounts_actions.ACCOUNT_LOCK_INACTIVE.code: "持有人账号长期未使用被锁定",
    accounts_actions.PASSWORD_CHANGE.code: "持有人修改了密码",
    accounts_actions.PASSWORD_RESET.code: "持有人的密码被重置",
    accounts_actions.ROLE_GRANT.code: "持有人被授予新角色",
    accounts_actions.ROLE_REVOKE.code: "持有人被撤销角色",
    accounts_actions.ORGANISATION_MOVE.code: "持有人变更了所属机构",
}


def on_security_event(sender, action, by, obj, **kwargs):
    reason = REVOKING_EVENTS.get(getattr(action, "code", action))
    if reason and isinstance(obj, User) and obj.pk:
        api_keys_revoke_for_user(obj, by=by, reason=reason)


def on_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Any write of User.groups (the approved requests, the admin site, a shell)."""
    if action == "post_clear" and not reverse:
        users = [instance]
    elif action in ("post_add", "post_remove") and pk_set:
        # group.user_set.add(...): the users are in pk_set; user.groups.add(...): the user is `instance`
        users = User.objects.filter(pk__in=pk_set) if reverse else [instance]
    else:
        return
    for user in users:
        api_keys_revoke_for_user(user, by=None, reason=REASON_ROLES)
