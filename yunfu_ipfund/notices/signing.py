"""The electronic seal of official notices: PAdES signatures with pyhanko, and their verification.

`sign_pdf(data)` signs a rendered notice with the bureau's certificate (`NOTICE_SIGNING_PKCS12`,
password `NOTICE_SIGNING_PASSWORD`): a PAdES-B-B signature, B-T when `NOTICE_TSA_URL` names a
timestamp authority, with a visible seal over the element `id="seal"` of the notice layout (its
position is the PDF's named destination of that id, written by WeasyPrint), on the last page when the
layout has none. `verify_pdf(data)` checks a PDF's signature against `NOTICE_TRUST_ROOTS` and answers in
Chinese. `make_demo_ca(directory)` writes a demo root and a bureau certificate marked 演示, for
development and tests only (`manage.py make_demo_ca`).

pyhanko and cryptography are imported where they are used: only the process that signs loads them.
"""

import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)

SEAL_ANCHOR = "seal"
SEAL_SIZE_PT = 40 / 25.4 * 72 + 2 * 1.5  # the layout's seal area: 40 mm inside a 1.5 pt border
SIGNATURE_FIELD = "云浮市市场监督管理局电子印章"
SIGNING_LOCATION = "广东省云浮市"
SIGNING_REASON = "签发正式文书"
SEAL_RED = (0.8, 0.0, 0.0)

DEMO_ROOT_NAME = "云浮演示根证书（演示）"
DEMO_SIGNER_NAME = "云浮市市场监督管理局（演示）"
DEMO_PASSWORD = "yunfu-demo-only"
DEMO_ROOT_FILE = "root.pem"
DEMO_PKCS12_FILE = "bureau.p12"

MSG_VALID = "签名有效：文件自签名后未被改动，签名证书由受信任的机构签发。"
MSG_NOT_PDF = "上传的文件不是可读取的 PDF 文件。"
MSG_UNSIGNED = "该文件没有电子签名。"
MSG_BROKEN = "签名无效：文件在签名后被改动，或签名已损坏。"
MSG_UNTRUSTED = "签名无法确认：签名证书不是由本平台信任的机构签发，不能认定为本局签发的文书。"
MSG_NOT_WHOLE = "签名无效：签名之后文件又被追加或修改了内容。"


class SigningNotConfigured(Exception):
    """No bureau certificate is configured (possible only in development and tests)."""


@dataclass(frozen=True)
class VerifyResult:
    """What `verify_pdf` found: `valid` only when intact, covering the whole file and trusted."""

    valid: bool
    intact: bool
    trusted: bool
    message: str
    signer: str = ""
    signed_at: dt.datetime | None = None
    signed: bool = False
    # PAdES-B-T: the time a timestamp authority vouched for, when its token is present and valid.
    timestamp_at: dt.datetime | None = None
    timestamp_valid: bool = False


def signing_configured():
    return bool(settings.NOTICE_SIGNING_PKCS12)


# --- signing --------------------------------------------------------------------------------------


def _signer():
    from pyhanko.sign import signers

    path = settings.NOTICE_SIGNING_PKCS12
    if not path:
        raise SigningNotConfigured("NOTICE_SIGNING_PKCS12 is not set")
    password = settings.NOTICE_SIGNING_PASSWORD
    signer = signers.SimpleSigner.load_pkcs12(
        pfx_file=str(path), passphrase=password.encode() if password else None
    )
    if signer is None:
        raise SigningNotConfigured(f"cannot read the PKCS#12 file {path} (wrong path or password)")
    return signer


def _page_refs(node):
    """The page objects' references of a page tree, in order."""
    kids = node.get_object()["/Kids"]
    refs = []
    for kid in kids:
        obj = kid.get_object()
        if obj["/Type"] == "/Pages":
            refs.extend(_page_refs(kid))
        else:
            refs.append(kid.reference)
    return refs


