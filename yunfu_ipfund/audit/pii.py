"""Showing personal data in full, on request and on the record (issue 11 item 8).

`pii_display(user, obj, attribute)` is what a page shows: the holder's own data in full, anyone else
the mask (common.pii). `pii_reveal(by=, obj=, attribute=)` gives the full value to a role that
accounts.pii_access allows for the field, and appends an audit event naming who saw whose which field;
anyone else is refused (403). Exports call `pii_display` too, so a CSV follows the page's rule.
"""

from yunfu_ipfund.accounts import pii_access
from yunfu_ipfund.common import pii
from yunfu_ipfund.common.errors import Forbidden

from .actions import audit_action
from .services import audit_record

PII_REVEAL = audit_action("pii.reveal", "查看完整个人信息")


def field_key(obj, attribute):
    return f"{obj._meta.model_name}.{attribute}"


def pii_display(user, obj, attribute):
    """The value as `user` sees it without asking: in full when it is their own, masked otherwise."""
    spec = pii_access.field(field_key(obj, attribute))
    value = getattr(obj, attribute, "") or ""
    if pii_access.is_own(user, obj):
        return value
    return pii.mask(spec.kind, value)


def pii_reveal(*, by, obj, attribute):
    """The full value, for a role allowed to see it; each call is an audit event."""
    key = field_key(obj, attribute)
    spec = pii_access.field(key)
    if not pii_access.may_reveal(by, key):
        raise Forbidden(pii_access.MSG_NOT_ALLOWED.format(label=spec.label), code="pii_not_allowed")
    value = getattr(obj, attribute, "") or ""
    audit_record(
        by=by,
        action=PII_REVEAL,
        obj=obj,
        reason=f"查看{spec.label}",
        data={"field": key, "label": spec.label, "subject": str(obj)[:200]},
    )
    return value
