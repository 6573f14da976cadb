"""The QR code printed on each notice: the public verify page with the notice's number and code filled in,
so a citizen checks a paper copy with a phone instead of typing."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def verify_link(notice):
    """The absolute address of /verify/ that answers at once for this notice."""
    query = urlencode({"number": notice.number, "code": notice.verification_code})
    return f"{settings.SITE_URL.rstrip('/')}{reverse('public:verify')}?{query}"


def qr_matrix(text):
    """The QR code of `text` (error correction M, at least; segno picks the smallest version)."""
    import segno  # optional at import time: only the process that renders notices needs it

    return segno.make_qr(text, error="m", boost_error=False)


def qr_svg(text, *, size_mm=24):
    """`text` as an inline SVG element (no XML declaration), `size_mm` wide, black on white, with the
    quiet zone of four modules the standard asks for; WeasyPrint draws it as vectors."""
    code = qr_matrix(text)
    svg = code.svg_inline(scale=1, border=4, dark="#000", light="#fff", omitsize=True)
    return svg.replace("<svg ", f'<svg width="{size_mm}mm" height="{size_mm}mm" role="img" ', 1)
