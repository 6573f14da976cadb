"""Duplicate evidence is detected by content (Rulings of December 2026): the SHA-256 of the file's
bytes is kept on each material; the same file as two materials of one claim, or a file already used
in another claim (of any bank), is a warning (not a refusal) recorded at upload and shown to the
bank's officer and supervisor and to the bureau clerk at intake. A bank is told only that the file is
also in another claim, never which claim or bank; the bureau is told which."""

import hashlib
import importlib

from django.apps import apps as django_apps
from django.urls import reverse

from compensation import services
from compensation.evidence import EVIDENCE_BY_CODE, REQUIRED_EVIDENCE
from compensation.models import ClaimEvidence
from tests.factories import make_non_performing_loan
from yunfu_ipfund.audit.models import AuditEvent

from .conftest import PDF, pdf_file

ELSEWHERE = "该文件与其他补偿申请中的材料内容相同"


def unique_pdf(tag):
    return pdf_file(f"{tag}.pdf", content=PDF + f"% {tag}\n".encode())


def draft_with_distinct_files(flow, loan, tag):
    claim = services.claim_create(
        by=flow.officer, covered_loan=loan, unrecovered_principal="600000.00", enforcement_actions="电话催收"
    )
    for kind in REQUIRED_EVIDENCE:
        services.evidence_upload(by=flow.officer, claim=claim, kind=kind, file=unique_pdf(f"{tag}-{kind}"))
    for kind in ("litigation_papers", "disposal_evidence"):
        services.evidence_mark_not_applicable(by=flow.officer, claim=claim, kind=kind, reason="尚未进行")
    return claim


def page(client_for, user, claim):
    return client_for(user).get(claim.get_absolute_url()).content.decode()


def test_the_same_pdf_as_every_material_warns_officer_supervisor_and_the_clerk_at_intake(
    flow, loan, client_for
):
    claim = flow.draft(loan)  # the builder uploads one and the same PDF for every required material
    labels = [EVIDENCE_BY_CODE[k].label for k in REQUIRED_EVIDENCE]
    for user in (flow.officer, flow.supervisor):
        text = page(client_for, user, claim)
        assert "材料内容重复提示" in text and "以下材料为同一文件" in text
        assert all(f"“{label}”" in text for label in labels)
    last = ClaimEvidence.objects.filter(claim=claim).exclude(sha256="").latest("id")
    assert last.sha256 == hashlib.sha256(PDF).hexdigest()
    assert len(last.duplicates["kinds"]) == len(REQUIRED_EVIDENCE) - 1 and last.duplicates["claims"] == []
    recorded = AuditEvent.objects.filter(
        code="compensation.claim.evidence_duplicate", object_id=str(claim.pk)
    )
    assert recorded.count() == len(REQUIRED_EVIDENCE) - 1  # every upload after the first
    services.claim_submit(by=flow.supervisor, claim=claim)  # a warning, not a refusal
    clerk_page = page(client_for, flow.clerk, claim)
    assert (
        "受理（完整性审查）" in clerk_page
        and "受理前请核对" in clerk_page
        and "以下材料为同一文件" in clerk_page
    )


def test_distinct_files_raise_no_warning_and_a_replaced_duplicate_clears_it(flow, loan, client_for):
    claim = draft_with_distinct_files(flow, loan, "a")
    assert "材料内容重复提示" not in page(client_for, flow.officer, claim)
    assert not AuditEvent.objects.filter(code="compensation.claim.evidence_duplicate").exists()
    copy = ClaimEvidence.objects.filter(claim=claim, kind="loan_contract").latest("id")
    upload = unique_pdf("a-loan_contract")
    services.evidence_upload(by=flow.officer, claim=claim, kind="pledge_contract", file=upload)
    assert ClaimEvidence.duplicate_findings(claim) == [
        "以下材料为同一文件（内容相同）：“借款合同”、“知识产权质押合同”，请核对是否误传。"
    ]
    assert copy.sha256 == ClaimEvidence.objects.filter(claim=claim).latest("id").sha256
    services.evidence_upload(by=flow.officer, claim=claim, kind="pledge_contract", file=unique_pdf("a-new"))
    assert ClaimEvidence.duplicate_findings(claim) == []


