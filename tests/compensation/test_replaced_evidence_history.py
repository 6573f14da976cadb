"""Issue 14 item 2: a re-uploaded claim scan replaces the unclear one; the old one stays in the history
on the claim page (who, when), downloadable by those who could download the original."""

from django.urls import reverse

from compensation import services as claim_services
from compensation.models import ClaimEvidence
from tests.factories import PDF, pdf_file

CLEAR = PDF + b"% a clearer scan\n"


def test_a_replaced_claim_evidence_stays_in_the_history(client_for, flow, loan, bank_officer, bank_b_officer):
    claim = flow.draft(loan)
    old = ClaimEvidence.objects.filter(claim=claim, not_applicable=False).latest("id")
    claim_services.evidence_upload(
        by=bank_officer, claim=claim, kind=old.kind, file=pdf_file("重扫.pdf", CLEAR)
    )
    body = client_for(bank_officer).get(claim.get_absolute_url()).content.decode()
    assert "历史版本（1）" in body and "已被替换" in body
    old_url = reverse("compensation:evidence_download", args=[claim.pk, old.pk])
    assert old_url in body.split("历史版本（1）")[1].split("</details>")[0]
    assert client_for(bank_officer).get(old_url).status_code == 200
    assert client_for(bank_b_officer).get(old_url).status_code == 404
