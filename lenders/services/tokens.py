"""The bank users' API tokens."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from yunfu_ipfund.accounts.roles import PERM_BANK_COUNTERSIGN, PERM_BANK_PREPARE
from yunfu_ipfund.accounts.selectors import is_bank_user
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.errors import Forbidden

from .. import actions

MSG_BANK_USERS_ONLY = "只有合作银行用户可以使用银行接口。"


@transaction.atomic
def api_token_issue(*, by):
    """Issue (or replace) the API token of a bank user; the old token stops working at once."""
    if not (is_bank_user(by) and (by.has_perm(PERM_BANK_PREPARE) or by.has_perm(PERM_BANK_COUNTERSIGN))):
        raise Forbidden(MSG_BANK_USERS_ONLY, code="no_role")
    Token.objects.filter(user=by).delete()
    token = Token.objects.create(user=by)
    audit_record(by=by, action=actions.API_TOKEN_ISSUE, obj=by, data={"prefix": token.key[:6]})
    return token
