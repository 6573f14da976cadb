"""Pages, the public notice, and the bank API: who may, who may not (404 outside), no 500 on bad input."""

import json
import re

from django.urls import reverse
from rest_framework.test import APIClient

from compensation import services
from compensation.models import Claim, Objection, Recovery
from lenders.services.tokens import api_token_issue
from yunfu_ipfund.notices.models import Notice

from .conftest import pdf_file

CLAIMS = reverse("compensation:claim_list")
QUEUE = reverse("compensation:queue")
PUBLIC = reverse("compensation:public_list")
API_CLAIMS = reverse("api-claims-list")


def action_url(claim, action):
    return reverse("compensation:claim_action", args=[claim.pk, action])


def api_url(name, *args):
    return reverse(f"api-claims-{name}", args=args)


def test_the_bank_sees_its_claim_page_with_checklist_and_notices(client_for, flow, loan, bank_officer):
    claim = flow.submitted(loan)
    body = client_for(bank_officer).get(claim.get_absolute_url()).content.decode()
    assert claim.reference in body and "完整度 100%" in body and "受理期限" in body


def test_another_bank_gets_404_for_the_claim_page_its_documents_and_actions(
    client_for, flow, loan, bank_b_officer
):
    claim = flow.submitted(loan)
    item = claim.evidence.filter(not_applicable=False).first()
    c = client_for(bank_b_officer)
    assert c.get(claim.get_absolute_url()).status_code == 404
    assert c.get(reverse("compensation:evidence_download", args=[claim.pk, item.pk])).status_code == 404
    update = {"unrecovered_principal": "1", "enforcement_actions": "x"}
    assert c.post(action_url(claim, "update"), update).status_code == 404
    assert "BC" not in c.get(CLAIMS).content.decode().split("全部申请")[1]


def test_an_enterprise_user_sees_no_claims(client_for, flow, loan, enterprise_user):
    claim = flow.submitted(loan)
    assert client_for(enterprise_user).get(claim.get_absolute_url()).status_code == 404
    assert client_for(enterprise_user).get(QUEUE).status_code == 404


def test_the_bureau_works_a_claim_through_the_pages(client_for, flow, loan, bureau_clerk, bureau_approver):
    claim = flow.submitted(loan)
    clerk = client_for(bureau_clerk)
    assert claim.reference in clerk.get(CLAIMS).content.decode()
    clerk.post(action_url(claim, "accept"), HTTP_REFERER=claim.get_absolute_url())
    clerk.post(action_url(claim, "first_review"), {"opinion": "同意", "rule_claim_window": "期限内"})
    claim.refresh_from_db()
    assert claim.status == Claim.Status.FIRST_REVIEWED
    approver = client_for(bureau_approver)
    body = approver.get(claim.get_absolute_url()).content.decode()
    assert "补偿金额测算" in body and "192,000.00" in body and "确认提交复审结论？" not in body
    first = approver.post(
        action_url(claim, "second_review"),
        {
            "outcome": "partial",
            "reason": "核减",
            "code_1": "D05",
            "amount_1": "30000",
            "code_2": "D07",
            "amount_2": "50000",
        },
    ).content.decode()
    assert "请确认：提交复审结论" in first  # confirmed after the server accepted the input
    approver.post(
        action_url(claim, "second_review"),
        dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', first)),
    )
    claim.refresh_from_db()
    assert claim.approved_amount == 160000


def test_a_bad_number_on_an_action_comes_back_as_a_message_not_a_500(client_for, flow, loan, bank_officer):
    claim = flow.draft(loan)
    url = claim.get_absolute_url()
    response = client_for(bank_officer).post(
        action_url(claim, "update"),
        {"unrecovered_principal": "abc", "enforcement_actions": "x"},
        HTTP_REFERER=url,
        follow=True,
    )
    # The claim page comes back with the form as typed (400), the error named by its field.
    assert (
        response.status_code == 400 and "未收回本金（元）：“abc”不是有效的金额。" in response.content.decode()
    )
    response = client_for(bank_officer).post(action_url(claim, "nonsense"), HTTP_REFERER=url)
    assert response.status_code == 404


