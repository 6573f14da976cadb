"""Rendering official documents with WeasyPrint (GB/T 9704 layout, Noto CJK fonts embedded)."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from yunfu_ipfund.common.dates import chinese_date
from yunfu_ipfund.common.money import amount_in_capitals, format_money

from .kinds import get_kind


def notice_html(notice):
    kind = get_kind(notice.kind)
    context = {
        "notice": notice,
        "kind": kind,
        "c": notice.context,
        "issuer": kind.issuer,
        "date_cn": chinese_date(timezone.localtime(notice.issued_at).date()),
        "verify_url": settings.SITE_URL.rstrip("/") + reverse("public:verify"),
    }
    return render_to_string(kind.template, context)


def render_pdf_bytes(html):
    from weasyprint import HTML  # heavy (Pango, fonts): loaded by the process that renders, when it does

    base = Path(settings.BASE_DIR) / "static"
    return HTML(string=html, base_url=str(base)).write_pdf()


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


__all__ = ["notice_html", "render_pdf_bytes", "sha256_hex", "amount_in_capitals", "format_money"]
