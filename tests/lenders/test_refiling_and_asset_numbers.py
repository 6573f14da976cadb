"""Review fixes: re-filing a refused contract number; pledged-asset numbers matched in every accepted
spelling."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from lenders import services
from lenders.models import LoanFiling
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.common.identifiers import make_patent_number
from yunfu_ipfund.policy.models import IPType

from .conftest import make_filing, make_patent, make_registration

S = LoanFiling.Status


# --- 1. a refused filing frees its contract number ---------------------------------------------------


def test_a_refused_contract_number_can_be_filed_again(
    first_reviewed, bureau_approver, bank_officer, registration
):
    services.filing_refuse(by=bureau_approver, filing=first_reviewed, reason="质押登记材料不全")
    again = make_filing(
        bank_officer, registration, documents=False, contract_number=first_reviewed.contract_number
    )
    assert again.status == S.DRAFT
    assert LoanFiling.objects.filter(contract_number=first_reviewed.contract_number).count() == 2


def test_a_second_live_filing_with_the_same_number_is_still_refused(
    first_reviewed,
    bureau_approver,
    bank_officer,
    registration,
    enterprise_a,
    bank_a,
    enterprise_user,
):
    services.filing_refuse(by=bureau_approver, filing=first_reviewed, reason="质押登记材料不全")
    make_filing(bank_officer, registration, documents=False, contract_number=first_reviewed.contract_number)
    other = make_registration(enterprise_a, bank_a, enterprise_user)
    with pytest.raises(ValidationFailed, match="不能重复"):
        make_filing(bank_officer, other, documents=False, contract_number=first_reviewed.contract_number)


@pytest.mark.parametrize(
    ("first_status", "allowed"),
    [
        (S.REFUSED, True),
        (S.DRAFT, False),
        (S.SUBMITTED, False),
        (S.RETURNED, False),
        (S.CONFIRMED, False),
    ],
)
def test_the_database_allows_a_duplicate_number_only_beside_refused_filings(draft, first_status, allowed):
    LoanFiling.objects.filter(pk=draft.pk).update(status=first_status)
    copy = LoanFiling.objects.get(pk=draft.pk)
    copy.pk = None
    copy.status = S.DRAFT
    if allowed:
        copy.save()
        assert LoanFiling.objects.filter(contract_number=draft.contract_number).count() == 2
    else:
        with pytest.raises(IntegrityError), transaction.atomic():
            copy.save()


# --- 2. asset numbers in bulk import / API pledges ---------------------------------------------------

BODY = "202310123456"
PATENT = make_patent_number(BODY)  # 'ZL202310123456.<check>'
CHECK = PATENT[-1]
FULL_WIDTH = str.maketrans("0123456789.ZL", "０１２３４５６７８９．ＺＬ")


def pledge(number):
    return [
        {
            "asset_number": number,
            "pledge_registration_number": "Y2026000001",
            "pledge_registered_on": (today() - dt.timedelta(days=5)).isoformat(),
        }
    ]


@pytest.fixture
def patent_registration(enterprise_a, enterprise_a_profile, bank_a, bank_a_profile, enterprise_user):
    return make_registration(
        enterprise_a, bank_a, enterprise_user, assets=[make_patent(enterprise_a, number=PATENT)]
    )


@pytest.mark.parametrize(
    "typed",
    [
        PATENT,
        f"{BODY}.{CHECK}",
        f"{BODY}{CHECK}",
        f"CN{BODY}.{CHECK}",
        f" zl{BODY}.{CHECK} ",
        PATENT.translate(FULL_WIDTH),
        f"{BODY}.{CHECK}".translate(FULL_WIDTH),
    ],
)
def test_a_patent_number_matches_in_every_accepted_spelling(bank_officer, patent_registration, typed):
    filing = services.filing_create(
        by=bank_officer,
        registration=patent_registration,
        pledges=pledge(typed),
        contract_number=f"JK-N-{abs(hash(typed)) % 10**8}",
        amount="1000000",
        ip_amount="800000",
        disbursed_on=today() - dt.timedelta(days=3),
        maturity_on=today() + dt.timedelta(days=300),
        annual_rate="3.9",
        repayment_method="interest_monthly",
    )
    assert [p.asset.number for p in filing.pledges.all()] == [PATENT]


@pytest.mark.parametrize(
    "typed", [make_patent_number("202310123457"), f"{BODY}.{'0' if CHECK != '0' else '1'}", "", "ZL"]
)
def test_a_different_or_malformed_number_is_still_refused(bank_officer, patent_registration, typed):
    with pytest.raises(ValidationFailed) as exc:
        make_filing(bank_officer, patent_registration, documents=False, pledges=pledge(typed))
    assert any(d["field"] == "pledges.0.asset" for d in exc.value.details)


@pytest.mark.parametrize("typed", ["12345678", "第12345678号", "１２３４５６７８", "第 12345678 号"])
def test_a_trademark_number_matches_with_or_without_its_decoration(
    bank_officer, enterprise_a, enterprise_a_profile, bank_a, bank_a_profile, enterprise_user, typed
):
    mark = make_patent(enterprise_a, ip_type=IPType.TRADEMARK, number="12345678", title="云石")
    registration = make_registration(enterprise_a, bank_a, enterprise_user, assets=[mark])
    filing = make_filing(bank_officer, registration, documents=False, pledges=pledge(typed))
    assert [p.asset_id for p in filing.pledges.all()] == [mark.pk]
