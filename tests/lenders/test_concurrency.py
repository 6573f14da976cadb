"""Two supervisors submitting the same filing at once: one succeeds, the other gets a Conflict."""

import pytest

from lenders import services
from lenders.models import LoanFiling
from tests.conftest import make_user, postgres_only, run_in_parallel
from yunfu_ipfund.common.errors import Conflict


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_supervisors_submitting_at_once_one_wins_the_other_gets_a_conflict(
    draft, bank_a, bank_supervisor, bank_officer
):
    from yunfu_ipfund.accounts.roles import Role

    second = make_user("bank_a_supervisor_2", bank_a, Role.BANK_SUPERVISOR, full_name="孙复核")
    results = run_in_parallel(
        *[
            lambda u=u: services.filing_submit(by=u, filing=LoanFiling.objects.get(pk=draft.pk))
            for u in (bank_supervisor, second)
        ]
    )
    outcomes = [
        ("conflict", r.message)
        if isinstance(r, Conflict)
        else ("error", repr(r))
        if isinstance(r, Exception)
        else "ok"
        for r in results
    ]
    assert (
        sorted(map(str, outcomes))[0]
        == "('conflict', '该记录已由他人处理（当前状态：已报送，待市监局审核），请刷新后查看。')"
    ), outcomes
    assert outcomes.count("ok") == 1
    draft.refresh_from_db()
    assert draft.status == LoanFiling.Status.SUBMITTED


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_are_judged_one_after_the_other_against_the_ceiling(
    enterprise_a,
    enterprise_a_profile,
    bank_a,
    bank_a_profile,
    enterprise_user,
    bank_officer,
    bank_supervisor,
    bureau_approver,
    policy,
):
    """Each filing fits under the leverage ceiling alone, not both: the fund's lock is taken before the
    covered outstanding is read, so the second confirmation sees the first one's loan."""
    from decimal import Decimal

    from fund.models import Posting
    from fund.services import OPENING_KEY, contribution_post
    from lenders.models import CoveredLoan
    from yunfu_ipfund.common.errors import DomainError
    from yunfu_ipfund.policy.models import PolicyVersion

    from .conftest import first_review, make_filing, make_registration

    if not Posting.objects.filter(key=OPENING_KEY).exists():  # a transactional test starts without it
        contribution_post(
            by=None,
            amount=policy.fund_capital,
            key=OPENING_KEY,
            value_date=policy.effective_from,
            reference=policy,
            reason="省级专项资金拨入（开户）",
        )
    PolicyVersion.objects.filter(pk=policy.pk).update(leverage_multiple=Decimal("0.2"))  # 5,000,000 x 0.2
    filings = []
    for _ in range(2):
        filing = make_filing(
            bank_officer, make_registration(enterprise_a, bank_a, enterprise_user)
        )  # 800,000
        services.filing_submit(by=bank_supervisor, filing=filing)
        filings.append(first_review(filing, bureau_approver))
    results = run_in_parallel(
        *[lambda f=f: services.filing_confirm(by=bureau_approver, filing=f) for f in filings]
    )
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].code == "leverage_ceiling", results
    assert CoveredLoan.objects.count() == 1
