"""Issue 14 item 2 on the loan page: a report (irreversible) is confirmed AFTER the server accepted it,
a refused one comes back as typed, and the 风险分类 drop-down starts from the loan's own class."""

import re

from django.urls import reverse

from lenders import services
from lenders.models import Classification, LoanEvent
from yunfu_ipfund.common.dates import today

# The confirm step's fields (yunfu_ipfund.common.confirm), spelled out so the test runs on old code too.
TOKEN_FIELD, EDIT_FIELD = "_confirm_token", "_confirm_edit"


def url(loan, kind):
    return reverse("lenders:loan_report", args=[loan.pk, kind])


def _hidden(body):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body))


def _selected(body, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S).group(1)
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return chosen.group(1) if chosen else None


def test_the_loan_page_asks_no_confirm_before_the_server_validated(client_for, loan, bank_officer):
    body = client_for(bank_officer).get(loan.get_absolute_url()).content.decode()
    assert "报告后不能修改" not in body  # no browser confirm on the four stacked report forms


def test_a_repayment_is_confirmed_after_validation_then_recorded(client_for, loan, bank_officer):
    c = client_for(bank_officer)
    typed = {
        "repayment-amount": "1,000.00",
        "repayment-paid_on": today().isoformat(),
        "repayment-note": "部分还款",
    }
    first = c.post(url(loan, "repayment"), typed)
    assert first.status_code == 200
    body = first.content.decode()
    assert "请确认：报告还款" in body and "报告后不能修改" in body and "部分还款" in body
    assert not LoanEvent.objects.filter(loan=loan, kind=LoanEvent.Kind.REPAYMENT).exists()
    hidden = _hidden(body)
    assert hidden["repayment-amount"] == "1,000.00" and TOKEN_FIELD in hidden
    hidden.pop("csrfmiddlewaretoken", None)
    second = c.post(url(loan, "repayment"), hidden)
    assert second.status_code == 302
    loan.refresh_from_db()
    assert loan.outstanding_principal == loan.amount - 1000


def test_a_token_for_other_values_performs_nothing(client_for, loan, bank_officer):
    c = client_for(bank_officer)
    typed = {"repayment-amount": "1000", "repayment-paid_on": today().isoformat()}
    hidden = _hidden(c.post(url(loan, "repayment"), typed).content.decode())
    hidden.pop("csrfmiddlewaretoken", None)
    hidden["repayment-amount"] = "999999"
    response = c.post(url(loan, "repayment"), hidden)
    assert response.status_code == 400
    assert "确认页面已过期或提交的内容与确认时不一致" in response.content.decode()
    loan.refresh_from_db()
    assert loan.outstanding_principal == loan.amount


def test_a_refused_report_comes_back_as_typed_without_a_confirm_step(client_for, loan, bank_officer):
    too_much = str(loan.amount + 1)
    typed = {"repayment-amount": too_much, "repayment-paid_on": today().isoformat(), "repayment-note": "全部"}
    response = client_for(bank_officer).post(url(loan, "repayment"), typed)
    assert response.status_code == 400
    body = response.content.decode()
    assert "请确认" not in body and "提交的内容有误" in body
    assert f'value="{too_much}"' in body and 'value="全部"' in body
    loan.refresh_from_db()
    assert loan.outstanding_principal == loan.amount


def test_a_form_error_names_the_field_and_keeps_the_rest(client_for, loan, bank_officer):
    typed = {"overdue-overdue_since": "", "overdue-overdue_amount": "500", "overdue-note": "逾期说明"}
    response = client_for(bank_officer).post(url(loan, "overdue"), typed)
    assert response.status_code == 400
    body = response.content.decode()
    assert "逾期起始日：这个字段是必填项。" in body or "逾期起始日：该字段是必填项。" in body
    assert 'value="500"' in body and 'value="逾期说明"' in body


def test_back_to_edit_from_the_confirm_page_keeps_the_values(client_for, loan, bank_officer):
    c = client_for(bank_officer)
    typed = {"repayment-amount": "2000", "repayment-paid_on": today().isoformat(), "repayment-note": "改一下"}
    hidden = _hidden(c.post(url(loan, "repayment"), typed).content.decode())
    hidden.pop("csrfmiddlewaretoken", None)
    response = c.post(url(loan, "repayment"), {**hidden, EDIT_FIELD: "1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="2000"' in body and 'value="改一下"' in body
    loan.refresh_from_db()
    assert loan.outstanding_principal == loan.amount


def test_the_classification_drop_down_starts_from_the_loans_class(client_for, loan, bank_officer):
    services.loan_report_classification(
        by=bank_officer, loan=loan, classification=Classification.SUBSTANDARD, classified_on=today()
    )
    body = client_for(bank_officer).get(loan.get_absolute_url()).content.decode()
    assert _selected(body, "classification-classification") == Classification.SUBSTANDARD
