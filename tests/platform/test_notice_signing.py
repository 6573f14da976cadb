"""The electronic seal (issue 10, item 5): notices are signed with the bureau's certificate (PAdES-B-B),
carry a visible seal over the layout's seal area (on the last page when the layout has none), and
verify against the trust roots; production refuses to start without a certificate."""

import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from yunfu_ipfund.notices import signing
from yunfu_ipfund.notices.models import Notice

ROOT = Path(__file__).resolve().parents[2]
BUREAU = "云浮市市场监督管理局（演示）"


@pytest.fixture
def demo_ca(tmp_path, settings):
    """A demo CA of this test only, configured as the bureau's certificate and the trust root."""
    root, p12 = signing.make_demo_ca(tmp_path / "ca")
    settings.NOTICE_SIGNING_PKCS12 = str(p12)
    settings.NOTICE_SIGNING_PASSWORD = signing.DEMO_PASSWORD
    settings.NOTICE_TRUST_ROOTS = [str(root)]
    settings.NOTICE_TSA_URL = ""
    return root, p12


@pytest.fixture
def signed_notice(demo_ca, issue, bank_a, bureau_approver):
    return issue(
        bank_a,
        by=bureau_approver,
        context={
            "paragraphs": ["贵行报送的知识产权质押贷款备案材料已收悉。", "经审核，符合《管理办法》的规定。"]
        },
    )


def test_a_rendered_notice_is_stored_signed_and_its_hash_is_the_signed_files(signed_notice):
    assert signed_notice.render_status == Notice.RenderStatus.RENDERED
    data = signed_notice.pdf.read()
    assert signed_notice.sha256 == hashlib.sha256(data).hexdigest()
    assert b"/ETSI.CAdES.detached" in data  # PAdES baseline, not the legacy adbe.pkcs7
    result = signing.verify_pdf(data)
    assert result.valid and result.intact and result.trusted
    assert result.signer == BUREAU
    assert result.signed_at is not None and result.signed_at.year >= 2026
    assert result.message == signing.MSG_VALID


