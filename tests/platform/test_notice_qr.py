"""Each notice carries a QR code (segno, SVG in the PDF) that opens /verify/ with its number and code
filled in, and /verify/ answers such a link at once."""

import shutil
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest

from yunfu_ipfund.notices import pdf, qr

pytestmark = pytest.mark.django_db

needs_zbar = pytest.mark.skipif(
    not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
    reason="zbar-tools (zbarimg) or poppler-utils (pdftoppm) is not installed",
)


@pytest.fixture
def notice(issue, bank_a, bureau_approver):
    return issue(bank_a, by=bureau_approver, context={"paragraphs": ["经审核，现将有关事项告知如下。"]})


def test_the_verify_link_is_absolute_with_number_and_code(settings, fast_pdf, notice):
    settings.SITE_URL = "https://ipfund.yunfu.example/"
    link = qr.verify_link(notice)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://ipfund.yunfu.example/verify/"
    assert parse_qs(parts.query) == {"number": [notice.number], "code": [notice.verification_code]}


def test_qr_svg_is_an_inline_svg_element_of_the_given_size():
    svg = qr.qr_svg("https://example.org/verify/?number=1&code=A", size_mm=24)
    assert svg.startswith('<svg width="24mm" height="24mm" ') and svg.endswith("</svg>")
    assert "<?xml" not in svg and "<path" in svg


def test_the_notice_html_carries_the_qr_of_its_verify_link_beside_the_code(fast_pdf, notice):
    html = pdf.notice_html(notice)
    svg = qr.qr_svg(qr.verify_link(notice))
    assert svg in html, "the SVG itself, not escaped"
    assert "&lt;svg" not in html
    assert html.index(svg) < html.index(notice.verification_code), "the QR sits in the verification block"
    assert "扫码核验" in html


@needs_zbar
def test_the_qr_printed_on_the_rendered_page_decodes_to_the_verify_link(notice, tmp_path):
    """A real render (WeasyPrint), rasterised as a phone's camera would see a print: the QR decodes."""
    path = tmp_path / "notice.pdf"
    path.write_bytes(notice.pdf.read())
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(pages[-1])], capture_output=True, text=True, timeout=60
    ).stdout.split()
    assert decoded == [qr.verify_link(notice)]


def test_following_the_qr_link_answers_at_once_with_the_form_prefilled(client, fast_pdf, notice):
    parts = urlsplit(qr.verify_link(notice))
    response = client.get(f"{parts.path}?{parts.query}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "验证通过" in html and notice.addressee.name in html
    assert f'value="{notice.number}"' in html and f'value="{notice.verification_code}"' in html


def test_a_qr_link_with_a_wrong_code_is_refused(client, fast_pdf, notice):
    parts = urlsplit(qr.verify_link(notice.__class__(number=notice.number, verification_code="WRONG23456")))
    html = client.get(f"{parts.path}?{parts.query}").content.decode()
    assert "验证通过" not in html and notice.addressee.name not in html