def test_the_public_sees_only_published_masked_rows_and_no_documents(client, flow, loan):
    draft_only = flow.approved(loan)
    assert client.get(PUBLIC).status_code == 200
    assert "云浮市云石科技" not in client.get(PUBLIC).content.decode()
    batch = services.notice_batch_publish(by=flow.clerk, claims=[draft_only])
    body = client.get(batch.get_absolute_url()).content.decode()
    assert "云浮市**科技有限公司" in body and "云浮市云石科技有限公司" not in body
    assert "evidence" not in body and "192,000.00" in body
    assert client.get(draft_only.get_absolute_url()).status_code == 302  # login required
    assert client.get(reverse("compensation:public_detail", args=[99999])).status_code == 404


def test_an_objection_through_the_public_form_is_escaped_and_waits_for_the_clerk(
    client, flow, loan, bureau_approver, client_for
):
    claim = flow.published(loan)
    url = claim.batch.get_absolute_url()
    bad = client.post(url, {"claim": claim.pk, "name": "张三", "contact": "", "content": "x"})
    assert bad.status_code == 400
    ok = client.post(
        url,
        {
            "claim": claim.pk,
            "name": "张三",
            "contact": "13800000000",
            "content": "<b>该企业仍在正常经营，贷款并未逾期</b>",
        },
    )
    assert ok.status_code == 302
    claim.refresh_from_db()
    # The claim stays on notice: only the clerk's ruling that the objection is founded sends it back.
    assert claim.status == Claim.Status.PUBLIC_NOTICE and Objection.objects.count() == 1
    body = client_for(bureau_approver).get(claim.get_absolute_url()).content.decode()
    assert "&lt;b&gt;该企业仍在正常经营" in body and "<b>该企业" not in body


def test_the_objection_form_is_rate_limited(client, flow, loan, settings):
    settings.PUBLIC_FORM_RATE_PER_HOUR = 1
    from django.core.cache import cache

    cache.clear()
    claim = flow.published(loan)
    url = claim.batch.get_absolute_url()
    client.post(url, {"claim": 999, "name": "a", "contact": "b", "content": "c"})
    assert (
        client.post(url, {"claim": claim.pk, "name": "a", "contact": "b", "content": "c"}).status_code == 429
    )


def test_the_queue_page_shows_a_bank_only_its_own_queued_claims(
    client_for, bank_officer, bank_b_officer, finance_user
):
    for user in (bank_officer, bank_b_officer, finance_user):
        assert client_for(user).get(QUEUE).status_code == 200


def test_portal_tasks_list_what_needs_each_role(flow, loan, bureau_clerk, bank_supervisor):
    from compensation.portal import nav_items, tasks

    claim = flow.draft(loan)
    assert [t["title"] for t in tasks(bank_supervisor)] == [f"复核并提交补偿申请 {claim.reference}"]
    services.claim_submit(by=bank_supervisor, claim=claim)
    assert any("受理" in t["title"] for t in tasks(bureau_clerk))
    assert ("风险补偿", CLAIMS) in nav_items(bureau_clerk)


# --- the bank API -----------------------------------------------------------------------------------


def api_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(by=user).key}")
    return client


