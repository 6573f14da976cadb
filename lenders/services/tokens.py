"""The bank users' API keys (issue 11 item 6; the model and the DRF authentication in lenders.apikeys).

A key is issued to one bank user for one named integration, with an expiry (API_KEY_DEFAULT_DAYS from
today unless chosen, never beyond API_KEY_MAX_DAYS). The plain key is returned once by
`api_key_issue` and never stored: the database keeps its prefix and a SHA-256 digest. The holder
revokes a key with a reason; the keys of a user are revoked by the system when the user is
deactivated, changes roles or organisation, or changes or has reset their password
(lenders.apikeys.receivers). Issue and revocation are audited.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from lenders.apikeys import keys
from lenders.apikeys.actions import API_KEY_ISSUE, API_KEY_REVOKE
from lenders.apikeys.models import ApiKey
from yunfu_ipfund.accounts.models import User
from yunfu_ipfund.accounts.roles import PERM_BANK_COUNTERSIGN, PERM_BANK_PREPARE
from yunfu_ipfund.accounts.selectors import is_bank_user
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import Forbidden, ValidationFailed

MSG_BANK_USERS_ONLY = "只有合作银行用户可以使用银行接口。"
MSG_NAME_REQUIRED = "请填写密钥用途名称（例如“信贷系统对接”），便于日后识别和撤销。"
MSG_NAME_TOO_LONG = "密钥用途名称不能超过 {limit} 个字。"
MSG_NAME_TAKEN = "您已有一把有效的密钥名为“{name}”，请换一个用途名称，或先撤销原密钥。"
MSG_EXPIRY_PAST = "到期日期须晚于今天（{today}）。"
MSG_EXPIRY_TOO_FAR = "到期日期不能晚于 {latest}（自今天起最长 {days} 日）。"
MSG_TOO_MANY = "您已有 {count} 把有效的接口密钥，已达上限；请先撤销不再使用的密钥。"
MSG_REASON_REQUIRED = "请填写撤销原因。"
MAX_ACTIVE_KEYS = 10
NAME_LIMIT = 60

# Why the system revoked a user's keys, by what happened (the security events' codes, and groups).
REASON_ROLES = "持有人的角色发生变更"


def default_days():
    return int(getattr(settings, "API_KEY_DEFAULT_DAYS", 180))


def max_days():
    return int(getattr(settings, "API_KEY_MAX_DAYS", 365))


def default_expiry(today=None):
    return (today or local_today()) + dt.timedelta(days=default_days())


def _end_of(day):
    """A key valid until `day` works through that whole local day."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _check_may_hold(user):
    if not (
        is_bank_user(user) and (user.has_perm(PERM_BANK_PREPARE) or user.has_perm(PERM_BANK_COUNTERSIGN))
    ):
        raise Forbidden(MSG_BANK_USERS_ONLY, code="no_role")


def _clean_expiry(expires_on):
    today = local_today()
    if expires_on is None:
        return default_expiry(today)
    if expires_on <= today:
        raise ValidationFailed(MSG_EXPIRY_PAST.format(today=f"{today:%Y-%m-%d}"), code="expiry")
    latest = today + dt.timedelta(days=max_days())
    if expires_on > latest:
        raise ValidationFailed(
            MSG_EXPIRY_TOO_FAR.format(latest=f"{latest:%Y-%m-%d}", days=max_days()), code="expiry"
        )
    return expires_on


@transaction.atomic
def api_key_issue(*, by, name, expires_on=None):
    """Issue a key to `by` for the integration `name`. Returns (key, plain): the plain key is shown once
    and exists nowhere else."""
    _check_may_hold(by)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(MSG_NAME_REQUIRED, code="name")
    if len(name) > NAME_LIMIT:
        raise ValidationFailed(MSG_NAME_TOO_LONG.format(limit=NAME_LIMIT), code="name")
    expires_on = _clean_expiry(expires_on)
    User.objects.select_for_update().filter(pk=by.pk).first()  # one issue at a time per user
    now = timezone.now()
    live = ApiKey.objects.filter(user=by, revoked_at__isnull=True, expires_at__gt=now)
    if live.filter(name=name).exists():
        raise ValidationFailed(MSG_NAME_TAKEN.format(name=name), code="name")
    count = live.count()
    if count >= MAX_ACTIVE_KEYS:
        raise ValidationFailed(MSG_TOO_MANY.format(count=count), code="too_many")
    for _attempt in range(5):
        prefix, plain = keys.new_key()
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(
                    user=by,
                    organisation_id=by.organisation_id,
                    name=name,
                    prefix=prefix,
                    digest=keys.digest(plain),
                    created_at=now,
                    expires_at=_end_of(expires_on),
                )
            break
        except IntegrityError:  # the same random prefix twice: draw again
            continue
    else:  # pragma: no cover - 48 random bits five times in a row
        raise RuntimeError("could not draw a unique API key prefix")
    audit_record(
        by=by,
        action=API_KEY_ISSUE,
        obj=key,
        to_state=ApiKey.Status.ACTIVE,
        data={"name": name, "prefix": prefix, "expires_on": expires_on, "holder": by.username},
    )
    return key, plain


def _revoke(key, *, by, reason, now):
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=now, revoked_by=by, revoke_reason=reason[:200])
    key.revoked_at, key.revoked_by, key.revoke_reason = now, by, reason[:200]
    audit_record(
        by=by,
        action=API_KEY_REVOKE,
        obj=key,
        from_state=ApiKey.Status.ACTIVE,
        to_state=ApiKey.Status.REVOKED,
        reason=reason,
        data={"name": key.name, "prefix": key.prefix, "holder": key.user.username},
    )


@transaction.atomic
def api_key_revoke(*, by, key, reason):
    """The holder revokes one of their keys. A key already revoked stays as it was (a repeat is a no-op)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MSG_REASON_REQUIRED, code="reason")
    if key.user_id != by.pk:
        raise Forbidden("只能撤销本人的接口密钥。", code="not_holder")
    locked = ApiKey.objects.select_for_update().select_related("user").get(pk=key.pk)
    if locked.revoked_at is None:
        _revoke(locked, by=by, reason=reason, now=timezone.now())
    return locked


@transaction.atomic
def api_keys_revoke_for_user(user, *, by, reason):
    """Revoke every key of `user` that still works (the system's move when the holder's rights change).
    Returns how many were revoked."""
    now = timezone.now()
    live = list(
        ApiKey.objects.select_for_update()
        .select_related("user")
        .filter(user_id=user.pk, revoked_at__isnull=True, expires_at__gt=now)
    )
    for key in live:
        _revoke(key, by=by, reason=reason, now=now)
    return len(live)


def api_token_issue(*, by):
    """Compatibility for callers of the former token service (scripts, tests): a key with the default
    expiry, named by the day; the plain key is on `.key` of the returned object (only this once)."""
    key, plain = api_key_issue(by=by, name=f"接口令牌 {timezone.localtime():%Y-%m-%d %H:%M:%S.%f}")
    key.key = plain
    return key