def _named_destination(node, name):
    node = node.get_object()
    if "/Names" in node:
        names = node["/Names"]
        for i in range(0, len(names) - 1, 2):
            if str(names[i]) == name:
                return names[i + 1].get_object()
    for kid in node.get("/Kids", []):
        found = _named_destination(kid, name)
        if found is not None:
            return found
    return None


def seal_position(reader):
    """(page index, box) of the visible seal: the layout's `id="seal"` element, else the last page's
    lower right corner."""
    refs = _page_refs(reader.root["/Pages"])
    try:
        dest = _named_destination(reader.root["/Names"]["/Dests"], SEAL_ANCHOR)
    except KeyError:
        dest = None
    if dest is not None and len(dest) >= 4:
        page_ref = getattr(dest.raw_get(0), "reference", None)
        if page_ref in refs:
            left, top = float(dest[2]), float(dest[3])
            box = (left, top - SEAL_SIZE_PT, left + SEAL_SIZE_PT, top)
            return refs.index(page_ref), tuple(round(v, 2) for v in box)
    page = reader.root["/Pages"]
    width, _height = (float(v) for v in page.get("/MediaBox", [0, 0, 595, 842])[2:4])
    left = width - 74 - SEAL_SIZE_PT
    return len(refs) - 1, tuple(round(v) for v in (left, 99, left + SEAL_SIZE_PT, 99 + SEAL_SIZE_PT))


def _seal_style():
    """A red ring and a five-pointed star: the seal's graphics (its words are in the layout)."""
    import math

    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.content import RawContent
    from pyhanko.stamp import StaticStampStyle

    size = SEAL_SIZE_PT
    width = 3.0
    c, r, k = size / 2, size / 2 - 0.75, 0.5523  # the ring lies on the layout's dashed outline
    quarters = [
        (c + r, c + r * k, c + r * k, c + r, c, c + r),
        (c - r * k, c + r, c - r, c + r * k, c - r, c),
        (c - r, c - r * k, c - r * k, c - r, c, c - r),
        (c + r * k, c - r, c + r, c - r * k, c + r, c),
    ]
    ring = (
        f"{c + r:.2f} {c:.2f} m " + " ".join(" ".join(f"{v:.2f}" for v in q) + " c" for q in quarters) + " S"
    )
    star_x, star_y, outer, inner = c, c + size * 0.25, size * 0.11, size * 0.044
    points = []
    for i in range(10):
        rad = outer if i % 2 == 0 else inner
        angle = math.pi / 2 + i * math.pi / 5
        points.append((star_x + rad * math.cos(angle), star_y + rad * math.sin(angle)))
    star = f"{points[0][0]:.2f} {points[0][1]:.2f} m " + " ".join(f"{x:.2f} {y:.2f} l" for x, y in points[1:])
    red = " ".join(str(v) for v in SEAL_RED)
    data = f"q {red} RG {red} rg {width} w {ring} {star} h f Q".encode()
    return StaticStampStyle(
        background=RawContent(data, box=layout.BoxConstraints(width=size, height=size)),
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
        background_opacity=0.85,
        border_width=0,
    )


def _timestamper():
    url = getattr(settings, "NOTICE_TSA_URL", "")
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url)


