"""Rendering official documents with WeasyPrint (GB/T 9704 layout, Noto CJK fonts embedded)."""

import hashlib
import re
import tempfile
import zlib
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from yunfu_ipfund.common.dates import chinese_date
from yunfu_ipfund.common.money import amount_in_capitals, format_money

from . import fontsubset, qr
from .kinds import get_kind


def notice_html(notice):
    kind = get_kind(notice.kind)
    link = qr.verify_link(notice)
    context = {
        "notice": notice,
        "kind": kind,
        "c": notice.context,
        "issuer": kind.issuer,
        "date_cn": chinese_date(timezone.localtime(notice.issued_at).date()),
        "verify_url": settings.SITE_URL.rstrip("/") + reverse("public:verify"),
        "verify_link": link,
        "qr_svg": mark_safe(qr.qr_svg(link)),  # segno's SVG of our own link: no user text in the markup
    }
    return render_to_string(kind.template, context)


# Families whose glyphs cover Chinese: Noto/Source Han CJK and the usual Chinese system fonts.
CJK_FONT_NAME = re.compile(
    r"CJK|SourceHan|Source-Han|WenQuanYi|WQY|Droid-?Sans-?Fallback|AR-?PL|UKai|UMing|"
    r"Sim(Sun|Hei|Kai|Fang)|FangSong|KaiTi|STSong|STKaiti|STFangsong|Microsoft-?YaHei|PingFang|"
    r"Hiragino-?Sans-?GB|Heiti|Songti",
    re.IGNORECASE,
)
NO_CJK_FONT = (
    "文书 PDF 未嵌入中文（CJK）字体，汉字将显示为方框，不予保存（嵌入的字体：{fonts}）。"
    "请安装 fonts-noto-cjk 后重试。"
)
NO_FONT_AT_ALL = "无"
_BASE_FONT = re.compile(rb"/(?:BaseFont|FontName)\s*/([^\s/<>\[\]()]+)")
_STREAM = re.compile(rb"stream\r?\n")


class MissingCJKFont(RuntimeError):
    """The PDF embeds no font with Chinese glyphs: stored, it would show boxes for every character."""

    def __init__(self, fonts):
        self.fonts = fonts
        super().__init__(NO_CJK_FONT.format(fonts="、".join(fonts) or NO_FONT_AT_ALL))


def _pdf_name(raw):
    """A PDF name as text: #xx escapes decoded, the subset tag (ABCDEF+) kept."""
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")


def pdf_font_names(data):
    """The names (BaseFont / FontName) of every font a PDF uses, sorted; read from the plain bytes and
    from every Flate-compressed stream (WeasyPrint writes font dictionaries into object streams)."""
    names = set(_BASE_FONT.findall(data))
    view = memoryview(data)
    for match in _STREAM.finditer(data):
        try:
            names.update(_BASE_FONT.findall(zlib.decompressobj().decompress(view[match.end() :])))
        except zlib.error:
            continue  # not a Flate stream (or the word "stream" inside one)
    return sorted({_pdf_name(n) for n in names})


def is_cjk_font(name):
    return bool(CJK_FONT_NAME.search(name.split("+", 1)[-1]))


def cjk_fonts(data):
    """The CJK fonts a PDF embeds (empty when its Chinese would be boxes)."""
    return [name for name in pdf_font_names(data) if is_cjk_font(name)]


def require_cjk_font(data):
    """Raise MissingCJKFont, naming the fonts found, unless the PDF embeds a CJK font."""
    if not cjk_fonts(data):
        raise MissingCJKFont(pdf_font_names(data))
    return data


def render_pdf_bytes(html):
    """The PDF of `html`, refused (MissingCJKFont) when it embeds no CJK font: a notice rendered on a
    machine without them is not stored; `notice_render` records the failure and the beat retries it."""
    from weasyprint import CSS, HTML  # heavy (Pango, fonts): loaded by the process that renders
    from weasyprint.text.fonts import FontConfiguration

    base = Path(settings.BASE_DIR) / "static"
    with tempfile.TemporaryDirectory(prefix="yunfu-notice-fonts-") as directory:
        # Each CJK face cut to this document's characters (fontsubset: a one-page notice ~60 KB).
        html, font_css = fontsubset.write_faces(html, directory)
        font_config = FontConfiguration()
        sheets = [CSS(string=font_css, font_config=font_config)] if font_css else []
        data = HTML(string=html, base_url=str(base)).write_pdf(stylesheets=sheets, font_config=font_config)
    return require_cjk_font(data)


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


__all__ = [
    "MissingCJKFont",
    "cjk_fonts",
    "notice_html",
    "pdf_font_names",
    "render_pdf_bytes",
    "require_cjk_font",
    "sha256_hex",
    "amount_in_capitals",
    "format_money",
]
