"""lenders.demo.seed: three cooperating banks and one covered loan, through the services; idempotent."""

import io

from lenders import demo
from lenders.models import CooperatingBank, CoveredLoan
from tests.conftest import make_org, make_user
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.identifiers import make_uscc
from yunfu_ipfund.notices.models import Notice

from .conftest import make_profile, make_registration


def test_the_demo_seed_is_idempotent_and_builds_a_covered_loan_with_its_notices(db, bureau):
    banks = [make_org("bank", name) for name, *_ in demo.BANKS]
    enterprise = make_org("enterprise", demo.ENTERPRISE, make_uscc("91445302MA51A001"))
    make_profile(enterprise)
    make_user("shijianju_sh", bureau, Role.BUREAU_APPROVER)
    make_user("gongshang_jb", banks[0], Role.BANK_OFFICER)
    make_user("gongshang_fh", banks[0], Role.BANK_SUPERVISOR)
    qiye = make_user("qiye1", enterprise, Role.ENTERPRISE_USER)
    make_registration(enterprise, banks[0], qiye)
    out = io.StringIO()
    demo.seed(out)
    demo.seed(out)
    # Every demo bank admitted; one suspended then reinstated, one terminated (the bank notices).
    assert CooperatingBank.objects.filter(status="active").count() == len(demo.BANKS) - 1
    assert CooperatingBank.objects.get(organisation__name=demo.TERMINATED).status == "terminated"
    loan = CoveredLoan.objects.get()
    assert loan.bank == banks[0] and loan.enterprise == enterprise
    assert Notice.objects.filter(kind="lenders_filing_confirmation").count() == 1
    assert Notice.objects.filter(kind="lenders_bank_admission").count() == len(demo.BANKS)
    assert Notice.objects.filter(kind="lenders_bank_suspension").count() == 1
    assert Notice.objects.filter(kind="lenders_bank_reinstatement").count() == 1
    assert Notice.objects.filter(kind="lenders_bank_termination").count() == 1
