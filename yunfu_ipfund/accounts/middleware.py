"""A session whose password must be changed (first login, after a reset, past PASSWORD_MAX_AGE_DAYS)
reaches only the password change page and logout until it is changed; a staff session reaches nothing
else either until its second factor is verified (SecondFactorRequiredMiddleware)."""

import functools
from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp.middleware import OTPMiddleware

from yunfu_ipfund.common.api import error_body
from yunfu_ipfund.common.errors import Forbidden

from . import second_factor
from .passwords import password_change_due


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(("/static/", "/api/")):
            allowed = (
                reverse("accounts:password_change"),
                reverse("accounts:password_change_done"),
                reverse("accounts:logout"),
            )
            if request.path not in allowed and password_change_due(user):
                return redirect(f"{reverse('accounts:password_change')}?required=1")
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """A staff session (and an enrolled enterprise user's) without a verified second factor reaches only
    the enrolment, the code page, the password change and logout (accounts.second_factor): a page asked
    for with GET is sent to the code page (or the enrolment), anything else is refused with 403 (JSON
    under /api/ or when JSON is asked for). The bank API's token requests carry no session and are not
    concerned. After django-otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith("/static/")
            and request.path not in _second_factor_open_paths()
            and second_factor.pending(user)
        ):
            return _refuse(request, user)
        return self.get_response(request)


@functools.cache
def _second_factor_open_paths():
    return frozenset(
        reverse(name)
        for name in (
            "accounts:second_factor",
            "accounts:second_factor_enrol",
            "accounts:password_change",
            "accounts:password_change_done",
            "accounts:logout",
        )
    )


def _refuse(request, user):
    wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")
    if wants_json:
        return JsonResponse(error_body("second_factor_required", second_factor.MSG_REQUIRED), status=403)
    if request.method in ("GET", "HEAD"):
        name = "accounts:second_factor" if second_factor.is_enrolled(user) else "accounts:second_factor_enrol"
        return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
    error = Forbidden(second_factor.MSG_REQUIRED, code="second_factor_required")
    return render(request, "error.html", {"error": error}, status=403)


class VerifiedDeviceMiddleware(OTPMiddleware):
    """django-otp's OTPMiddleware (request.user.is_verified()), reading the session's device through the
    cache: a verified session costs no query per request. Any save or deletion of a device (a code
    accepted, a reset, the admin site) drops its cached copy (`forget_device`, on post_save and
    post_delete), so a session verified by a removed device is no longer verified on its next request."""

    def _device_from_persistent_id(self, persistent_id):
        device = second_factor.cached_device(self._normalize_persistent_id(persistent_id))
        if device is None:
            device = super()._device_from_persistent_id(persistent_id)
            if device is not None:
                second_factor.remember_device(device)
        return device