def sign_pdf(data):
    """The signed copy of `data` (the rendered notice): PAdES-B-B, or B-T with a timestamp authority."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _signer()
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page, box = seal_position(writer.prev)
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=SIGNING_REASON,
        location=SIGNING_LOCATION,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=_timestamper(),
        stamp_style=_seal_style(),
        new_field_spec=fields.SigFieldSpec(sig_field_name=SIGNATURE_FIELD, on_page=page, box=box),
    )
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out)
    return out.getvalue()


def seal(data):
    """`data` signed with the bureau's certificate; unchanged when none is configured, which only
    development and tests allow (production settings refuse to start without one)."""
    if not signing_configured():
        log.warning("no signing certificate configured (NOTICE_SIGNING_PKCS12): the notice is not signed")
        return data
    return sign_pdf(data)


# --- verification ---------------------------------------------------------------------------------


def _trust_roots():
    from pyhanko.keys import load_certs_from_pemder

    paths = [str(p) for p in settings.NOTICE_TRUST_ROOTS if p and Path(p).is_file()]
    return list(load_certs_from_pemder(paths)) if paths else []


def _common_name(cert):
    try:
        return cert.subject.native.get("common_name", "") or cert.subject.human_friendly
    except Exception:  # a malformed subject: show nothing rather than fail
        return ""


def verify_pdf(data):
    """Check the (last) signature of the PDF `data` against the configured trust roots."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    if not data.startswith(b"%PDF-"):
        return VerifyResult(valid=False, intact=False, trusted=False, message=MSG_NOT_PDF)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # whatever a malformed upload makes the parser raise
        return VerifyResult(valid=False, intact=False, trusted=False, message=MSG_NOT_PDF)
    if not signatures:
        return VerifyResult(valid=False, intact=False, trusted=False, message=MSG_UNSIGNED)
    embedded = signatures[-1]
    context = ValidationContext(trust_roots=_trust_roots(), allow_fetching=False)
    try:
        status = validate_pdf_signature(embedded, signer_validation_context=context)
    except Exception:  # a damaged signature container
        log.info("signature validation failed", exc_info=True)
        return VerifyResult(valid=False, intact=False, trusted=False, signed=True, message=MSG_BROKEN)
    signer = _common_name(status.signing_cert) if status.signing_cert is not None else ""
    signed_at = status.signer_reported_dt
    timestamp_at, timestamp_valid = None, False
    if status.timestamp_validity is not None:
        timestamp = status.timestamp_validity
        timestamp_at = timezone.localtime(timestamp.timestamp)
        timestamp_valid = bool(timestamp.intact and timestamp.valid and timestamp.trusted)
        signed_at = timestamp.timestamp
    if signed_at is not None:
        signed_at = timezone.localtime(signed_at)
    intact = bool(status.intact and status.valid)
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    trusted = bool(status.trusted)
    if not intact:
        message = MSG_BROKEN
    elif not whole:
        message = MSG_NOT_WHOLE
    elif not trusted:
        message = MSG_UNTRUSTED
    else:
        message = MSG_VALID
    return VerifyResult(
        valid=intact and whole and trusted,
        intact=intact and whole,
        trusted=trusted,
        message=message,
        signer=signer,
        signed_at=signed_at,
        signed=True,
        timestamp_at=timestamp_at,
        timestamp_valid=timestamp_valid,
    )


def notice_for_file(data):
    """The issued notice whose stored file is byte-identical to `data` (same SHA-256), or None."""
    from .models import Notice

    digest = hashlib.sha256(data).hexdigest()
    return Notice.objects.select_related("addressee").filter(sha256=digest).first()


# --- the demo certificate authority ---------------------------------------------------------------


def make_demo_ca(
    directory, *, root_name=DEMO_ROOT_NAME, signer_name=DEMO_SIGNER_NAME, password=DEMO_PASSWORD
):
    """Write a demo root CA (`root.pem`) and a bureau signing certificate with its key (`bureau.p12`)
    into `directory`; return their paths. For development and tests only: never a real seal."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)

    def name(common):
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "广东省"),
                x509.NameAttribute(NameOID.LOCALITY_NAME, "云浮市"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "云浮市知识产权质押融资风险补偿平台（演示）"),
                x509.NameAttribute(NameOID.COMMON_NAME, common),
            ]
        )

    root_key = ec.generate_private_key(ec.SECP256R1())
    root_cert = (
        x509.CertificateBuilder()
        .subject_name(name(root_name))
        .issuer_name(name(root_name))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(signer_name))
        .issuer_name(root_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    root_path = directory / DEMO_ROOT_FILE
    p12_path = directory / DEMO_PKCS12_FILE
    root_path.write_bytes(root_cert.public_bytes(serialization.Encoding.PEM))
    p12_path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name=signer_name.encode(),
            key=key,
            cert=cert,
            cas=[root_cert],
            encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
        )
    )
    p12_path.chmod(0o600)
    return root_path, p12_path
