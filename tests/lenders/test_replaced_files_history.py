"""Issue 14 item 2: a re-uploaded scan replaces the unclear one, and the old one stays in the history
(shown with who and when, downloadable by those who could download the original), on the filing page
and on the claim page; the replacement still counts as a change for the four-eyes rule."""

from django.urls import reverse

from lenders import models as lender_models
from lenders import services
from lenders.models import FilingDocument
from tests.conftest import make_user
from tests.factories import PDF, pdf_file
from yunfu_ipfund.accounts.roles import Role

CLEAR = PDF + b"% a clearer scan\n"


def _page(client, filing):
    return client.get(reverse("lenders:filing_detail", args=[filing.pk])).content.decode()


def test_a_replaced_filing_document_stays_in_the_history(
    client_for, draft, bank_a, bank_officer, bank_b_officer
):
    other = make_user("officer2", bank_a, Role.BANK_OFFICER, full_name="赵经办")
    old = FilingDocument.objects.filter(filing=draft, kind="loan_contract").order_by("-id").first()
    if old is None:
        old = services.filing_document_add(
            by=bank_officer, filing=draft, kind="loan_contract", file=pdf_file("模糊.pdf")
        )
    response = client_for(other).post(
        reverse("lenders:filing_document_upload", args=[draft.pk]),
        {"kind": "loan_contract", "file": pdf_file("清晰.pdf", CLEAR)},
    )
    assert response.status_code == 302
    new = FilingDocument.objects.filter(filing=draft, kind="loan_contract").latest("id")
    assert new.pk != old.pk and new.original_name == "清晰.pdf"
    body = _page(client_for(bank_officer), draft)
    assert "历史版本（1）" in body and "已被替换" in body
    history = body.split("历史版本（1）")[1].split("</details>")[0]
    assert reverse("lenders:document_download", args=[old.pk]) in history
    assert reverse("lenders:document_download", args=[new.pk]) not in history
    assert "赵经办" in body  # who replaced it
    # The old file is still downloadable by whoever could download it, and by nobody else.
    assert (
        client_for(bank_officer).get(reverse("lenders:document_download", args=[old.pk])).status_code == 200
    )
    assert (
        client_for(bank_b_officer).get(reverse("lenders:document_download", args=[old.pk])).status_code == 404
    )
    # The replacement is a change of the filing (four eyes by last change).
    assert lender_models.FilingChange.objects.filter(filing=draft, changed_by=other, kind="evidence").exists()
