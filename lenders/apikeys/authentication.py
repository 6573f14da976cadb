"""DRF authentication by API key: `Authorization: Token yfk_<prefix>.<secret>`.

A presented key that does not work answers 401 with the reason in Chinese (malformed, unknown,
revoked, expired, its holder deactivated, moved to another organisation, or their password changed
since the key was made). The holder's rights are read at every request (roles are groups), so a key
never carries more than the holder has now. The last use is stamped at most once a minute.
"""

import datetime as dt

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from yunfu_ipfund.common.errors import DomainError

from . import keys
from .models import ApiKey

KEYWORD = "Token"
LAST_USED_EVERY = dt.timedelta(minutes=1)

MSG_MALFORMED = "接口密钥格式不正确：请求头应为“Authorization: Token <接口密钥>”，密钥以 yfk_ 开头。"
MSG_UNKNOWN = "接口密钥无效：请核对密钥，或登录平台在“接口密钥”页面重新生成。"
MSG_REVOKED = "接口密钥“{name}”已于 {at} 撤销（{reason}），请登录平台重新生成。"
MSG_EXPIRED = "接口密钥“{name}”已于 {at} 到期，请登录平台重新生成。"
MSG_INACTIVE = "接口密钥“{name}”的持有人账号已停用，密钥不能使用。"
MSG_MOVED = "接口密钥“{name}”的持有人已不属于生成密钥时的机构，密钥不能使用，请重新生成。"
MSG_PASSWORD = "接口密钥“{name}”生成后持有人修改或重置了密码，密钥已失效，请重新生成。"


class ApiKeyRefused(DomainError, exceptions.AuthenticationFailed):
    """401 with its own Chinese message: a DomainError (the API's exception handler keeps the message
    and the code) that DRF also treats as a failed authentication (the request stays anonymous)."""

    status = 401
    status_code = 401
    code = "api_key_refused"
    holder = None  # the key's user when the key was recognised (revoked, expired, …): audit.api names them


def _local(at):
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"


def check(plain, *, now=None):
    """The key for `plain`, or ApiKeyRefused naming why it does not work."""
    now = now or timezone.now()
    prefix = keys.parse(plain)
    if prefix is None:
        raise ApiKeyRefused(MSG_MALFORMED, code="api_key_malformed")
    key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
    if key is None or not keys.matches(plain, key.digest):
        raise ApiKeyRefused(MSG_UNKNOWN, code="api_key_unknown")
    try:
        return _usable(key, now)
    except ApiKeyRefused as refused:
        refused.holder = key.user
        raise


def _usable(key, now):
    """The recognised key if it still works (and its last use stamped), else ApiKeyRefused."""
    user = key.user
    if key.revoked_at is not None:
        raise ApiKeyRefused(
            MSG_REVOKED.format(
                name=key.name, at=_local(key.revoked_at), reason=key.revoke_reason or "未说明原因"
            ),
            code="api_key_revoked",
        )
    if key.expires_at <= now:
        raise ApiKeyRefused(
            MSG_EXPIRED.format(name=key.name, at=_local(key.expires_at)), code="api_key_expired"
        )
    if not user.is_active:
        raise ApiKeyRefused(MSG_INACTIVE.format(name=key.name), code="api_key_user_inactive")
    if user.organisation_id != key.organisation_id:
        raise ApiKeyRefused(MSG_MOVED.format(name=key.name), code="api_key_user_moved")
    if user.password_changed_at is not None and user.password_changed_at > key.created_at:
        raise ApiKeyRefused(MSG_PASSWORD.format(name=key.name), code="api_key_password_changed")
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


class ApiKeyAuthentication(BaseAuthentication):
    """Replaces DRF's TokenAuthentication (plaintext, never expiring tokens)."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None  # not ours: the session, or anonymous
        if len(parts) != 2:
            raise ApiKeyRefused(MSG_MALFORMED, code="api_key_malformed")
        try:
            plain = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise ApiKeyRefused(MSG_MALFORMED, code="api_key_malformed") from None
        key = check(plain)
        return key.user, key

    def authenticate_header(self, request):
        return KEYWORD
