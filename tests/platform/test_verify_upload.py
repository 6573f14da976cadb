"""/verify/ takes an uploaded PDF (issue 10, item 4): byte-identical to an issued notice? its signature
valid, by whom, when? A tampered file and a file re-signed with another key are refused with a clear
Chinese message; the number and code check still works, also from the QR code's GET link."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from yunfu_ipfund import public_views
from yunfu_ipfund.notices import pdf, signing

BUREAU = "云浮市市场监督管理局（演示）"


@pytest.fixture
def demo_ca(tmp_path, settings):
    root, p12 = signing.make_demo_ca(tmp_path / "ca")
    settings.NOTICE_SIGNING_PKCS12 = str(p12)
    settings.NOTICE_SIGNING_PASSWORD = signing.DEMO_PASSWORD
    settings.NOTICE_TRUST_ROOTS = [str(root)]
    return root, p12


@pytest.fixture
def signed_notice(demo_ca, issue, bank_a, bureau_approver):
    return issue(bank_a, by=bureau_approver, context={"paragraphs": ["贵行报送的备案材料已收悉。"]})


def upload(client, data, name="文书.pdf", content_type="application/pdf"):
    return client.post(
        reverse("public:verify"),
        {"form": "upload", "file": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def test_the_issued_file_is_identical_and_its_signature_valid(client, signed_notice):
    response = upload(client, signed_notice.pdf.read())
    html = response.content.decode()
    assert response.status_code == 200
    assert "核验通过：该文件是本平台签发的原件，电子签章有效" in html
    assert public_views.MSG_IDENTICAL in html and signing.MSG_VALID in html
    assert signed_notice.number in html and signed_notice.addressee.name in html
    assert f"签章人</dt><dd>{BUREAU}" in html and "签章时间" in html
    assert "与签发的文件不一致" not in html
    assert "None" not in html and "{{" not in html and "{%" not in html


def test_a_file_with_one_byte_changed_is_not_identical_and_its_signature_invalid(client, signed_notice):
    data = bytearray(signed_notice.pdf.read())
    data[len(data) // 3] ^= 0x01
    html = upload(client, bytes(data)).content.decode()
    assert "核验未通过" in html and "核验通过：" not in html
    assert "与签发的文件不一致" in html
    assert signing.MSG_BROKEN in html
    assert signed_notice.number not in html and "签章人" not in html  # nothing vouched for


def test_a_file_resigned_with_another_key_is_not_identical_and_its_signer_not_trusted(
    client, signed_notice, tmp_path, settings
):
    _forger_root, other = signing.make_demo_ca(tmp_path / "forger", root_name="伪造的根证书（演示）")
    settings.NOTICE_SIGNING_PKCS12 = str(other)
    forged = signing.sign_pdf(pdf.render_pdf_bytes(pdf.notice_html(signed_notice)))
    html = upload(client, forged).content.decode()
    assert "核验未通过" in html and "核验通过：" not in html
    assert "与签发的文件不一致" in html
    assert signing.MSG_UNTRUSTED in html
    assert "证书所载签章人（未获信任）" in html  # the name in the forger's certificate is not believed


def test_an_unsigned_issued_file_is_identical_but_not_sealed(client, settings, issue, bank_a, fast_pdf):
    settings.NOTICE_SIGNING_PKCS12 = ""
    notice = issue(bank_a)
    html = upload(client, notice.pdf.read()).content.decode()
    assert public_views.MSG_IDENTICAL in html and notice.number in html
    assert "核验未通过" in html


@pytest.mark.parametrize(
    "data, content_type, message",
    [
        (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "application/pdf", public_views.MSG_FILE_NOT_PDF),
        (b"%PDF-1.7\n", "image/png", public_views.MSG_FILE_NOT_PDF),
        (b"", "application/pdf", public_views.MSG_NO_FILE),
    ],
)
def test_what_is_not_a_pdf_is_refused_with_400(client, db, data, content_type, message):
    response = upload(client, data, content_type=content_type)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_no_file_is_refused_with_400(client, db):
    response = client.post(reverse("public:verify"), {"form": "upload"})
    assert response.status_code == 400 and public_views.MSG_NO_FILE in response.content.decode()


def test_a_file_over_the_limit_is_refused_with_400(client, db, monkeypatch):
    monkeypatch.setattr(public_views, "VERIFY_MAX_BYTES", 100)
    response = upload(client, b"%PDF-1.7\n" + b"0" * 200)
    assert response.status_code == 400 and public_views.MSG_FILE_TOO_BIG in response.content.decode()


def test_uploads_count_against_the_same_hourly_limit(client, signed_notice, settings):
    settings.PUBLIC_FORM_RATE_PER_HOUR = 2
    data = signed_notice.pdf.read()
    assert upload(client, data).status_code == 200
    assert client.post(reverse("public:verify"), {"number": "x", "code": "y"}).status_code == 200
    response = upload(client, data)
    assert response.status_code == 429
    html = response.content.decode()
    assert "查询过于频繁" in html and "核验通过" not in html


def test_the_upload_needs_the_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    response = upload(client, b"%PDF-1.7\n")
    assert response.status_code == 403
    page = client.get(reverse("public:verify")).content.decode()
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page


def test_the_qr_codes_link_fills_in_number_and_code_and_answers(client, signed_notice):
    response = client.get(
        reverse("public:verify"), {"number": signed_notice.number, "code": signed_notice.verification_code}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{signed_notice.number}"' in html and f'value="{signed_notice.verification_code}"' in html
    assert "验证通过：该文书由本平台签发" in html
