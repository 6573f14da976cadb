"""Four eyes by last change on the filing page (with the view's prepare_again action)."""

from decimal import Decimal

import pytest

from lenders import services
from lenders.models import LoanFiling
from tests.conftest import make_user
from yunfu_ipfund.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_the_officer_confirms_a_changed_filing_on_its_page(
    client_for, draft, bank_a, bank_officer, bank_supervisor
):
    other = make_user("officer2", bank_a, Role.BANK_OFFICER, full_name="赵经办")
    keys = (
        "contract_number",
        "amount",
        "ip_amount",
        "disbursed_on",
        "maturity_on",
        "annual_rate",
        "repayment_method",
    )
    services.filing_update(
        by=other,
        filing=draft,
        **{**{k: getattr(draft, k) for k in keys}, "amount": Decimal("1200000.00")},
    )
    page = client_for(bank_officer).get(f"/lenders/filings/{draft.pk}/").content.decode()
    assert "已复查，重新确认经办" in page
    assert client_for(bank_officer).post(f"/lenders/filings/{draft.pk}/prepare_again/").status_code == 302
    assert (
        LoanFiling.objects.get(pk=draft.pk).changes.filter(kind="prepare", changed_by=bank_officer).exists()
    )