def test_the_visible_seal_sits_over_the_layouts_seal_area_on_the_page_of_the_signature_block(signed_notice):
    """GB/T 9704: the seal presses on the issuer and the date, so it goes where the layout's seal area
    is (the last page of the body; a verification footer may follow on a page of its own)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(signed_notice.pdf.read()))
    field = reader.embedded_signatures[0].sig_field
    assert field["/T"] == signing.SIGNATURE_FIELD
    dest = signing._named_destination(reader.root["/Names"]["/Dests"], signing.SEAL_ANCHOR)
    assert field.raw_get("/P").reference == dest.raw_get(0).reference
    left, bottom, right, top = (float(v) for v in field["/Rect"])
    assert abs((right - left) - signing.SEAL_SIZE_PT) <= 1 and abs((top - bottom) - signing.SEAL_SIZE_PT) <= 1
    assert abs(float(dest[2]) - left) < 1 and abs(float(dest[3]) - top) < 1
    assert "/AP" in field  # an appearance: the seal is drawn, not an invisible signature


def test_a_notice_without_the_seal_anchor_gets_its_seal_in_the_last_pages_corner(demo_ca):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from weasyprint import HTML

    data = HTML(string="<p>第一页</p><p style='break-before: page'>第二页</p>").write_pdf()
    reader = PdfFileReader(io.BytesIO(signing.sign_pdf(data)))
    field = reader.embedded_signatures[0].sig_field
    assert field.raw_get("/P").reference == signing._page_refs(reader.root["/Pages"])[-1]


def test_a_wrong_password_fails_the_render_instead_of_storing_an_unsigned_file(
    demo_ca, settings, issue, bank_a, bureau_approver
):
    settings.NOTICE_SIGNING_PASSWORD = "not-the-password"
    notice = issue(bank_a, by=bureau_approver)
    assert notice.render_status == Notice.RenderStatus.FAILED
    assert not notice.pdf and notice.sha256 == ""


def test_without_a_certificate_development_stores_the_file_unsigned(settings, issue, bank_a, fast_pdf):
    settings.NOTICE_SIGNING_PKCS12 = ""
    notice = issue(bank_a)
    assert notice.render_status == Notice.RenderStatus.RENDERED
    assert notice.pdf.read() == fast_pdf


def test_one_changed_byte_breaks_the_signature(signed_notice):
    data = bytearray(signed_notice.pdf.read())
    data[len(data) // 3] ^= 0x01
    result = signing.verify_pdf(bytes(data))
    assert not result.valid and not result.intact
    assert result.message == signing.MSG_BROKEN


def test_a_file_resigned_with_another_key_is_not_trusted(signed_notice, tmp_path, settings):
    from yunfu_ipfund.notices import pdf

    _root, other_p12 = signing.make_demo_ca(tmp_path / "other", root_name="另一个根证书（演示）")
    settings.NOTICE_SIGNING_PKCS12 = str(other_p12)  # the trust roots stay the bureau's
    resigned = signing.sign_pdf(pdf.render_pdf_bytes(pdf.notice_html(signed_notice)))
    result = signing.verify_pdf(resigned)
    assert result.intact and not result.trusted and not result.valid
    assert result.signer == BUREAU  # the same name in the certificate: the key decides, not the name
    assert result.message == signing.MSG_UNTRUSTED


def test_an_unsigned_pdf_and_a_non_pdf_get_their_own_messages(demo_ca):
    from weasyprint import HTML

    assert signing.verify_pdf(HTML(string="<p>未签名</p>").write_pdf()).message == signing.MSG_UNSIGNED
    assert signing.verify_pdf(b"GIF89a not a pdf").message == signing.MSG_NOT_PDF
    assert signing.verify_pdf(b"%PDF-1.7 truncated").message in (signing.MSG_NOT_PDF, signing.MSG_UNSIGNED)


def test_verification_messages_are_chinese_and_free_of_english_words():
    import re

    for name in dir(signing):
        if name.startswith("MSG_"):
            text = getattr(signing, name)
            assert not re.search(r"[A-Za-z]{2,}", text.replace("PDF", "")), name


def test_the_timestamp_authority_is_used_only_when_configured(settings):
    settings.NOTICE_TSA_URL = ""
    assert signing._timestamper() is None
    settings.NOTICE_TSA_URL = "http://tsa.example.invalid/tsr"
    assert signing._timestamper().url == "http://tsa.example.invalid/tsr"


def test_make_demo_ca_writes_a_root_and_a_bureau_certificate_marked_demo(tmp_path):
    from django.core.management import call_command
    from pyhanko.keys import load_cert_from_pemder

    call_command("make_demo_ca", "--dir", str(tmp_path / "ca"))
    root = load_cert_from_pemder(str(tmp_path / "ca" / "root.pem"))
    assert root.subject.native["common_name"] == signing.DEMO_ROOT_NAME
    assert "演示" in root.subject.native["common_name"]
    p12 = tmp_path / "ca" / "bureau.p12"
    assert p12.stat().st_mode & 0o077 == 0
    before = p12.read_bytes()
    call_command("make_demo_ca", "--dir", str(tmp_path / "ca"))
    assert p12.read_bytes() == before  # idempotent: the demo CA is kept


@pytest.mark.skipif(not shutil.which("pdfsig"), reason="poppler-utils (pdfsig) is not installed")
def test_pdfsig_reports_the_notice_signed_and_valid(signed_notice, demo_ca, tmp_path):
    path = signed_notice.pdf.path
    out = subprocess.run(["pdfsig", path], capture_output=True, text=True).stdout
    assert "Signature is Valid." in out and BUREAU in out and "Total document signed" in out
    if shutil.which("certutil"):
        nss = tmp_path / "nss"
        nss.mkdir()
        subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
        subprocess.run(
            ["certutil", "-A", "-d", f"sql:{nss}", "-n", "demo-root", "-t", "CT,C,C", "-i", str(demo_ca[0])],
            check=True,
        )
        out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", path], capture_output=True, text=True).stdout
        assert "Certificate is Trusted." in out


PRODUCTION = {
    "DEBUG": "false",
    "TESTING": "false",
    "ALLOWED_HOSTS": "ipfund.yunfu.gov.cn",
    "SECRET_KEY": "k3Jx9-Pq_vL2mN8rT4wZ6yB1cF5hD7gS0aE3uI9oQ2xW4zR6tY8p",
    "AUDIT_HMAC_KEY": "Zr8-audit-chain-key-for-the-deployment-test-only-4Qm2",  # production needs one
    "AUDIT_HMAC_KEY_ID": "2026-12",
}


def _manage_check(env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NOTICE_") and k not in PRODUCTION}
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=clean | env, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_signing_certificate():
    result = _manage_check(PRODUCTION)
    assert result.returncode != 0 and "NOTICE_SIGNING_PKCS12 is not set" in result.stderr
    result = _manage_check(PRODUCTION | {"NOTICE_SIGNING_PKCS12": "/nonexistent/bureau.p12"})
    assert result.returncode != 0 and "NOTICE_SIGNING_PKCS12 names no file" in result.stderr


def test_production_refuses_to_start_without_trust_roots(demo_ca):
    result = _manage_check(PRODUCTION | {"NOTICE_SIGNING_PKCS12": str(demo_ca[1])})
    assert result.returncode != 0 and "NOTICE_TRUST_ROOTS must name" in result.stderr


def test_production_starts_with_a_signing_certificate_and_trust_roots(demo_ca):
    root, p12 = demo_ca
    result = _manage_check(PRODUCTION | {"NOTICE_SIGNING_PKCS12": str(p12), "NOTICE_TRUST_ROOTS": str(root)})
    assert result.returncode == 0, result.stderr


def test_content_appended_after_signing_is_refused(signed_notice):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed_notice.pdf.read()))
    writer.root["/Lang"] = generic.TextStringObject("en")  # an incremental update after the seal
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = signing.verify_pdf(out.getvalue())
    assert not result.valid and not result.intact
    assert result.message == signing.MSG_NOT_WHOLE
