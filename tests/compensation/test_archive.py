"""The case archive (issue 10, item 6): a closed claim's ZIP holds every notice and evidence file
byte-identical, the audit trail and computation as JSON and PDF, and a manifest listing every file with
its SHA-256 and size, whose PDF copy is sealed; bureau and finance users only; the download is audited."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from compensation import services
from compensation.archive import build_claim_archive
from lenders.models import FilingDocument
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.notices import signing
from yunfu_ipfund.notices.models import Notice
from yunfu_ipfund.notices.services import notice_issue, notice_render


def _fake_render(html):
    """A distinct stand-in PDF per notice (the notices' own typesetting is tested elsewhere)."""
    return b"%PDF-1.4\n% stand-in " + hashlib.sha256(html.encode()).hexdigest().encode() + b"\n%%EOF\n"


@pytest.fixture
def closed_claim(flow, loan, monkeypatch):
    claim = flow.paid(loan)
    claim = services.claim_close(by=flow.approver, claim=claim, close_reason="write_off", reason="确认核销")
    with monkeypatch.context() as m:
        m.setattr("yunfu_ipfund.notices.pdf.render_pdf_bytes", _fake_render)
        for pk in Notice.objects.values_list("pk", flat=True):
            notice_render(pk)
    assert claim.status == "closed"
    return claim


@pytest.fixture
def ca(tmp_path, settings):
    root, p12 = signing.make_demo_ca(tmp_path / "ca")
    settings.NOTICE_SIGNING_PKCS12 = str(p12)
    settings.NOTICE_SIGNING_PASSWORD = signing.DEMO_PASSWORD
    settings.NOTICE_TRUST_ROOTS = [str(root)]
    settings.NOTICE_TSA_URL = ""


def _open(data):
    zf = zipfile.ZipFile(io.BytesIO(data))
    return zf, json.loads(zf.read("manifest.json"))


def _notice_of_claim(claim):
    ids = [str(claim.pk)]
    return Notice.objects.filter(subject_type="compensation.claim", subject_id__in=ids)


def test_a_closed_claims_archive_holds_every_notice_and_evidence_file_with_a_true_manifest(
    closed_claim, bureau_clerk, client_for
):
    claim = closed_claim
    response = client_for(bureau_clerk).get(reverse("compensation:claim_archive", args=[claim.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    zf, manifest = _open(b"".join(response.streaming_content))

    listed = {e["path"]: e for e in manifest["files"]}
    names = set(zf.namelist())
    # every file but the manifests is listed, with its true hash and size
    assert names - {"manifest.json", "manifest.pdf"} == set(listed)
    for path, entry in listed.items():
        data = zf.read(path)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), path
        assert entry["size"] == len(data), path
        assert entry["source"] == "generated" or set(entry["source"]) == {"model", "pk"}
        assert "problem" not in entry

    # every notice of the claim, byte-identical to the stored file
    notices = list(_notice_of_claim(claim))
    assert "claim_decision" in {n.kind for n in notices}
    by_source = {
        (e["source"]["model"], e["source"]["pk"]): e for e in manifest["files"] if e["source"] != "generated"
    }
    for notice in notices:
        entry = by_source[("notices.notice", notice.pk)]
        assert hashlib.sha256(zf.read(entry["path"])).hexdigest() == notice.sha256
    # every evidence file, byte-identical to the upload (sha256 as stored)
    evidence = list(claim.evidence.filter(not_applicable=False).exclude(file=""))
    assert evidence
    for item in evidence:
        entry = by_source[("compensation.claimevidence", item.pk)]
        assert entry["sha256"] == item.sha256
        with item.file.open("rb") as fh:
            assert zf.read(entry["path"]) == fh.read()

    # the audit trail covers every event about the claim, with its hashes
    audit = json.loads(zf.read("audit/audit.json"))
    claim_events = AuditEvent.objects.filter(object_type="compensation.claim", object_id=str(claim.pk))
    in_archive = {row["id"] for row in audit}
    assert (
        set(claim_events.exclude(code="compensation.claim.archive").values_list("id", flat=True))
        <= in_archive
    )
    assert all(row["hash_verified"] and len(row["hash"]) == 64 for row in audit)
    assert zf.read("audit/audit.pdf").startswith(b"%PDF-")
    # the computation as JSON (the decided figures) and PDF
    computation = json.loads(zf.read("computation/computation.json"))
    assert computation["claim"] == claim.computation and computation["claim"]["amount"]
    assert zf.read("computation/computation.pdf").startswith(b"%PDF-")

    # the manifest names the record, its creator and time; unsigned here (no certificate) and says so
    assert manifest["record"] == {
        "type": "compensation.claim",
        "id": claim.pk,
        "summary": manifest["record"]["summary"],
    }
    assert claim.reference in manifest["record"]["summary"]
    assert manifest["created_by"]["name"] == bureau_clerk.display_name and manifest["created_at"]
    assert manifest["signature"]["signed"] is False and "未签名" in manifest["signature"]["note"]
    pdf = zf.read("manifest.pdf")
    assert manifest["signature"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert manifest["missing"] == []

    # the download is audited, with the manifest's hash
    event = claim_events.filter(code="compensation.claim.archive").get()
    assert event.action == "下载案卷" and event.actor_id == bureau_clerk.pk
    assert event.data["manifest_sha256"] == manifest["signature"]["sha256"]


def test_the_manifest_pdf_is_sealed_when_a_certificate_is_configured(closed_claim, bureau_approver, ca):
    archive = build_claim_archive(claim=closed_claim, by=bureau_approver)
    zf, manifest = _open(archive.file.read())
    result = signing.verify_pdf(zf.read("manifest.pdf"))
    assert result.valid, result.message
    assert manifest["signature"]["signed"] is True and "已由" in manifest["signature"]["note"]


def test_the_generated_pages_are_chinese_text_without_dumps(closed_claim, bureau_clerk, tmp_path):
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    zf, manifest = _open(build_claim_archive(claim=closed_claim, by=bureau_clerk).file.read())
    for name in ("manifest.pdf", "audit/audit.pdf", "computation/computation.pdf"):
        path = tmp_path / name.replace("/", "_")
        path.write_bytes(zf.read(name))
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
        assert closed_claim.reference in text, name
        for bad in ("None", "{", "}", "[(", "'", "<td", "&lt;", "draft", "submitted", "closed", "paid"):
            assert bad not in text, (name, bad)
    manifest_text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "manifest.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "案卷文件清单" in manifest_text and "SHA-256" in manifest_text


@pytest.mark.parametrize("who", ["bank_officer", "bank_supervisor", "enterprise_user", "outsider"])
def test_banks_enterprises_and_outsiders_get_404(who, request, flow, loan, client_for):
    claim = flow.submitted(loan)
    user = request.getfixturevalue(who)
    response = client_for(user).get(reverse("compensation:claim_archive", args=[claim.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(code="compensation.claim.archive").exists()


def test_anonymous_is_sent_to_login(flow, loan, client):
    claim = flow.submitted(loan)
    response = client.get(reverse("compensation:claim_archive", args=[claim.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_finance_may_download_an_open_claims_archive_and_the_page_links_it(
    flow, loan, finance_user, bank_officer, client_for
):
    claim = flow.submitted(loan)
    url = reverse("compensation:claim_archive", args=[claim.pk])
    response = client_for(finance_user).get(url)
    assert response.status_code == 200
    zf, manifest = _open(b"".join(response.streaming_content))
    assert json.loads(zf.read("computation/computation.json"))["claim"] is None
    assert url in client_for(finance_user).get(claim.get_absolute_url()).content.decode()
    assert url not in client_for(bank_officer).get(claim.get_absolute_url()).content.decode()


def test_a_filings_archive_holds_its_documents_notices_and_trail_for_the_bureau_only(
    loan, bureau_approver, bank_officer, outsider, client_for, monkeypatch
):
    filing = loan.filing
    data = b"%PDF-1.4\n% loan contract\n%%EOF\n"
    doc = FilingDocument(
        filing=filing,
        kind=FilingDocument.Kind.LOAN_CONTRACT,
        content_type="application/pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        original_name="借款合同.pdf",
        uploaded_by=bank_officer,
    )
    doc.file.save("contract.pdf", ContentFile(data), save=True)
    notice_issue(
        kind="general",
        subject=filing,
        addressee=filing.bank,
        by=bureau_approver,
        context={"paragraphs": ["经审核，现将有关事项告知如下。"]},
    )
    with monkeypatch.context() as m:
        m.setattr("yunfu_ipfund.notices.pdf.render_pdf_bytes", _fake_render)
        for pk in Notice.objects.values_list("pk", flat=True):
            notice_render(pk)
    url = reverse("lenders:filing_archive", args=[filing.pk])
    for user in (bank_officer, outsider):
        assert client_for(user).get(url).status_code == 404
    first = client_for(bureau_approver).get(url)
    assert first.status_code == 200
    b"".join(first.streaming_content)
    response = client_for(bureau_approver).get(url)  # the second holds the first download's event
    zf, manifest = _open(b"".join(response.streaming_content))
    by_source = {
        (e["source"]["model"], e["source"]["pk"]): e for e in manifest["files"] if e["source"] != "generated"
    }
    documents = list(filing.documents.all())
    assert documents
    for doc in documents:
        assert by_source[("lenders.filingdocument", doc.pk)]["sha256"] == doc.sha256
    confirmations = Notice.objects.filter(subject_type="lenders.loanfiling", subject_id=str(filing.pk))
    assert confirmations
    for notice in confirmations:
        assert (
            hashlib.sha256(zf.read(by_source[("notices.notice", notice.pk)]["path"])).hexdigest()
            == notice.sha256
        )
    audit = {row["id"] for row in json.loads(zf.read("audit/audit.json"))}
    events = AuditEvent.objects.filter(object_type="lenders.loanfiling", object_id=str(filing.pk))
    downloads = events.filter(code="lenders.loanfiling.archive", actor=bureau_approver).order_by("id")
    assert downloads.count() == 2 and downloads[0].action == "下载案卷"
    assert downloads[0].id in audit and downloads[1].id not in audit
    page = (
        client_for(bureau_approver).get(reverse("lenders:filing_detail", args=[filing.pk])).content.decode()
    )
    assert url in page
    assert (
        url
        not in client_for(bank_officer)
        .get(reverse("lenders:filing_detail", args=[filing.pk]))
        .content.decode()
    )
