"""大字版/长者模式 (issue 14 item 6; the MIIT's 适老化 rules for government sites): larger type, bigger
buttons and higher contrast on every page, switched from the header. A signed-in user keeps it on their
account (User.large_type: it follows them to the next login and to another device); an anonymous visitor
keeps it in a cookie. templates/base.html reads it ({% large_type_on as large_type %}, the accounts_display
tags) and puts class="large-type" on <html>."""

from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

COOKIE = "large_type"
COOKIE_MAX_AGE = 365 * 24 * 3600


def large_type_on(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(user.large_type)
    return request.COOKIES.get(COOKIE) == "1"


@require_POST
def large_type(request):
    """POST on=1 switches the large type on, on=0 off (CSRF-protected, as every POST); back to `next`."""
    on = request.POST.get("on")
    if on not in ("0", "1"):
        return HttpResponseBadRequest(
            "参数“on”须为 1（开启大字版）或 0（关闭大字版）。".encode(),
            content_type="text/plain; charset=utf-8",
        )
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("public:home")
    response = HttpResponseRedirect(target)
    if request.user.is_authenticated:
        request.user.large_type = on == "1"
        request.user.save(update_fields=["large_type"])
    elif on == "1":
        response.set_cookie(
            COOKIE, "1", max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True, secure=request.is_secure()
        )
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
