"""What the enterprise side's services share: who may act for an enterprise, and checks of typed
figures."""

from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import PERM_ENTERPRISE
from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.common.errors import DomainError, NotFound, ValidationFailed

MSG_NOT_ENTERPRISE = "该机构不是企业。"
MSG_BAD_CHOICE = "“{label}”的取值“{value}”无效。"
MSG_BAD_INT = "“{label}”应为不小于 {minimum} 的整数。"

MAX_COUNT = 10**9


def require_enterprise_actor(by, enterprise):
    """The actor is an enterprise user of `enterprise` (another enterprise's record is 404)."""
    if not (by.is_authenticated and by.is_active and by.organisation_id == enterprise.pk):
        raise NotFound()
    require_perm(by, PERM_ENTERPRISE)
    if enterprise.kind != Organisation.Kind.ENTERPRISE:
        raise DomainError(MSG_NOT_ENTERPRISE)


def whole_number(value, label, *, minimum=0):
    """A typed whole number within range (forms parse the text; a bool or a string is refused here)."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_COUNT:
        raise ValidationFailed(MSG_BAD_INT.format(label=label, minimum=minimum), code="bad_int")
    return value


def choice(value, choices, label):
    if value not in choices.values:
        raise ValidationFailed(MSG_BAD_CHOICE.format(label=label, value=value), code="bad_choice")
    return choices(value)
