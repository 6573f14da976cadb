"""A second factor for every staff role (等保 2.0 §8.1.4.1 d; docs/security.md): TOTP with django-otp, and
one-time recovery codes kept as keyed hashes (models.RecoveryCodeDevice).

Staff are the users of a bank, the bureau and the finance bureau, and the three administrators: for them a
session is verified by a code after the password, and a staff session without a verified second factor
reaches only the enrolment, the code page, the password change and logout
(middleware.SecondFactorRequiredMiddleware). An enterprise user may opt in; once enrolled, their sessions
need the code too. The bank API (token authentication) is not concerned.

Flow: password (LoginView) → enrolment at the first login (the secret, grouped, and its QR code; a code
confirms it; ten recovery codes shown once) or the code page → the session is verified (django_otp.login).
Every failure, success, enrolment, recovery-code use, lockout and reset is in the audit chain. After
AXES_FAILURE_LIMIT wrong codes in a row the second factor is locked for AXES_COOLOFF_MINUTES, as the password
lockout is; a reset is an administrative request another security administrator approves (services).
"""

import base64
import datetime as dt
import secrets
import time
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yunfu_ipfund.common.errors import Forbidden, ValidationFailed

from . import actions
from .models import Organisation, RecoveryCode, RecoveryCodeDevice, User, recovery_code_digest
from .roles import ADMIN_ROLES, user_roles
from .signals import send_security_event

ISSUER = "云浮市知识产权质押融资风险补偿平台"
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper
RECOVERY_CODE_LENGTH = 10  # 50 bits
TOTP_DEVICE_NAME = "认证器应用"
RECOVERY_DEVICE_NAME = "恢复码"

MSG_REQUIRED = "为保障账号安全，工作人员登录须完成第二认证因素（动态验证码）验证后，才能办理业务。"
MSG_WRONG_CODE = (
    "动态验证码不正确或已失效，请输入认证器应用当前显示的 6 位数字，或一个未使用过的恢复码"
    "（还可尝试 {left} 次）。"
)
MSG_ENROL_WRONG_CODE = (
    "验证码不正确，请用认证器应用扫描二维码（或手工输入密钥）后，输入其当前显示的 6 位数字。"
)
MSG_CODE_REQUIRED = "请输入动态验证码。"
MSG_LOCKED = (
    "动态验证码连续错误 {limit} 次，为保护账号安全，第二认证因素已锁定至 {until}，请届时再试；"
    "如认证器应用丢失，请联系安全管理员申请重置第二认证因素。"
)
MSG_NOT_ENROLLED = "{user} 尚未启用第二认证因素，无须重置。"
MSG_RESET_BY_SECURITY_ADMIN = "重置第二认证因素须由安全管理员提出申请，并经另一名安全管理员批准。"


class SecondFactorLocked(Forbidden):
    code = "second_factor_locked"


# --- who needs it, and the session --------------------------------------------------------------------


def is_staff_account(user):
    """Bank, bureau and finance users, administrators, and anyone outside an enterprise (fail closed)."""
    if user.is_staff or user.is_superuser or user_roles(user) & ADMIN_ROLES:
        return True
    return not (user.organisation_id and user.organisation.kind == Organisation.Kind.ENTERPRISE)


def totp_device(user):
    """The user's confirmed authenticator, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def session_verified(user):
    """The session's second factor is verified (django-otp's OTPMiddleware: request.user.is_verified)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def required(user):
    """This signed-in user must verify a second factor: staff always, an enterprise user once enrolled."""
    return user.is_authenticated and (is_staff_account(user) or is_enrolled(user))


def pending(user):
    """A signed-in session that still owes its second factor."""
    return bool(user and user.is_authenticated and not session_verified(user) and required(user))


# --- enrolment ----------------------------------------------------------------------------------------


def enrolment_device(user):
    """The authenticator being enrolled (unconfirmed; the same secret until it is confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def secret_base32(device):
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def secret_grouped(device):
    secret = secret_base32(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_uri(device):
    label = quote(f"{ISSUER}:{device.user.get_username()}")
    query = urlencode(
        {
            "secret": secret_base32(device),
            "issuer": ISSUER,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def qr_svg(device):
    """The otpauth:// URI as an inline SVG QR code (segno)."""
    return segno.make(otpauth_uri(device), error="m").svg_inline(
        scale=5, border=2, title="绑定认证器应用的二维码"
    )


