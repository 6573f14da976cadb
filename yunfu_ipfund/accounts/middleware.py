"""A session whose password must be changed (first login, after a reset, past PASSWORD_MAX_AGE_DAYS)
reaches only the password change page and logout until it is changed."""

from django.shortcuts import redirect
from django.urls import reverse

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
