"""Public pages: what the fund is, the Measures in force, notice verification. No login needed."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.common.ratelimit import rate_limited
from yunfu_ipfund.notices import signing
from yunfu_ipfund.notices.pdf import sha256_hex
from yunfu_ipfund.notices.services import notice_verify
from yunfu_ipfund.policy.models import PolicyVersion
from yunfu_ipfund.policy.services import policy_in_force


def _policy_or_none():
    try:
        return policy_in_force(today())
    except DomainError:
        return None


def home(request):
    policy = _policy_or_none()
    # Art 2: the IP types of the version in force, from the IP type table (never a literal).
    ip_types = policy.ip_types() if policy else []
    return render(request, "public/home.html", {"policy": policy, "ip_types": ip_types})


def measures(request):
    return render(
        request,
        "public/measures.html",
        {
            "policy": _policy_or_none(),
            "versions": PolicyVersion.objects.order_by("-effective_from"),
        },
    )


VERIFY_MAX_BYTES = 10 * 1024 * 1024
VERIFY_PDF_TYPES = ("application/pdf", "application/x-pdf", "application/octet-stream")
MSG_RATE = "查询过于频繁，请一小时后再试。"
MSG_NO_FILE = "请选择要核验的 PDF 文件。"
MSG_FILE_TOO_BIG = "文件过大：核验的文件不能超过 10 MB。"
MSG_FILE_NOT_PDF = "只能核验 PDF 文件（按文件内容判断），上传的文件不是 PDF。"
MSG_IDENTICAL = "与签发的文件一致：该文件与本平台签发的原件逐字节相同。"
MSG_NOT_IDENTICAL = "与签发的文件不一致：本平台签发的文书中没有与该文件逐字节相同的文件，它可能被改动过。"
MSG_STORED_INTACT = "存档文件完整：本平台保存的原件与签发时登记的 SHA-256 一致。"
MSG_STORED_CHANGED = (
    "存档文件异常：本平台保存的原件与签发时登记的 SHA-256 不一致，请联系云浮市市场监督管理局。"
)
MSG_STORED_PENDING = "文件正在生成，暂不能核验电子签章，请稍后再试。"


def _stored_file_check(notice):
    """The number-and-code half: the stored file re-hashed against the SHA-256 recorded at issue, and
    its signature checked as an upload is (valid? signer? signing time, the timestamp's when B-T)."""
    if not notice.sha256 or not notice.pdf:
        return {"stored_message": MSG_STORED_PENDING, "stored_intact": False, "stored_signature": None}
    try:
        with notice.pdf.open("rb") as handle:
            data = handle.read()
    except OSError:
        data = b""
    intact = sha256_hex(data) == notice.sha256
    return {
        "stored_message": MSG_STORED_INTACT if intact else MSG_STORED_CHANGED,
        "stored_intact": intact,
        "stored_signature": signing.verify_pdf(data) if intact else None,
    }


def _verify_upload(request, context):
    """The uploaded-file half of the check: byte-identical to an issued notice? signature valid?"""
    context["upload_checked"] = True
    uploaded = request.FILES.get("file")
    if uploaded is None or not uploaded.size:
        context["upload_error"] = MSG_NO_FILE
        return 400
    if uploaded.size > VERIFY_MAX_BYTES:
        context["upload_error"] = MSG_FILE_TOO_BIG
        return 400
    data = uploaded.read()
    claimed = (uploaded.content_type or "").split(";")[0].strip().lower()
    if not data.startswith(b"%PDF-") or (claimed and claimed not in VERIFY_PDF_TYPES):
        context["upload_error"] = MSG_FILE_NOT_PDF
        return 400
    notice = signing.notice_for_file(data)
    context.update(
        upload_name=uploaded.name[:120],
        upload_notice=notice,
        upload_identity=MSG_IDENTICAL if notice else MSG_NOT_IDENTICAL,
        signature=signing.verify_pdf(data),
    )
    return 200


@require_http_methods(["GET", "POST"])
def verify(request):
    """The public check: a notice's number and verification code (a form, or the QR code's link with
    ?number=&code=), or an uploaded PDF (byte-identical to the issued file? its signature valid?)."""
    context = {"number": "", "code": "", "result": None, "checked": False, "upload_checked": False}
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" and ("file" in request.FILES or data.get("form") == "upload"):
        if rate_limited(request, "verify"):
            context.update(upload_checked=True, error=MSG_RATE)
            return render(request, "public/verify.html", context, status=429)
        status = _verify_upload(request, context)
        return render(request, "public/verify.html", context, status=status)
    number, code = data.get("number", "")[:60], data.get("code", "")[:20]
    if number or code:
        context.update(number=number, code=code, checked=True)
        if rate_limited(request, "verify"):
            context["error"] = MSG_RATE
            return render(request, "public/verify.html", context, status=429)
        context["result"] = notice_verify(number, code)
        if context["result"] is not None:
            context.update(_stored_file_check(context["result"]))
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
