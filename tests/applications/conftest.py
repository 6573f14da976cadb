"""Factories for the enterprise side: profiles, IP assets, registrations, cooperating banks."""

import datetime as dt
from decimal import Decimal

import pytest

from applications.models import CreditCheck, EnterpriseProfile, IPAsset, LoanRegistration
from lenders import services as lenders_services
from lenders.models import CooperatingBank
from tests.factories import admit, make_filing
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.identifiers import make_patent_number
from yunfu_ipfund.policy.models import IPType, PolicyVersion

Status = LoanRegistration.Status


def make_cooperating(bank_org, admitted_by, *, status="active"):
    day = today()
    return CooperatingBank.objects.create(
        organisation=bank_org,
        admitted_on=day - dt.timedelta(days=365),
        agreement_number=f"YF-{bank_org.pk}",
        agreement_valid_from=day - dt.timedelta(days=365),
        agreement_valid_to=day + dt.timedelta(days=3 * 365),
        status=status,
        admitted_by=admitted_by,
    )


def make_profile(org, **overrides):
    values = dict(
        legal_representative="陈法人",
        registered_address="云浮市云城区星岩四路1号",
        district="yuncheng",
        sector="industry",
        declared_size="small",
        employees=50,
        revenue=Decimal("800.00"),
        total_assets=Decimal("600.00"),
        annual_report_year=today().year - 1,
        credit_declared_on=today(),
        is_independent_legal_person=True,
    )
    values.update(overrides)
    return EnterpriseProfile.objects.create(organisation=org, **values)


def make_credit_check(org, by, **overrides):
    """The bureau's recorded credit check of `org`, clean and dated today (straight into the table)."""
    values = dict(
        provider="人工查询录入",
        source="国家企业信用信息公示系统",
        queried_on=today(),
        credit_clean=True,
        annual_report_on_time=True,
        by=by,
    )
    values.update(overrides)
    return CreditCheck.objects.create(enterprise=org, **values)


_serial = iter(range(10_000, 99_999))


def make_patent(org, *, ip_type=IPType.INVENTION, holder_name=None, **overrides):
    digit = {IPType.INVENTION: "1", IPType.UTILITY_MODEL: "2", IPType.DESIGN: "3"}[ip_type]
    values = dict(
        enterprise=org,
        ip_type=ip_type,
        number=make_patent_number(f"2023{digit}{next(_serial):07d}"),
        title="一种石材切割装置",
        holder_name=holder_name or org.name,
        grant_date=dt.date(2023, 5, 1),
        expiry_date=today() + dt.timedelta(days=3650),
        annual_fee_paid_through=today() + dt.timedelta(days=200),
    )
    values.update(overrides)
    return IPAsset.objects.create(**values)


def make_trademark(org, **overrides):
    values = dict(
        enterprise=org,
        ip_type=IPType.TRADEMARK,
        number=str(next(_serial) * 100),
        title="云石",
        holder_name=org.name,
        trademark_class=19,
        expiry_date=today() + dt.timedelta(days=3000),
    )
    values.update(overrides)
    return IPAsset.objects.create(**values)


def make_registration(enterprise, bank, user, *, status=Status.DRAFT, assets=(), signed=False, **overrides):
    values = dict(amount=Decimal("1000000.00"), term_months=12, purpose="购买原材料")
    values.update(overrides)
    registration = LoanRegistration.objects.create(
        enterprise=enterprise, bank=bank, created_by=user, status=status, **values
    )
    registration.assets.set(assets)
    if signed:
        LoanRegistration.objects.filter(pk=registration.pk).update(
            commitment_signed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            commitment_signed_by=user,
            commitment_truthful=True,
            commitment_credit_inquiry=True,
            commitment_publication=True,
        )
        registration.refresh_from_db()
    return registration


@pytest.fixture
def policy(db):
    return PolicyVersion.objects.get(effective_from__lte=today(), effective_to__gte=today())


@pytest.fixture
def cooperating(bank_a, bank_b, bureau_approver):
    """Both test banks admitted as active cooperating banks."""
    return [make_cooperating(bank_a, bureau_approver), make_cooperating(bank_b, bureau_approver)]


@pytest.fixture
def profile_a(enterprise_a):
    return make_profile(enterprise_a)


@pytest.fixture
def patent_a(enterprise_a):
    return make_patent(enterprise_a)


@pytest.fixture
def credit_checked_a(enterprise_a, bureau_clerk):
    return make_credit_check(enterprise_a, bureau_clerk)


@pytest.fixture
def ready_draft(enterprise_a, bank_a, enterprise_user, profile_a, patent_a, cooperating, credit_checked_a):
    """A signed draft of enterprise A to bank A that meets every rule (the bureau checked its credit)."""
    return make_registration(enterprise_a, bank_a, enterprise_user, assets=[patent_a], signed=True)


@pytest.fixture
def live_filing(
    enterprise_a, profile_a, bank_a, bureau_approver, bank_officer, bank_supervisor, enterprise_user
):
    """A filing of bank A, submitted, pledging a fresh patent of enterprise A: a real pledge under a live
    loan."""
    admit(bank_a, bureau_approver)
    registration = make_registration(
        enterprise_a, bank_a, enterprise_user, status=Status.ACCEPTED, assets=[make_patent(enterprise_a)]
    )
    return lenders_services.filing_submit(by=bank_supervisor, filing=make_filing(bank_officer, registration))
