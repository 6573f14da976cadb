"""An enterprise follows its own filings and covered loans: read only, never another enterprise's."""

import pytest

from lenders import selectors
from lenders.models import CoveredLoan, LoanFiling

from .conftest import make_filing, make_registration


def test_the_enterprise_sees_its_loan_filing_and_documents(client_for, loan, enterprise_user):
    client = client_for(enterprise_user)
    assert loan.contract_number in client.get("/lenders/loans/").content.decode()
    assert loan.contract_number in client.get("/lenders/filings/").content.decode()
    body = client.get(f"/lenders/loans/{loan.pk}/").content.decode()
    assert loan.contract_number in body and "data-confirm" not in body  # no report forms
    body = client.get(f"/lenders/filings/{loan.filing_id}/").content.decode()
    assert "修改备案信息" not in body and "data-confirm" not in body
    doc = loan.filing.documents.first()
    assert client.get(f"/lenders/documents/{doc.pk}/").status_code == 200


def test_another_enterprise_gets_not_found(client_for, loan, enterprise_b_user):
    client = client_for(enterprise_b_user)
    doc = loan.filing.documents.first()
    for url in (
        f"/lenders/loans/{loan.pk}/",
        f"/lenders/filings/{loan.filing_id}/",
        f"/lenders/documents/{doc.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert loan.contract_number not in client.get("/lenders/loans/").content.decode()
    assert loan.contract_number not in client.get("/lenders/filings/").content.decode()


def test_the_enterprise_sees_only_its_own_among_several(
    loan, bank_b_loan, enterprise_user, enterprise_b_user
):
    assert list(selectors.loans_visible_to(enterprise_user)) == [loan]
    assert list(selectors.loans_visible_to(enterprise_b_user)) == [bank_b_loan]


def test_a_bank_draft_is_not_shown_to_the_enterprise_until_submitted(draft, enterprise_user, bank_supervisor):
    from lenders import services

    assert not selectors.filings_visible_to(enterprise_user).filter(pk=draft.pk).exists()
    services.filing_submit(by=bank_supervisor, filing=draft)
    assert selectors.filings_visible_to(enterprise_user).filter(pk=draft.pk).exists()


@pytest.mark.parametrize("kind", ["repayment", "overdue", "classification", "extension"])
def test_the_enterprise_cannot_report_on_its_loan(client_for, loan, enterprise_user, kind):
    before = loan.events.count()
    response = client_for(enterprise_user).post(f"/lenders/loans/{loan.pk}/report/{kind}/", {})
    assert response.status_code == 404
    assert loan.events.count() == before


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("submit", 404),
        ("return", 403),
        ("override", 403),
        ("confirm", 403),
        ("refuse", 403),
        ("documents", 404),
    ],
)
def test_the_enterprise_cannot_act_on_its_filing(client_for, submitted, enterprise_user, action, status):
    response = client_for(enterprise_user).post(
        f"/lenders/filings/{submitted.pk}/{action}/", {"reason": "企业自行操作", "reasons": "补正"}
    )
    assert response.status_code == status
    submitted.refresh_from_db()
    assert submitted.status == LoanFiling.Status.SUBMITTED
    assert not CoveredLoan.objects.filter(filing=submitted).exists()


def test_the_enterprise_cannot_edit_or_file(client_for, submitted, registration, enterprise_user):
    client = client_for(enterprise_user)
    # The enterprise sees its own filing and registration, but has not the bank officer's role: 403.
    assert client.get(f"/lenders/filings/{submitted.pk}/edit/").status_code == 403
    assert client.get(f"/lenders/registrations/{registration.pk}/file/").status_code == 403
    assert client.get("/lenders/registrations/").status_code == 404


def test_the_enterprise_cannot_use_the_bank_api(loan, enterprise_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(enterprise_user)
    assert api.get("/api/loans/").status_code == 403


def test_another_enterprises_draft_stays_hidden(
    bank_officer,
    enterprise_b,
    enterprise_b_profile,
    bank_a,
    bank_a_profile,
    enterprise_b_user,
    enterprise_user,
):
    filing = make_filing(
        bank_officer, make_registration(enterprise_b, bank_a, enterprise_b_user), documents=False
    )
    assert not selectors.filings_visible_to(enterprise_user).filter(pk=filing.pk).exists()