def test_a_bank_files_a_claim_through_the_api_idempotently(loan, bank_officer, bank_supervisor):
    api = api_for(bank_officer)
    payload = {"covered_loan": loan.pk, "unrecovered_principal": "600000.00", "enforcement_actions": "催收"}
    first = api.post(API_CLAIMS, payload, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = api.post(API_CLAIMS, payload, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert Claim.objects.count() == 1
    claim_id = first.json()["id"]
    for kind in (
        "loan_contract",
        "pledge_contract",
        "pledge_registration",
        "disbursement_voucher",
        "repayment_record",
        "classification_approval",
        "collection_notices",
        "bank_internal_approval",
        "truthfulness_undertaking",
    ):
        r = api.post(api_url("evidence", claim_id), {"kind": kind, "file": pdf_file()}, format="multipart")
        assert r.status_code == 201
    not_applicable = {"kind": "litigation_papers", "not_applicable_reason": "未起诉"}
    r = api.post(api_url("evidence", claim_id), not_applicable, format="json")
    assert r.status_code == 201
    refused = api.post(api_url("submit", claim_id))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    done = api_for(bank_supervisor).post(api_url("submit", claim_id))
    assert done.status_code == 200 and done.json()["status"] == "submitted"


def test_the_api_answers_errors_in_the_one_shape_and_isolates_banks(flow, loan, bank_officer, bank_b_officer):
    api = api_for(bank_officer)
    bad = api.post(
        API_CLAIMS,
        {"covered_loan": loan.pk, "unrecovered_principal": "1.234", "enforcement_actions": "x"},
        format="json",
    )
    assert bad.status_code == 400 and set(bad.json()["error"]) == {"code", "message", "details"}
    garbage = api.post(API_CLAIMS, "{not json", content_type="application/json")
    assert garbage.status_code == 400
    claim = flow.draft(loan)
    other = api_for(bank_b_officer)
    assert other.get(api_url("detail", claim.pk)).status_code == 404
    payload = {"covered_loan": loan.pk, "unrecovered_principal": "1", "enforcement_actions": "x"}
    assert other.post(API_CLAIMS, payload, format="json").status_code == 404
    assert api.get(api_url("detail", claim.pk)).json()["completeness"] == 100


def test_the_api_officer_drafts_a_recovery_idempotently_and_a_supervisor_countersigns_it(
    flow, loan, bank_officer, bank_supervisor
):
    claim = flow.paid(loan)
    officer, supervisor = api_for(bank_officer), api_for(bank_supervisor)
    payload = {"received_on": str(claim.payment_value_date), "amount": "110000.00", "costs": "10000.00"}
    r = officer.post(api_url("recoveries", claim.pk), payload, format="json", HTTP_IDEMPOTENCY_KEY="r1")
    again = officer.post(api_url("recoveries", claim.pk), payload, format="json", HTTP_IDEMPOTENCY_KEY="r1")
    assert r.status_code == again.status_code == 201 and r.json()["id"] == again.json()["id"]
    assert r.json()["status"] == "draft" and r.json()["return_amount"] is None
    assert Recovery.objects.count() == 1 and not Notice.objects.filter(kind="claim_recovery_return").exists()
    url = api_url("recovery-countersign", claim.pk, r.json()["id"])
    refused = officer.post(url)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert supervisor.post(api_url("recoveries", claim.pk), payload, format="json").status_code == 403
    done = supervisor.post(url)
    assert (
        done.status_code == 200
        and done.json()["status"] == "reported"
        and done.json()["return_amount"] == "32000.00"
    )
    assert json.loads(json.dumps(done.json()))["countersigned_at"]
    assert Notice.objects.filter(kind="claim_recovery_return").count() == 1
    assert supervisor.post(url).status_code == 409


def test_the_api_countersign_is_404_for_another_bank_or_another_claims_recovery(
    flow, loan, bank_a, enterprise_a, bank_officer, bank_b_supervisor
):
    from .conftest import make_loan

    claim = flow.paid(loan)
    draft = services.recovery_prepare(
        by=bank_officer, claim=claim, received_on=claim.payment_value_date, amount="1000.00"
    )
    assert (
        api_for(bank_b_supervisor).post(api_url("recovery-countersign", claim.pk, draft.pk)).status_code
        == 404
    )
    other = flow.draft(make_loan(bank_a, enterprise_a, bank_officer))
    wrong = api_for(flow.supervisor).post(api_url("recovery-countersign", other.pk, draft.pk))
    assert wrong.status_code == 404
    assert Recovery.objects.get(pk=draft.pk).status == Recovery.Status.DRAFT


def test_every_role_renders_a_claim_through_payment_recovery_and_clawback(
    client_for, flow, loan, bank_officer, bank_supervisor, bureau_clerk, finance_user
):
    claim = flow.paid(loan)
    flow.recovery(claim, amount="110000.00")
    services.claim_rescind(by=flow.approver, claim=claim, reason="伪造还款记录")
    for user in (bank_officer, bank_supervisor, bureau_clerk, flow.approver, finance_user):
        c = client_for(user)
        body = c.get(claim.get_absolute_url()).content.decode()
        assert "追回" in body and "代偿拨付" in body
        assert c.get(CLAIMS).status_code == 200
        assert c.get(reverse("accounts:home")).status_code == 200
