"""Public pages: what the fund is, the Measures in force, notice verification. No login needed."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.common.ratelimit import rate_limited
from yunfu_ipfund.notices.services import notice_verify
from yunfu_ipfund.policy.models import IPType, PolicyVersion
from yunfu_ipfund.policy.services import policy_in_force


def _policy_or_none():
    try:
        return policy_in_force(today())
    except DomainError:
        return None


def home(request):
    return render(request, "public/home.html", {"policy": _policy_or_none(), "ip_types": IPType})


def measures(request):
    return render(
        request,
        "public/measures.html",
        {
            "policy": _policy_or_none(),
            "versions": PolicyVersion.objects.order_by("-effective_from"),
            "ip_types": IPType,
        },
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    context = {"number": "", "code": "", "result": None, "checked": False}
    data = request.POST if request.method == "POST" else request.GET
    number, code = data.get("number", "")[:60], data.get("code", "")[:20]
    if number or code:
        context.update(number=number, code=code, checked=True)
        if rate_limited(request, "verify"):
            context["error"] = "查询过于频繁，请一小时后再试。"
            return render(request, "public/verify.html", context, status=429)
        context["result"] = notice_verify(number, code)
    return render(request, "public/verify.html", context)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def not_found(request, exception=None):
    return render(request, "error.html", {"error": {"message": "页面不存在，或您无权查看。"}}, status=404)


def server_error(request):
    return render(
        request,
        "error.html",
        {"error": {"message": "系统出现错误，已记录。请稍后再试或联系管理员。"}},
        status=500,
    )
