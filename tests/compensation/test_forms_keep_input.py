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


def test_a_valid_second_review_still_goes_through(client_for, flow, loan, bureau_approver):
    claim = flow.reviewed(loan)
    response = _second_review(client_for(bureau_approver), claim, amount_1="30000")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.approved_amount is not None and claim.outcome == "partial"
