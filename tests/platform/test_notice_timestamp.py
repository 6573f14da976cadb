"""PAdES-B-T (issue 10 item 5, brief item 3): with NOTICE_TSA_URL set, the seal carries an RFC 3161
timestamp token from that authority. Offline: a local timestamp authority (pyhanko's DummyTimeStamper,
its own certificate under a test root) answers over HTTP on 127.0.0.1, so the real HTTPTimeStamper path
runs. The token is present and valid, /verify/ reports the timestamp time, and an unreachable authority
leaves the notice unrendered (retried), never silently B-B."""

import datetime as dt
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from yunfu_ipfund.notices import signing
from yunfu_ipfund.notices.models import Notice

FIXED = dt.datetime(2026, 12, 1, 8, 30, 15, tzinfo=dt.UTC)  # 16:30:15 in Asia/Shanghai


def _tsa(directory):
    """A root and a timestamping certificate under it (EKU timeStamping, critical), as asn1crypto
    objects for DummyTimeStamper, and the root's PEM path for the trust roots."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    # RSA: pyhanko's DummyTimeStamper signs with RSA only.
    root_key, key = (rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2))
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "测试时间戳根证书（演示）")])
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "测试时间戳服务（演示）")]))
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    root_path = directory / "tsa-root.pem"
    directory.mkdir(parents=True, exist_ok=True)
    root_path.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    der = serialization.Encoding.DER
    pkcs8 = key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return (
        root_path,
        asn1_x509.Certificate.load(cert.public_bytes(der)),
        asn1_keys.PrivateKeyInfo.load(pkcs8),
        asn1_x509.Certificate.load(root.public_bytes(der)),
    )


@pytest.fixture
def tsa(tmp_path):
    """A timestamp authority on 127.0.0.1 (its URL); `tsa.requests` counts what it answered."""
    from asn1crypto import tsp
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    root_path, cert, key, root = _tsa(tmp_path / "tsa")
    stamper = DummyTimeStamper(tsa_cert=cert, tsa_key=key, certs_to_embed=[root], fixed_dt=FIXED)
    answered = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            answered.append(request)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield type(
        "TSA",
        (),
        {"url": f"http://127.0.0.1:{server.server_port}/tsa", "root": root_path, "requests": answered},
    )
    server.shutdown()
    server.server_close()


@pytest.fixture
def bt_settings(tmp_path, settings, tsa):
    root, p12 = signing.make_demo_ca(tmp_path / "ca")
    settings.NOTICE_SIGNING_PKCS12 = str(p12)
    settings.NOTICE_SIGNING_PASSWORD = signing.DEMO_PASSWORD
    settings.NOTICE_TRUST_ROOTS = [str(root), str(tsa.root)]
    settings.NOTICE_TSA_URL = tsa.url
    return settings


@pytest.fixture
def stamped(bt_settings, issue, bank_a, bureau_approver):
    return issue(bank_a, by=bureau_approver, context={"paragraphs": ["贵行报送的备案材料已收悉。"]})


def test_the_seal_carries_a_valid_timestamp_token_from_the_configured_authority(stamped, tsa):
    from pyhanko.pdf_utils.reader import PdfFileReader

    data = stamped.pdf.read()
    assert stamped.render_status == Notice.RenderStatus.RENDERED and tsa.requests  # pyhanko asks twice
    (embedded,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    token = embedded.signer_info["unsigned_attrs"]
    assert [a["type"].native for a in token] == ["signature_time_stamp_token"]
    result = signing.verify_pdf(data)
    assert result.valid and result.timestamp_valid
    assert result.timestamp_at == FIXED
    assert result.signed_at == FIXED  # the authority's time, not the signer's clock


def test_verify_reports_the_timestamp_time_by_upload_and_by_number(client, stamped):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = client.post(
        reverse("public:verify"),
        {"form": "upload", "file": SimpleUploadedFile("a.pdf", stamped.pdf.read(), "application/pdf")},
    ).content.decode()
    by_number = client.get(
        reverse("public:verify"), {"number": stamped.number, "code": stamped.verification_code}
    ).content.decode()
    for html in (upload, by_number):
        assert "时间戳</dt><dd>2026年12月1日 16:30:15（时间戳机构签发，时间戳有效）</dd>" in html
        assert signing.MSG_VALID in html


def test_a_timestamp_from_an_authority_nobody_trusts_is_not_called_valid(stamped, settings):
    settings.NOTICE_TRUST_ROOTS = settings.NOTICE_TRUST_ROOTS[:1]  # the bureau's root only
    result = signing.verify_pdf(stamped.pdf.read())
    assert result.timestamp_at == FIXED and not result.timestamp_valid


def test_an_unreachable_authority_leaves_the_notice_unrendered_not_unstamped(
    bt_settings, issue, bank_a, bureau_approver
):
    bt_settings.NOTICE_TSA_URL = "http://127.0.0.1:9/tsa"  # discard port: nothing listens
    notice = issue(bank_a, by=bureau_approver)
    assert notice.render_status == Notice.RenderStatus.FAILED
    assert not notice.pdf and not notice.sha256
