"""/verify/?number=&code= also checks the stored file (issue 10, brief item 4): the original is re-hashed
against the SHA-256 recorded at issue (the archive hash, shown), and its signature is checked as an
upload's is, the answer naming the signer and the signing time, in Chinese."""

from pathlib import Path

import pytest
from django.urls import reverse

from yunfu_ipfund import public_views
from yunfu_ipfund.notices import signing
from yunfu_ipfund.notices.models import Notice

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


def check(client, notice, code=None):
    return client.get(
        reverse("public:verify"),
        {"number": notice.number, "code": code or notice.verification_code},
    )


def test_the_number_and_code_answer_the_stored_files_signature_signer_time_and_hash(client, signed_notice):
    response = check(client, signed_notice)
    html = response.content.decode()
    assert response.status_code == 200
    assert "验证通过：该文书由本平台签发" in html
    assert f"原件电子签章：{signing.MSG_VALID}" in html
    assert f"签章人</dt><dd>{BUREAU}</dd>" in html
    assert "签章时间</dt><dd>" in html
    assert public_views.MSG_STORED_INTACT in html
    assert f'存档文件 SHA-256</dt><dd class="mono">{signed_notice.sha256}' in html
    assert "时间戳</dt>" not in html  # B-B: no timestamp authority configured
    assert "None" not in html and "{{" not in html


def test_a_stored_file_changed_after_issue_is_reported_and_not_vouched_for(client, signed_notice):
    data = bytearray(signed_notice.pdf.read())
    data[len(data) // 2] ^= 0x01
    Path(signed_notice.pdf.path).write_bytes(bytes(data))
    html = check(client, signed_notice).content.decode()
    assert public_views.MSG_STORED_CHANGED in html
    assert "原件电子签章" not in html and "签章人" not in html


def test_an_unsigned_stored_file_says_so(client, settings, issue, bank_a):
    settings.NOTICE_SIGNING_PKCS12 = ""
    notice = issue(bank_a)
    html = check(client, notice).content.decode()
    assert public_views.MSG_STORED_INTACT in html
    assert f"原件电子签章：{signing.MSG_UNSIGNED}" in html


def test_a_notice_still_rendering_says_the_file_is_being_made(client, signed_notice):
    Notice.objects.filter(pk=signed_notice.pk).update(sha256="")
    html = check(client, signed_notice).content.decode()
    assert public_views.MSG_STORED_PENDING in html and "原件电子签章" not in html


def test_a_wrong_code_shows_nothing_of_the_file(client, signed_notice):
    html = check(client, signed_notice, code="WRONGCODE").content.decode()
    assert "未通过验证" in html
    assert "原件电子签章" not in html and signed_notice.sha256 not in html
