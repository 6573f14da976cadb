import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from yunfu_ipfund.accounts.actions import AUDIT_EXPORT
from yunfu_ipfund.accounts.roles import PERM_AUDIT
from yunfu_ipfund.accounts.selectors import sees_everything
from yunfu_ipfund.common.errors import NotFound
from yunfu_ipfund.common.spreadsheets import safe_cell

from .models import AuditEvent
from .security import SECURITY_ACTIONS
from .services import audit_record, verify_chain


@login_required
def events(request):
    """The whole trail, for bureau and finance staff (for anyone else the page does not exist).
    Each record's own page shows its own trail."""
    if not (sees_everything(request.user) or request.user.has_perm(PERM_AUDIT)):
        raise NotFound()
    qs = AuditEvent.objects.order_by("-id")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = (
            qs.filter(object_repr__icontains=q)
            | qs.filter(action__icontains=q)
            | qs.filter(actor_name__icontains=q)
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/events.html", {"page": page, "q": q})


@login_required
def verify(request):
    """The chain's verification (the same as `manage.py verify_audit_chain`): the HMAC chain recomputed
    and compared with every daily checkpoint, for the staff who see the whole trail."""
    if not (sees_everything(request.user) or request.user.has_perm(PERM_AUDIT)):
        raise NotFound()
    checked, problems = verify_chain()
    return render(request, "audit/verify.html", {"checked": checked, "problems": problems})


EXPORT_COLUMNS = [
    ("id", "编号"),
    ("at", "时间"),
    ("actor_name", "操作人"),
    ("organisation_name", "所属机构"),
    ("code", "操作代码"),
    ("action", "操作"),
    ("object_type", "对象类型"),
    ("object_id", "对象ID"),
    ("object_repr", "对象"),
    ("from_state", "原状态"),
    ("to_state", "新状态"),
    ("reason", "理由"),
    ("ip", "来源IP"),
    ("data", "详情"),
    ("prev_hash", "前序哈希"),
    ("hash", "哈希"),
]


@login_required
def export(request):
    """The whole trail as CSV (UTF-8 with BOM, for Excel), for the audit administrator only (for
    anyone else the page does not exist). The export itself is an audit event; the chain is verified
    first and its result is the file's first line."""
    if not request.user.has_perm(PERM_AUDIT):
        raise NotFound()
    checked, problems = verify_chain()
    audit_record(
        by=request.user,
        action=SECURITY_ACTIONS[AUDIT_EXPORT.code],
        obj=request.user,
        data={"events": checked, "chain_ok": not problems},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([f"审计日志校验：{'完整' if not problems else '；'.join(problems)}（共 {checked} 条）"])
    writer.writerow([label for _field, label in EXPORT_COLUMNS])
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        writer.writerow([safe_cell(_text(getattr(event, field))) for field, _label in EXPORT_COLUMNS])
    return response


def _text(value):
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if hasattr(value, "isoformat"):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    return str(value)
