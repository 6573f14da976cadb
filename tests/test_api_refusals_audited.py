"""Every bank API refusal of an identified caller is in the tamper-evident log (issue 11 item 4): 401
for a recognised key that no longer works, 403, 404 on another organisation's record, 409; recorded as
the pages record a refused write (操作被拒绝, with method, path, status and code, via the API). A 401
that names nobody (no credentials, a key nobody holds) is not recorded."""

import pytest
from rest_framework.test import APIClient

from lenders.services.tokens import api_key_revoke, api_token_issue
from tests.factories import make_non_performing_loan
from yunfu_ipfund.accounts.actions import WRITE_REFUSED
from yunfu_ipfund.audit.models import AuditEvent


def refusals():
    return list(AuditEvent.objects.filter(code=WRITE_REFUSED.code).order_by("id"))


def api(user):
    issued = api_token_issue(by=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    return client, issued


def assert_refusal(event, *, user, method, path, status, code):
    assert event.actor_id == user.pk and event.action == "操作被拒绝"
    assert event.data == {"via": "api", "method": method, "path": path, "status": status, "code": code}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in event.reason)


@pytest.fixture
def loan(bank_a, enterprise_a, bank_officer, finance_bureau, bureau):
    return make_non_performing_loan(bank_a, enterprise_a, bank_officer)


def test_a_403_for_the_role_is_recorded(loan, bank_officer):
    client, _ = api(bank_officer)
    path = f"/api/filings/{loan.filing_id}/submit/"
    assert client.post(path).status_code == 403
    [event] = refusals()
    assert_refusal(event, user=bank_officer, method="POST", path=path, status=403, code="forbidden")


def test_a_404_on_another_banks_record_is_recorded_for_reads_and_writes(loan, bank_b_officer):
    client, _ = api(bank_b_officer)
    read, write = f"/api/loans/{loan.pk}/", f"/api/loans/{loan.pk}/repayments/"
    assert client.get(read).status_code == 404
    assert client.post(write, {"amount": "1.00", "paid_on": "2026-11-30"}, format="json").status_code == 404
    first, second = refusals()
    assert_refusal(first, user=bank_b_officer, method="GET", path=read, status=404, code="not_found")
    assert_refusal(second, user=bank_b_officer, method="POST", path=write, status=404, code="not_found")


def test_a_409_for_a_reused_idempotency_key_is_recorded(loan, bank_officer):
    client, _ = api(bank_officer)
    body = {"covered_loan": loan.pk, "unrecovered_principal": "600000.00", "enforcement_actions": "催收"}
    assert client.post("/api/claims/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1").status_code == 201
    other = dict(body, unrecovered_principal="500000.00")
    assert client.post("/api/claims/", other, format="json", HTTP_IDEMPOTENCY_KEY="k1").status_code == 409
    [event] = refusals()
    assert_refusal(
        event,
        user=bank_officer,
        method="POST",
        path="/api/claims/",
        status=409,
        code="idempotency_key_reused",
    )


def test_a_401_for_a_revoked_key_is_recorded_naming_its_holder(bank_officer):
    client, issued = api(bank_officer)
    api_key_revoke(by=bank_officer, key=issued, reason="对接系统下线")
    response = client.get("/api/loans/")
    assert response.status_code == 401 and response.json()["error"]["code"] == "api_key_revoked"
    [event] = refusals()
    assert_refusal(
        event, user=bank_officer, method="GET", path="/api/loans/", status=401, code="api_key_revoked"
    )


def test_a_401_that_names_nobody_is_not_recorded(db):
    anonymous = APIClient()
    assert anonymous.get("/api/loans/").status_code == 401
    anonymous.credentials(HTTP_AUTHORIZATION="Token yfk_nobody.nothing")
    assert anonymous.get("/api/loans/").status_code == 401
    assert refusals() == []


def test_an_answer_that_is_no_refusal_is_not_recorded(loan, bank_officer):
    client, _ = api(bank_officer)
    assert client.get(f"/api/loans/{loan.pk}/").status_code == 200
    assert client.get("/api/loans/?status=nonsense").status_code == 400
    assert refusals() == []
