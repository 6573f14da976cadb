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
        *[lambda u=u: services.filing_submit(by=u, filing=LoanFiling.objects.get(pk=draft.pk)) for u in (bank_supervisor, second)]
    )
    outcomes = [("conflict", r.message) if isinstance(r, Conflict) else ("error", repr(r)) if isinstance(r, Exception)
                else "ok" for r in results]
    assert sorted(map(str, outcomes))[0] == "('conflict', '该记录已由他人处理（当前状态：已报送，待市监局审核），请刷新后查看。')", outcomes
    assert outcomes.count("ok") == 1
    draft.refresh_from_db()
    assert draft.status == LoanFiling.Status.SUBMITTED
