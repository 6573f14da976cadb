"""Production settings pass Django's deployment checks; the shared upload validator."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.common.uploads import validate_upload
from yunfu_ipfund.notices.signing import DEMO_PASSWORD, make_demo_ca

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "TESTING": "false",
    "ALLOWED_HOSTS": "ipfund.yunfu.gov.cn",
    "SECRET_KEY": "k3Jx9-Pq_vL2mN8rT4wZ6yB1cF5hD7gS0aE3uI9oQ2xW4zR6tY8p",
    "AUDIT_HMAC_KEY": "Zr8-audit-chain-key-for-the-deployment-test-only-4Qm2",  # production needs one
    "AUDIT_HMAC_KEY_ID": "2026-12",
}


# Variables of this test process that a deployment never has.
TEST_PROCESS_ONLY = ("SECRET_KEY", "DEBUG", "TESTING", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in TEST_PROCESS_ONLY}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """The production environment with the bureau's signing certificate and the trust roots it needs."""
    root, p12 = make_demo_ca(tmp_path_factory.mktemp("ca"))
    return PRODUCTION | {
        "NOTICE_SIGNING_PKCS12": str(p12),
        "NOTICE_SIGNING_PASSWORD": DEMO_PASSWORD,
        "NOTICE_TRUST_ROOTS": str(root),
    }


def test_production_settings_pass_check_deploy_without_a_single_warning(production):
    assert len(production["SECRET_KEY"]) >= 50
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_security_settings_pass_the_deployment_checks(production):
    """The platform's own part: the security checks alone (the full run above also covers the apps' APIs)."""
    result = manage("check", "--deploy", "--tag", "security", "--fail-level", "WARNING", env=production)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_a_secret_key_refuses_to_start_and_says_why():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_web_process_refuses_to_start_without_a_secret_key_whatever_manage_py_does():
    clean = {k: v for k, v in os.environ.items() if k not in TEST_PROCESS_ONLY}
    result = subprocess.run(
        [sys.executable, "-c", "import yunfu_ipfund.wsgi"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_management_command_with_no_configuration_at_all_runs_in_development_mode():
    result = manage("check", env={})
    assert result.returncode == 0, result.stderr


def test_production_with_a_short_secret_key_refuses_to_start():
    result = manage("check", env=PRODUCTION | {"SECRET_KEY": "too-short"})
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_a_misspelt_boolean_is_refused_loudly():
    result = manage("check", env=PRODUCTION | {"DEBUG": "ture"})
    assert result.returncode != 0 and "DEBUG must be true or false" in result.stderr


# --- uploads --------------------------------------------------------------------------------------

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("质押登记通知书.pdf", PDF, "application/pdf"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("scan.png", PNG, "image/png"),
        ("no-extension", PDF, "application/pdf"),
        ("named-wrongly.png", PDF, "application/pdf"),
    ],
)
def test_pdf_jpeg_and_png_are_recognised_by_their_content(name, content, content_type):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    assert validate_upload(upload) == (content_type, hashlib.sha256(content).hexdigest())
    assert upload.read() == content, "the file is left at its start for saving"


@pytest.mark.parametrize(
    "name, content",
    [
        ("合同.pdf", b"MZ\x90\x00\x03\x00\x00\x00 this is a Windows program"),
        ("scan.jpg", "这是一个文本文件".encode()),
        ("doc.pdf", b"<html><script>alert(1)</script></html>"),
        ("x.pdf", b"PK\x03\x04 a zip or docx"),
        ("x.pdf", b" %PDF-1.7 with a space before"),
    ],
)
def test_other_content_is_refused_whatever_its_name(name, content):
    with pytest.raises(ValidationFailed) as caught:
        validate_upload(SimpleUploadedFile(name, content, content_type="application/pdf"))
    assert caught.value.code == "upload_type"
    assert "只接受 PDF、JPEG 或 PNG" in caught.value.message and name in caught.value.message


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        validate_upload(SimpleUploadedFile("empty.pdf", b""))
    assert caught.value.code == "upload_empty" and "为空" in caught.value.message


def test_a_file_over_the_configured_limit_is_refused_and_one_at_the_limit_accepted(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    at_limit = PDF + b"0" * (settings.UPLOAD_MAX_BYTES - len(PDF))
    assert validate_upload(SimpleUploadedFile("ok.pdf", at_limit))[0] == "application/pdf"
    with pytest.raises(ValidationFailed) as caught:
        validate_upload(SimpleUploadedFile("big.pdf", at_limit + b"0"))
    assert caught.value.code == "upload_too_big"
    assert "文件过大" in caught.value.message and "上限为 1.0 MB" in caught.value.message
    assert "1.01 MB" in caught.value.message, "the size shown is larger than the limit shown"
