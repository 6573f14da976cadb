"""Who sees which personal data in full (issue 11 item 8). One table, read by the template tag
(`{% pii %}`, audit.templatetags.pii), the reveal service (audit.pii) and the exports.

Everyone sees personal data masked (common.pii). The roles listed for a field may ask to see it in
full ("显示完整信息"), and each such view is recorded in the audit log (who saw whose which field).
The person the data is about sees their own data in full, unrecorded.

Per field, from DOMAIN.md's roles:
- an objector's contact (a mobile or an e-mail, on the claim's objections): the bureau clerk, who
  rules on the objection and answers the objector. Not the approver (who decides on the clerk's
  ruling), not finance (supervises money, never contacts objectors), never a bank (objections are not
  shown to banks at all), not the administrators.
- an account's mobile and e-mail (user lists, requests about accounts): the system administrator, who
  keeps the accounts, and the security administrator, who resets passwords and second factors (the
  temporary password goes to the e-mail). The holder themself.
- the legal representative's identity number and mobile (enterprise profile and registrations, when
  the enterprise records them): the bureau clerk and approver, who check the legal representative's
  credit record (Art 7); the enterprise's own users. Not banks, not finance.
"""

from dataclasses import dataclass

from .roles import Role


@dataclass(frozen=True)
class PiiField:
    key: str  # "<model>.<attribute>", e.g. "objection.contact"
    label: str  # what is shown, in Chinese
    kind: str  # a mask of common.pii.MASKS
    reveal_roles: frozenset  # roles that may see it in full on request (audited)


FIELDS = {
    f.key: f
    for f in (
        PiiField("objection.contact", "异议人联系方式", "contact", frozenset({Role.BUREAU_CLERK})),
        PiiField("user.email", "电子邮箱", "email", frozenset({Role.ADMINISTRATOR, Role.SECURITY_ADMIN})),
        PiiField("user.phone", "联系电话", "mobile", frozenset({Role.ADMINISTRATOR, Role.SECURITY_ADMIN})),
        PiiField(
            "enterpriseprofile.legal_representative_id_number",
            "法定代表人身份证件号码",
            "id_number",
            frozenset({Role.BUREAU_CLERK, Role.BUREAU_APPROVER}),
        ),
        PiiField(
            "enterpriseprofile.legal_representative_mobile",
            "法定代表人手机号码",
            "mobile",
            frozenset({Role.BUREAU_CLERK, Role.BUREAU_APPROVER}),
        ),
    )
}

MSG_UNKNOWN_FIELD = "未登记的个人信息字段：{key}。"
MSG_NOT_ALLOWED = "您的角色无权查看完整的{label}。"


def field(key):
    try:
        return FIELDS[key]
    except KeyError:
        raise LookupError(MSG_UNKNOWN_FIELD.format(key=key)) from None


def _roles(user):
    cached = getattr(user, "_pii_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._pii_roles = cached
    return cached


def _active(user):
    return bool(user and getattr(user, "is_authenticated", False) and user.is_active)


def may_reveal(user, key):
    """May `user` ask to see field `key` in full (each view audited)?"""
    return _active(user) and bool(_roles(user) & field(key).reveal_roles)


def is_own(user, obj):
    """The data is about `user` themself: their own account, or their own enterprise's profile."""
    if not _active(user) or obj is None:
        return False
    if obj._meta.label_lower == user._meta.label_lower:
        return obj.pk == user.pk
    organisation_id = getattr(obj, "organisation_id", None)
    return (
        obj._meta.model_name == "enterpriseprofile"
        and organisation_id is not None
        and organisation_id == user.organisation_id
    )
