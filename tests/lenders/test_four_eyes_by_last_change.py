"""Four eyes by last change on filings (issue 11 item 5): the person who submits a filing did not change
its terms, pledges or documents since the officer last prepared it; the officer reviews the change and
prepares the filing again; the page shows the officer what was changed."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission

from lenders import services
from lenders.models import FilingChange, LoanFiling
from lenders.services.filings import filing_can_prepare_again, filing_prepare_again
from tests.conftest import make_user
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.errors import DomainError, Forbidden

from .conftest import pdf_file

pytestmark = pytest.mark.django_db

S = LoanFiling.Status


def terms(filing, **changes):
    keys = ("contract_number", "amount", "ip_amount", "disbursed_on", "maturity_on", "annual_rate")
    return {**{k: getattr(filing, k) for k in keys}, "repayment_method": filing.repayment_method, **changes}


def refusal(call):
    with pytest.raises(Forbidden) as caught:
        call()
    return caught.value


def test_an_officer_who_raised_a_filing_then_became_supervisor_cannot_submit_it(draft, bank_a, bank_officer):
    """Roles change: an officer raises another officer's filing, is made a supervisor, and submits."""
    other = make_user("officer2", bank_a, Role.BANK_OFFICER, full_name="赵经办")
    services.filing_update(by=other, filing=draft, **terms(draft, ip_amount=Decimal("900000.00")))
    other.groups.set([Group.objects.get(name=Role.BANK_SUPERVISOR)])
    other = type(other).objects.get(pk=other.pk)

    error = refusal(lambda: services.filing_submit(by=other, filing=draft))
    assert error.status == 403 and error.code == "four_eyes_changed"
    assert "赵经办" in error.message
    assert "将知识产权质押对应金额由 800,000.00 改为 900,000.00" in error.message
    assert LoanFiling.objects.get(pk=draft.pk).status == S.DRAFT

    # The preparer reviews the change and prepares the filing again: then it may be submitted.
    assert filing_can_prepare_again(draft, bank_officer)
    filing_prepare_again(by=bank_officer, filing=draft)
    assert services.filing_submit(by=other, filing=draft).status == S.SUBMITTED


def test_a_user_holding_both_roles_who_replaced_a_document_cannot_submit_the_filing(draft, bank_supervisor):
    bank_supervisor.user_permissions.add(Permission.objects.get(codename="bank_prepare"))
    both = type(bank_supervisor).objects.get(pk=bank_supervisor.pk)
    services.filing_document_add(by=both, filing=draft, kind="loan_contract", file=pdf_file("换.pdf"))

    error = refusal(lambda: services.filing_submit(by=both, filing=draft))
    assert error.code == "four_eyes_changed" and "更换材料“借款合同”（换.pdf）" in error.message
    own = refusal(lambda: filing_prepare_again(by=both, filing=draft))  # never one's own change
    assert own.code == "four_eyes_own_change"


def test_the_officers_own_corrections_need_no_second_preparation(draft, bank_officer, bank_supervisor):
    services.filing_update(by=bank_officer, filing=draft, **terms(draft, annual_rate=Decimal("3.8750")))
    assert FilingChange.objects.get(filing=draft, kind="content").fields == [
        {"field": "annual_rate", "label": "年利率", "from": "3.9", "to": "3.875"}
    ]
    assert not filing_can_prepare_again(draft, bank_officer)
    with pytest.raises(DomainError) as caught:
        filing_prepare_again(by=bank_officer, filing=draft)
    assert caught.value.message == "该备案自经办以来没有被他人修改，无需重新确认经办。"
    assert services.filing_submit(by=bank_supervisor, filing=draft).status == S.SUBMITTED


def test_the_officer_sees_on_the_filing_page_what_was_changed(client_for, draft, bank_a, bank_officer):
    other = make_user("officer2", bank_a, Role.BANK_OFFICER, full_name="赵经办")
    services.filing_update(by=other, filing=draft, **terms(draft, amount=Decimal("1200000.00")))
    html = client_for(bank_officer).get(f"/lenders/filings/{draft.pk}/").content.decode()
    block = html[html.index("修改记录") :]
    assert "赵经办" in block and "贷款金额：1,000,000.00 → 1,200,000.00" in block