def current_code(device):
    """The code the authenticator shows now (the demo banner, DEMO_SHOW_TOTP; tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


@transaction.atomic
def enrol_confirm(*, user, device, token):
    """Confirm the authenticator with a code it shows; returns the ten recovery codes (shown once)."""
    token = (token or "").strip().replace(" ", "")
    locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
    if locked is None or not token.isdigit() or not locked.verify_token(token):
        send_security_event(actions.SECOND_FACTOR_FAILED, by=user, obj=user, data={"stage": "enrol"})
        return None
    locked.confirmed = True
    locked.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
    codes = _issue_recovery_codes(user)
    send_security_event(
        actions.SECOND_FACTOR_ENROL,
        by=user,
        obj=user,
        data={"device": locked.persistent_id, "recovery_codes": len(codes)},
    )
    return locked, codes


@transaction.atomic
def recovery_codes_reissue(*, user):
    """New recovery codes for an enrolled user in a verified session (the earlier ones stop working)."""
    if not is_enrolled(user):
        raise ValidationFailed(MSG_NOT_ENROLLED.format(user=user))
    codes = _issue_recovery_codes(user)
    send_security_event(
        actions.RECOVERY_CODES_REISSUE, by=user, obj=user, data={"recovery_codes": len(codes)}
    )
    return codes


def _issue_recovery_codes(user):
    device, _ = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
    )
    device.codes.all().delete()
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=recovery_code_digest(user.pk, c)) for c in codes
    )
    return [f"{c[:5]}-{c[5:]}" for c in codes]


# --- the code page ------------------------------------------------------------------------------------


def _normalised(token):
    return "".join(ch for ch in (token or "").upper() if ch.isalnum())


def lock_message(user):
    until = timezone.localtime(user.otp_locked_until)
    return MSG_LOCKED.format(limit=settings.AXES_FAILURE_LIMIT, until=f"{until:%Y-%m-%d %H:%M}")


def locked_now(user):
    return bool(user.otp_locked_until and user.otp_locked_until > timezone.now())


def verify(*, user, token):
    """Check a code (the authenticator's or a recovery code). Returns the device that accepted it;
    refuses with ValidationFailed (wrong code, the attempts left) or SecondFactorLocked."""
    device, error = _verify(user=user, token=_normalised(token))
    if error is not None:
        raise error
    return device


@transaction.atomic
def _verify(*, user, token):
    """The attempt and its audit are committed whatever the outcome: the refusal is returned, not raised."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked_now(locked):
        return None, SecondFactorLocked(lock_message(locked))
    if not token:
        return None, ValidationFailed(MSG_CODE_REQUIRED, code="code_required")
    device = None
    if token.isdigit():
        totp = TOTPDevice.objects.select_for_update().filter(user=locked, confirmed=True).first()
        device = totp if totp is not None and totp.verify_token(token) else None
    else:
        recovery = RecoveryCodeDevice.objects.filter(user=locked, confirmed=True).first()
        device = recovery if recovery is not None and recovery.verify_token(token) else None
    if device is not None:
        User.objects.filter(pk=locked.pk).update(otp_failures=0, otp_locked_until=None)
        if isinstance(device, RecoveryCodeDevice):
            left = device.codes_left()
            send_security_event(actions.RECOVERY_CODE_USED, by=locked, obj=locked, data={"codes_left": left})
        else:
            send_security_event(actions.SECOND_FACTOR_VERIFY, by=locked, obj=locked)
        return device, None
    failures = locked.otp_failures + 1
    limit = settings.AXES_FAILURE_LIMIT
    send_security_event(
        actions.SECOND_FACTOR_FAILED, by=locked, obj=locked, data={"stage": "verify", "failures": failures}
    )
    if failures < limit:
        User.objects.filter(pk=locked.pk).update(otp_failures=failures)
        return None, ValidationFailed(MSG_WRONG_CODE.format(left=limit - failures), code="wrong_code")
    locked.otp_failures = 0
    locked.otp_locked_until = timezone.now() + dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    locked.save(update_fields=["otp_failures", "otp_locked_until"])
    send_security_event(
        actions.SECOND_FACTOR_LOCKED,
        by=locked,
        obj=locked,
        data={"failures": failures, "until": locked.otp_locked_until.isoformat()},
    )
    return None, SecondFactorLocked(lock_message(locked))


def login(request, device):
    """Mark the session verified by `device` (django-otp)."""
    otp_login(request, device)
    remember_device(device)


# A verified session's device is read through the cache (middleware.VerifiedDeviceMiddleware): any save or
# deletion of a device drops its copy (`forget_device`, connected in AccountsConfig.ready).


def _device_cache_key(persistent_id):
    return f"accounts.otp-device:{persistent_id}"


def cached_device(persistent_id):
    return cache.get(_device_cache_key(persistent_id))


def remember_device(device):
    cache.set(_device_cache_key(device.persistent_id), device, timeout=settings.SESSION_COOKIE_AGE)


def forget_device(sender, instance, **kwargs):
    cache.delete(_device_cache_key(instance.persistent_id))


# --- reset (an administrative request approved by a second security administrator: services) ----------


def check_resettable(target):
    if not (is_enrolled(target) or RecoveryCodeDevice.objects.filter(user=target).exists()):
        raise ValidationFailed(MSG_NOT_ENROLLED.format(user=target))


def reset(target, *, by, data=None):
    """Remove the holder's authenticator and recovery codes and clear the lockout: they enrol again at
    their next login (any session verified by the removed devices is no longer verified). In the
    caller's transaction."""
    TOTPDevice.objects.filter(user=target).delete()
    RecoveryCodeDevice.objects.filter(user=target).delete()
    User.objects.filter(pk=target.pk).update(otp_failures=0, otp_locked_until=None)
    send_security_event(actions.SECOND_FACTOR_RESET, by=by, obj=target, data=data)
