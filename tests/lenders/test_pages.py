"""Pages: who may see what (404 outside one's organisation), the actions, constant queries on lists."""

import re

import pytest
from django.urls import reverse

from lenders.models import CoveredLoan, FilingDocument, LoanFiling
from yunfu_ipfund.common.dates import today

from .conftest import first_review, make_filing, make_registration


def test_the_public_bank_list_needs_no_login(client, bank_a_profile):
    response = client.get("/lenders/banks/")
    assert response.status_code == 200
    assert bank_a_profile.organisation.name in response.content.decode()


@pytest.mark.parametrize(
    "who", ["bank_officer", "bank_supervisor", "bureau_clerk", "bureau_approver", "finance_user"]
)
def test_a_filing_page_renders_for_everyone_entitled(client_for, submitted, request, who):
    response = client_for(request.getfixturevalue(who)).get(f"/lenders/filings/{submitted.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert submitted.contract_number in body and "规则核验" in body and "办理记录" in body


@pytest.mark.parametrize("who", ["bank_b_officer", "enterprise_b_user", "outsider"])
def test_another_organisation_gets_not_found_for_filings_loans_and_documents(client_for, loan, request, who):
    client = client_for(request.getfixturevalue(who))
    doc = FilingDocument.objects.filter(filing=loan.filing).first()
    for url in (
        f"/lenders/filings/{loan.filing_id}/",
        f"/lenders/loans/{loan.pk}/",
        f"/lenders/documents/{doc.pk}/",
    ):
        assert client.get(url).status_code == 404, url


def test_the_own_bank_downloads_a_document(client_for, draft, bank_officer):
    doc = draft.documents.first()
    response = client_for(bank_officer).get(f"/lenders/documents/{doc.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_lists_show_only_the_own_bank(client_for, loan, bank_b_loan, bank_officer):
    client = client_for(bank_officer)
    for url in ("/lenders/filings/", "/lenders/loans/"):
        body = client.get(url).content.decode()
        assert loan.contract_number in body
        assert bank_b_loan.contract_number not in body


def test_the_supervisor_submits_from_the_page(client_for, draft, bank_supervisor):
    response = client_for(bank_supervisor).post(f"/lenders/filings/{draft.pk}/submit/")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == LoanFiling.Status.SUBMITTED


def test_a_refused_submission_goes_back_with_the_itemised_rules(
    client_for, bank_officer, bank_supervisor, registration
):
    filing = make_filing(bank_officer, registration, documents=False)
    client = client_for(bank_supervisor)
    url = f"/lenders/filings/{filing.pk}/"
    response = client.post(f"{url}submit/", HTTP_REFERER=f"http://testserver{url}", follow=True)
    body = response.content.decode()
    assert "未通过规则核验" in body and "备案材料齐全" in body
    filing.refresh_from_db()
    assert filing.status == LoanFiling.Status.DRAFT


def test_the_officer_creates_a_filing_through_the_form(client_for, bank_officer, registration):
    asset = registration.assets.get()
    data = {
        "contract_number": "JK-FORM-1",
        "amount": "1000000.00",
        "ip_amount": "600000.00",
        "other_collateral": "",
        "disbursed_on": "2026-11-24",
        "maturity_on": "2027-10-20",
        "annual_rate": "3.6",
        "repayment_method": "bullet",
        f"pledge_no_{asset.pk}": "Y2026000001",
        f"pledge_on_{asset.pk}": "2026-11-20",
    }
    response = client_for(bank_officer).post(f"/lenders/registrations/{registration.pk}/file/", data)
    filing = LoanFiling.objects.get(contract_number="JK-FORM-1")
    assert response.status_code == 302 and response["Location"] == f"/lenders/filings/{filing.pk}/"


def test_the_form_keeps_the_input_and_shows_the_problem(client_for, bank_officer, registration):
    data = {
        "contract_number": "JK-FORM-2",
        "amount": "1000000.001",
        "ip_amount": "600000.00",
        "disbursed_on": "2026-11-24",
        "maturity_on": "2027-10-20",
        "annual_rate": "3.6",
        "repayment_method": "bullet",
    }
    response = client_for(bank_officer).post(f"/lenders/registrations/{registration.pk}/file/", data)
    assert response.status_code == 200
    assert "最多保留两位小数" in response.content.decode()
    assert not LoanFiling.objects.exists()


def test_the_bureau_queue_is_ordered_by_review_deadline(client_for, submitted, bureau_clerk):
    response = client_for(bureau_clerk).get("/lenders/bureau/queue/")
    assert response.status_code == 200 and submitted.contract_number in response.content.decode()


def test_a_bank_user_cannot_open_the_bureau_pages(client_for, bank_officer, bank_a_profile):
    client = client_for(bank_officer)
    assert client.get("/lenders/bureau/queue/").status_code == 404
    assert client.get(f"/lenders/bureau/banks/{bank_a_profile.pk}/").status_code == 404


def test_the_approver_confirms_from_the_page(client_for, first_reviewed, bureau_approver):
    response = client_for(bureau_approver).post(
        f"/lenders/filings/{first_reviewed.pk}/confirm/", {"reason": "符合条件"}
    )
    assert response.status_code == 302
    assert CoveredLoan.objects.filter(filing=first_reviewed).exists()


def test_the_officer_reports_a_repayment_from_the_page(client_for, loan, bank_officer):
    c, report = client_for(bank_officer), f"/lenders/loans/{loan.pk}/report/repayment/"
    first = c.post(report, {"repayment-amount": "100000.00", "repayment-paid_on": str(today())})
    assert first.status_code == 200 and "请确认：报告还款" in first.content.decode()  # after validation
    confirmed = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', first.content.decode())
    )
    response = c.post(report, confirmed)
    assert response.status_code == 302
    loan.refresh_from_db()
    assert str(loan.outstanding_principal) == "900000.00"


def test_the_bureau_suspends_a_bank_from_its_page(client_for, bank_a_profile, bureau_approver):
    response = client_for(bureau_approver).post(
        f"/lenders/bureau/banks/{bank_a_profile.pk}/", {"action": "suspend", "reason": "整改"}
    )
    assert response.status_code == 302
    bank_a_profile.refresh_from_db()
    assert bank_a_profile.status == "suspended"


@pytest.mark.parametrize(
    "url",
    [
        "/lenders/filings/",
        "/lenders/loans/",
        "/lenders/registrations/",
        "/lenders/imports/",
        "/lenders/api-token/",
    ],
)
def test_bank_pages_render(client_for, loan, bank_officer, url):
    assert client_for(bank_officer).get(url).status_code == 200


@pytest.mark.parametrize(
    "url", ["/lenders/filings/", "/lenders/loans/", "/lenders/bureau/banks/", "/lenders/bureau/queue/"]
)
def test_bureau_pages_render(client_for, loan, bureau_approver, url):
    assert client_for(bureau_approver).get(url).status_code == 200


def _many_loans(n, officer, supervisor, approver, enterprise, bank, user):
    from lenders import services

    for _ in range(n):
        filing = make_filing(officer, make_registration(enterprise, bank, user))
        services.filing_submit(by=supervisor, filing=filing)
        first_review(filing, approver)
        services.filing_confirm(by=approver, filing=filing)


URLS = ["/lenders/filings/", "/lenders/loans/", "/lenders/registrations/", "/lenders/bureau/banks/"]


def test_list_pages_keep_a_constant_number_of_queries(
    client_for,
    django_assert_max_num_queries,
    bank_officer,
    bank_supervisor,
    bureau_approver,
    enterprise_a,
    enterprise_a_profile,
    bank_a,
    bank_a_profile,
    enterprise_user,
    policy,
    bureau_clerk,
):
    from decimal import Decimal

    from yunfu_ipfund.policy.models import PolicyVersion

    PolicyVersion.objects.filter(pk=policy.pk).update(
        enterprise_outstanding_cap=Decimal("999999999.00"), leverage_multiple=Decimal("9999.00")
    )
    _many_loans(5, bank_officer, bank_supervisor, bureau_approver, enterprise_a, bank_a, enterprise_user)
    counts = {}
    for url in URLS:
        client = client_for(bureau_clerk if "bureau" in url else bank_officer)
        client.get(url)
        with django_assert_max_num_queries(14) as small:
            assert client.get(url).status_code == 200
        counts[url] = len(small.captured_queries)
    _many_loans(45, bank_officer, bank_supervisor, bureau_approver, enterprise_a, bank_a, enterprise_user)
    for url in URLS:
        client = client_for(bureau_clerk if "bureau" in url else bank_officer)
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_reverse_names_exist():
    assert reverse("lenders:public_banks") == "/lenders/banks/"
