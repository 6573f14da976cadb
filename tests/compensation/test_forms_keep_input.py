"""Issue 14 item 2 on the claim page: a refused form comes back with everything typed and every error
named by its field, in Chinese (never an empty “”)."""

import re

from django.urls import reverse

from compensation.models import Claim


def action_url(claim, action):
    return reverse("compensation:claim_action", args=[claim.pk, action])


def _second_review(client, claim, **values):
    data = {"outcome": "partial", "reason": "催收证据不足，核减部分金额", "code_1": "D05", "amount_1": ""}
    data.update(values)
    return client.post(action_url(claim, "second_review"), data, HTTP_REFERER=claim.get_absolute_url())


def _selected(body, name):
    """The value of the selected option of the select `name` on the page."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S).group(1)
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return chosen.group(1) if chosen else None


def test_a_refused_second_review_keeps_the_outcome_reason_and_codes(client_for, flow, loan, bureau_approver):
    claim = flow.reviewed(loan)
    response = _second_review(client_for(bureau_approver), claim)
    assert response.status_code == 400
    body = response.content.decode()
    # Everything typed is kept: the conclusion (not reset to 全额补偿), the reason and the reduction code.
    assert _selected(body, "outcome") == "partial"
    assert _selected(body, "code_1") == "D05"
    assert "催收证据不足，核减部分金额</textarea>" in body
    # The error is under the field and in the summary, named by the field; never an empty “”.
    assert "核减金额一（元）：已选择核减事由，请填写该项核减金额。" in body
    assert 'class="error" role="alert">已选择核减事由，请填写该项核减金额。' in body
    assert "“”" not in body
    claim.refresh_from_db()
    assert claim.status == Claim.Status.FIRST_REVIEWED


def test_a_bad_amount_is_named_by_its_field_and_the_typed_text_kept(client_for, flow, loan, bureau_approver):
    claim = flow.reviewed(loan)
    typed = {"amount_1": "三万", "code_2": "D07", "amount_2": "1.234"}
    response = _second_review(client_for(bureau_approver), claim, **typed)
    assert response.status_code == 400
    body = response.content.decode()
    assert "核减金额一（元）：“三万”不是有效的金额。" in body
    assert "核减金额二（元）：金额最多保留两位小数" in body
    assert 'value="三万"' in body and 'value="1.234"' in body
    assert _selected(body, "code_2") == "D07"
    assert "请修改以下 2 处后再提交" in body


def test_a_service_refusal_comes_back_on_the_form_too(client_for, flow, loan, bureau_approver):
    """Partial without any reduction: the service refuses; the page keeps the reason typed."""
    claim = flow.reviewed(loan)
    response = _second_review(client_for(bureau_approver), claim, code_1="", amount_1="")
    assert response.status_code == 400
    body = response.content.decode()
    assert _selected(body, "outcome") == "partial"
    assert "催收证据不足，核减部分金额</textarea>" in body
    assert "提交的内容有误" in body


# --- irreversible actions with input: confirmed after the server accepted it ------------------------

TOKEN_FIELD, EDIT_FIELD = "_confirm_token", "_confirm_edit"  # yunfu_ipfund.common.confirm


def _hidden(body):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body))


def test_the_second_review_asks_no_browser_confirm_before_validation(client_for, flow, loan, bureau_approver):
    claim = flow.reviewed(loan)
    body = client_for(bureau_approver).get(claim.get_absolute_url()).content.decode()
    assert "确认提交复审结论？" not in body


def test_an_accepted_second_review_is_confirmed_then_performed(client_for, flow, loan, bureau_approver):
    claim = flow.reviewed(loan)
    c = client_for(bureau_approver)
    first = _second_review(c, claim, amount_1="30000")
    assert first.status_code == 200
    body = first.content.decode()
    assert "请确认：提交复审结论" in body and "部分补偿" in body and "催收证据不足，核减部分金额" in body
    claim.refresh_from_db()
    assert claim.status == Claim.Status.FIRST_REVIEWED  # nothing done yet (the try was rolled back)
    hidden = _hidden(body)
    hidden.pop("csrfmiddlewaretoken", None)
    back = c.post(action_url(claim, "second_review"), {**hidden, EDIT_FIELD: "1"})
    assert back.status_code == 200 and _selected(back.content.decode(), "code_1") == "D05"
    done = c.post(action_url(claim, "second_review"), hidden)
    assert done.status_code == 302
    claim.refresh_from_db()
    assert claim.outcome == "partial" and claim.approved_amount is not None


def test_a_confirm_token_cannot_carry_other_values(client_for, flow, loan, bureau_approver):
    claim = flow.reviewed(loan)
    c = client_for(bureau_approver)
    hidden = _hidden(_second_review(c, claim, amount_1="30000").content.decode())
    hidden.pop("csrfmiddlewaretoken", None)
    hidden["amount_1"] = "300"
    response = c.post(action_url(claim, "second_review"), hidden)
    assert response.status_code == 400
    assert "确认页面已过期或提交的内容与确认时不一致" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.FIRST_REVIEWED


def test_the_payment_is_confirmed_after_validation(client_for, flow, loan, policy):
    from tests.compensation.test_transitions import claim_in

    claim = claim_in(flow, loan, policy, Claim.Status.PAYMENT_INSTRUCTED)
    c = client_for(flow.finance)
    assert "确认已从专户拨付" not in c.get(claim.get_absolute_url()).content.decode()
    empty = c.post(action_url(claim, "pay"), {"voucher": ""})
    assert empty.status_code == 400 and "凭证号：" in empty.content.decode()
    first = c.post(action_url(claim, "pay"), {"voucher": "ZF-2026-001"})
    assert first.status_code == 200 and "请确认：拨付" in first.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAYMENT_INSTRUCTED
    hidden = _hidden(first.content.decode())
    hidden.pop("csrfmiddlewaretoken", None)
    assert c.post(action_url(claim, "pay"), hidden).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID


def test_closing_is_confirmed_after_validation(client_for, flow, loan, policy):
    from tests.compensation.test_transitions import claim_in

    claim = claim_in(flow, loan, policy, Claim.Status.PAID)
    c = client_for(flow.approver)
    missing = c.post(action_url(claim, "close"), {"close_reason": "write_off", "reason": ""})
    assert missing.status_code == 400
    body = missing.content.decode()
    assert "说明：" in body and _selected(body, "close_reason") == "write_off"
    first = c.post(action_url(claim, "close"), {"close_reason": "write_off", "reason": "已核销"})
    assert first.status_code == 200 and "请确认：结案" in first.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID
    hidden = _hidden(first.content.decode())
    hidden.pop("csrfmiddlewaretoken", None)
    assert c.post(action_url(claim, "close"), hidden).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CLOSED