def test_a_file_from_another_banks_claim_is_flagged_without_naming_it_to_the_bank(
    flow, loan, client_for, bank_b, enterprise_a, bank_b_officer
):
    other_loan = make_non_performing_loan(bank_b, enterprise_a, bank_b_officer)
    other = services.claim_create(
        by=bank_b_officer,
        covered_loan=other_loan,
        unrecovered_principal="500000.00",
        enforcement_actions="催收",
    )
    services.evidence_upload(
        by=bank_b_officer, claim=other, kind="repayment_record", file=unique_pdf("shared")
    )
    claim = draft_with_distinct_files(flow, loan, "b")
    item = services.evidence_upload(
        by=flow.officer, claim=claim, kind="repayment_record", file=unique_pdf("shared")
    )
    assert item.duplicates == {"kinds": [], "claims": [other.pk]}
    bank_page = page(client_for, flow.officer, claim)
    assert f"“还款记录”：{ELSEWHERE}。" in bank_page
    assert other.reference not in bank_page and bank_b.name not in bank_page
    bureau_page = page(client_for, flow.clerk, claim)
    assert f"补偿申请 {other.reference} 的“还款记录”" in bureau_page
    # the other bank is told the same, about its own claim, without ours
    theirs = page(client_for, bank_b_officer, other)
    assert ELSEWHERE in theirs and claim.reference not in theirs


def test_the_upload_on_the_page_says_so(flow, loan, client_for):
    claim = draft_with_distinct_files(flow, loan, "c")
    url = reverse("compensation:claim_action", args=[claim.pk, "evidence"])
    response = client_for(flow.officer).post(
        url, {"kind": "pledge_contract", "file": unique_pdf("c-loan_contract")}, follow=True
    )
    assert response.status_code == 200 and "上传的文件与其他材料内容相同" in response.content.decode()


def test_the_migration_hashes_existing_readable_files_and_leaves_missing_ones(flow, loan):
    claim = draft_with_distinct_files(flow, loan, "d")
    items = list(ClaimEvidence.objects.filter(claim=claim).exclude(file="").order_by("id")[:2])
    readable, missing = items
    ClaimEvidence.objects.filter(pk__in=[readable.pk, missing.pk]).update(sha256="")
    missing.file.storage.delete(missing.file.name)
    migration = importlib.import_module("compensation.migrations.0005_evidence_content_hash")
    migration.hash_existing_files(django_apps, None)
    readable.refresh_from_db()
    missing.refresh_from_db()
    assert readable.sha256 == hashlib.sha256(PDF + b"% d-loan_contract\n").hexdigest()
    assert missing.sha256 == ""


def test_a_file_shared_with_many_claims_is_one_short_line_for_the_bureau(flow, loan, client_for, bank_a):
    """The same file in every material of many claims (a bank's template scan) gives one line per file,
    naming at most SHOWN_CLAIMS other claims: the page a clerk reads stays short."""
    from tests.factories import make_non_performing_loan as another_loan

    others = [flow.draft(another_loan(bank_a, loan.enterprise, flow.officer)) for _ in range(7)]
    claim = flow.draft(loan)
    findings = ClaimEvidence.duplicate_findings(claim, reveal=True)
    assert len(findings) == 2  # the same file as every material here; the same file as in other claims
    elsewhere = findings[1]
    assert elsewhere.count("补偿申请 BC") == ClaimEvidence.SHOWN_CLAIMS
    assert f"等共 {len(others)} 项申请" in elsewhere and f"{len(REQUIRED_EVIDENCE)} 份材料" in elsewhere
    assert ClaimEvidence.duplicate_findings(claim) == findings[:1] + [
        "、".join(f"“{EVIDENCE_BY_CODE[k].label}”" for k in REQUIRED_EVIDENCE) + f"：{ELSEWHERE}。"
    ]
