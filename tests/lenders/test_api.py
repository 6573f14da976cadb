"""The bank API: token auth, own records only, fail-closed actions, one error shape, idempotency."""

import pytest
from rest_framework.test import APIClient

from lenders import services
from lenders.models import IdempotencyRecord, LoanFiling
from yunfu_ipfund.common.dates import today

from .conftest import filing_values, first_review, make_filing, make_registration, pdf_file


def api(user):
    client = APIClient()
    token = services.api_token_issue(by=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def payload(registration, **overrides):
    values = filing_values(**overrides)
    body = {k: str(v) for k, v in values.items()}
    body["registration"] = registration.pk
    body["pledges"] = [
        {"asset": a.pk, "pledge_registration_number": "Y2026000123", "pledge_registered_on": "2026-11-20"}
        for a in registration.assets.all()
    ]
    return body


def test_without_a_token_the_api_answers_401_in_the_one_error_shape(db):
    response = APIClient().get("/api/filings/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_key_page_refuses_an_expiry_beyond_the_longest_or_none(client_for, bank_officer):
    response = client_for(bank_officer).post(
        "/lenders/api-token/new/", {"name": "信贷系统", "expires_on": "2099-01-01"}
    )
    assert response.status_code == 400  # beyond the longest expiry
    response = client_for(bank_officer).post(
        "/lenders/api-token/new/", {"name": "信贷系统", "expires_on": ""}
    )
    assert response.status_code == 400  # the date is required on the form (the default is prefilled)


def test_the_officer_creates_and_the_supervisor_submits_through_the_api(
    bank_officer, bank_supervisor, registration
):
    response = api(bank_officer).post("/api/filings/", payload(registration), format="json")
    assert response.status_code == 201, response.json()
    filing_id = response.json()["id"]
    client = api(bank_officer)
    for kind in ("loan_contract", "pledge_contract", "pledge_certificate", "disbursement_voucher"):
        r = client.post(
            f"/api/filings/{filing_id}/documents/", {"kind": kind, "file": pdf_file()}, format="multipart"
        )
        assert r.status_code == 201, r.json()
    response = api(bank_supervisor).post(f"/api/filings/{filing_id}/submit/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "submitted"


def test_the_bank_follows_the_first_review_through_the_api_but_cannot_make_it(
    first_reviewed, bank_officer, bank_supervisor
):
    """The bank API only creates and submits filings; the bureau's two steps are made on its pages."""
    body = api(bank_officer).get(f"/api/filings/{first_reviewed.pk}/").json()
    assert (body["status"], body["status_label"]) == ("first_reviewed", "初审通过，待审核")
    for action in ("first_review", "confirm"):
        response = api(bank_supervisor).post(f"/api/filings/{first_reviewed.pk}/{action}/", {}, format="json")
        assert response.status_code == 404, action  # the bank API has no such route
    first_reviewed.refresh_from_db()
    assert first_reviewed.status == LoanFiling.Status.FIRST_REVIEWED


def test_a_rule_failure_comes_back_itemised(bank_officer, bank_supervisor, registration):
    filing = make_filing(bank_officer, registration, documents=False)
    response = api(bank_supervisor).post(f"/api/filings/{filing.pk}/submit/")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "rules_failed"
    assert any(d["rule"] == "documents" for d in error["details"])


def test_bad_input_is_a_400_with_fields_never_a_500(bank_officer, registration):
    response = api(bank_officer).post(
        "/api/filings/", {**payload(registration), "amount": "1e400", "disbursed_on": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]


def test_the_idempotency_key_returns_the_first_result(bank_officer, registration):
    client = api(bank_officer)
    body = payload(registration)
    first = client.post("/api/filings/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    second = client.post("/api/filings/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert LoanFiling.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_the_same_key_with_a_different_body_is_a_conflict(bank_officer, registration):
    client = api(bank_officer)
    client.post("/api/filings/", payload(registration), format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = client.post(
        "/api/filings/",
        payload(registration, contract_number="OTHER"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert response.status_code == 409


def test_without_a_key_a_retry_is_refused_by_the_rules(bank_officer, registration):
    client = api(bank_officer)
    body = payload(registration)
    assert client.post("/api/filings/", body, format="json").status_code == 201
    assert client.post("/api/filings/", body, format="json").status_code == 400


def test_a_failed_request_does_not_burn_the_key(bank_officer, registration):
    client = api(bank_officer)
    bad = client.post(
        "/api/filings/", payload(registration, amount="x"), format="json", HTTP_IDEMPOTENCY_KEY="k2"
    )
    assert bad.status_code == 400
    good = client.post("/api/filings/", payload(registration), format="json", HTTP_IDEMPOTENCY_KEY="k3")
    assert good.status_code == 201


def test_reports_are_idempotent_too(loan, bank_officer):
    client = api(bank_officer)
    body = {"amount": "100000.00", "paid_on": str(today())}
    for _ in range(2):
        response = client.post(
            f"/api/loans/{loan.pk}/repayments/", body, format="json", HTTP_IDEMPOTENCY_KEY="pay-1"
        )
        assert response.status_code == 200
    loan.refresh_from_db()
    assert str(loan.outstanding_principal) == "900000.00"


@pytest.mark.parametrize(
    ("kind", "body", "status"),
    [
        ("overdue", {"overdue_since": "TODAY", "overdue_amount": "1000.00"}, "overdue"),
        ("classification", {"classification": "loss", "classified_on": "TODAY"}, "non_performing"),
        ("extension", {"new_maturity_on": "2027-12-31", "agreed_on": "TODAY"}, "active"),
    ],
)
def test_the_officer_reports_through_the_api(loan, bank_officer, kind, body, status):
    body = {k: str(today()) if v == "TODAY" else v for k, v in body.items()}  # the day the loan was confirmed
    response = api(bank_officer).post(f"/api/loans/{loan.pk}/{kind}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == status


def test_another_bank_gets_not_found_everywhere(loan, bank_b_officer, bank_b_supervisor):
    client = api(bank_b_officer)
    assert client.get(f"/api/filings/{loan.filing_id}/").status_code == 404
    assert client.get(f"/api/loans/{loan.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/loans/{loan.pk}/repayments/", {"amount": "1.00", "paid_on": str(today())}, format="json"
        ).status_code
        == 404
    )
    assert api(bank_b_supervisor).post(f"/api/filings/{loan.filing_id}/submit/").status_code == 404
    assert client.get("/api/filings/").json()["results"] == []


def test_another_banks_registration_cannot_be_filed(bank_b_officer, bank_b_profile, registration):
    response = api(bank_b_officer).post("/api/filings/", payload(registration), format="json")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("delete", "/api/filings/{filing}/"),
        ("put", "/api/filings/{filing}/"),
        ("patch", "/api/loans/{loan}/"),
        ("post", "/api/loans/"),
    ],
)
def test_unknown_actions_fail_closed(loan, bank_officer, method, url):
    response = getattr(api(bank_officer), method)(
        url.format(filing=loan.filing_id, loan=loan.pk), {}, format="json"
    )
    assert response.status_code == 403  # ActionPermissions fails closed before the method is looked at
    assert "error" in response.json()


def test_the_wrong_role_is_refused(loan, bank_supervisor, bureau_approver):
    assert api(bank_supervisor).post(f"/api/loans/{loan.pk}/overdue/", {}, format="json").status_code == 403
    client = APIClient()
    client.force_authenticate(bureau_approver)
    assert client.get("/api/filings/").status_code == 403


def test_the_schema_and_docs_are_served_locally(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/filings/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar" in html and "cdn" not in html.lower()


def test_api_lists_keep_a_constant_number_of_queries(
    bank_officer,
    bank_supervisor,
    bureau_approver,
    enterprise_a,
    enterprise_a_profile,
    bank_a,
    bank_a_profile,
    enterprise_user,
    policy,
    django_assert_max_num_queries,
):
    from decimal import Decimal

    from yunfu_ipfund.policy.models import PolicyVersion

    PolicyVersion.objects.filter(pk=policy.pk).update(
        enterprise_outstanding_cap=Decimal("999999999.00"), leverage_multiple=Decimal("9999.00")
    )
    client = api(bank_officer)

    def add(n):
        for _ in range(n):
            filing = make_filing(bank_officer, make_registration(enterprise_a, bank_a, enterprise_user))
            services.filing_submit(by=bank_supervisor, filing=filing)
            first_review(filing, bureau_approver)
            services.filing_confirm(by=bureau_approver, filing=filing)

    add(5)
    counts = {}
    for url in ("/api/filings/", "/api/loans/"):
        with django_assert_max_num_queries(12) as small:
            assert client.get(url).status_code == 200
        counts[url] = len(small.captured_queries)
    add(45)
    for url in ("/api/filings/", "/api/loans/"):
        with django_assert_max_num_queries(counts[url]):
            assert len(client.get(url).json()["results"]) == 50
