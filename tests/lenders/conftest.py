"""Factories for the bank side: cooperating banks, accepted registrations, filings ready to submit,
covered loans. Everything goes through the lenders services except the enterprise-side setup."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import EnterpriseProfile, IPAsset, LoanRegistration
from lenders import services
from lenders.models import FilingDocument
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.identifiers import make_patent_number
from yunfu_ipfund.policy.models import IPType, PolicyVersion

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_serial = iter(range(100_000, 999_999))


def pdf_file(name="doc.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def admit(bank_org, approver, **overrides):
    day = today()
    values = dict(
        organisation=bank_org, agreement_number=f"YFHZ-{bank_org.pk}-{next(_serial)}",
        agreement_valid_from=day - dt.timedelta(days=400), agreement_valid_to=day + dt.timedelta(days=3 * 365),
        admitted_on=day - dt.timedelta(days=400),
    )
    values.update(overrides)
    return services.bank_admit(by=approver, **values)


def make_profile(org, **overrides):
    values = dict(
        legal_representative="陈法人", registered_address="云浮市云城区星岩四路1号", district="yuncheng",
        sector="industry", declared_size="small", employees=50, revenue=Decimal("800.00"),
        total_assets=Decimal("600.00"), annual_report_year=today().year - 1, credit_declared_on=today() - dt.timedelta(days=30),
        is_independent_legal_person=True,
    )
    values.update(overrides)
    return EnterpriseProfile.objects.create(organisation=org, **values)


def make_patent(org, **overrides):
    values = dict(
        enterprise=org, ip_type=IPType.INVENTION, number=make_patent_number(f"20231{next(_serial):07d}"),
        title="一种石材切割装置", holder_name=org.name, grant_date=dt.date(2023, 5, 1),
        expiry_date=today() + dt.timedelta(days=3650), annual_fee_paid_through=today() + dt.timedelta(days=200),
    )
    values.update(overrides)
    return IPAsset.objects.create(**values)


def make_registration(enterprise, bank, user, *, assets=None, status=LoanRegistration.Status.ACCEPTED, **overrides):
    values = dict(amount=Decimal("1000000.00"), term_months=12, purpose="购买原材料")
    values.update(overrides)
    registration = LoanRegistration.objects.create(enterprise=enterprise, bank=bank, created_by=user, status=status, **values)
    registration.assets.set(assets if assets is not None else [make_patent(enterprise)])
    return registration


def filing_values(**overrides):
    day = today()
    values = dict(
        contract_number=f"JK-{next(_serial)}", amount=Decimal("1000000.00"), ip_amount=Decimal("800000.00"),
        disbursed_on=day - dt.timedelta(days=3), maturity_on=day - dt.timedelta(days=3) + dt.timedelta(days=330),
        annual_rate=Decimal("3.9"), repayment_method="interest_monthly", other_collateral="法定代表人连带责任保证",
    )
    values.update(overrides)
    return values


def pledges_for(registration, **overrides):
    return [
        {"asset": a, "pledge_registration_number": f"Y2026{next(_serial)}", "pledge_registered_on": today() - dt.timedelta(days=5),
         **overrides}
        for a in registration.assets.all()
    ]


def attach_documents(filing, officer, kinds=None):
    for kind in kinds or FilingDocument.Kind.values:
        services.filing_document_add(by=officer, filing=filing, kind=kind, file=pdf_file(f"{kind}.pdf"))


def make_filing(officer, registration, *, documents=True, pledges=None, **overrides):
    filing = services.filing_create(
        by=officer, registration=registration, pledges=pledges if pledges is not None else pledges_for(registration),
        **filing_values(**overrides),
    )
    if documents:
        attach_documents(filing, officer)
    return filing


def make_loan(officer, supervisor, approver, registration, **overrides):
    """A covered loan: a filing prepared by `officer`, submitted by `supervisor`, confirmed by `approver`."""
    filing = make_filing(officer, registration, **overrides)
    services.filing_submit(by=supervisor, filing=filing)
    return services.filing_confirm(by=approver, filing=filing).covered_loan


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The personas' passwords are hashed once each; PBKDF2 at full strength would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def policy(db):
    return PolicyVersion.objects.get(effective_from__lte=today(), effective_to__gte=today())


@pytest.fixture
def bank_a_profile(bank_a, bureau_approver):
    return admit(bank_a, bureau_approver)


@pytest.fixture
def bank_b_profile(bank_b, bureau_approver):
    return admit(bank_b, bureau_approver)


@pytest.fixture
def enterprise_a_profile(enterprise_a):
    return make_profile(enterprise_a)


@pytest.fixture
def enterprise_b_profile(enterprise_b):
    return make_profile(enterprise_b, district="luoding")


@pytest.fixture
def registration(enterprise_a, enterprise_a_profile, bank_a, bank_a_profile, enterprise_user):
    return make_registration(enterprise_a, bank_a, enterprise_user)


@pytest.fixture
def draft(bank_officer, registration):
    return make_filing(bank_officer, registration)


@pytest.fixture
def submitted(draft, bank_supervisor):
    return services.filing_submit(by=bank_supervisor, filing=draft)


@pytest.fixture
def loan(submitted, bureau_approver):
    filing = services.filing_confirm(by=bureau_approver, filing=submitted)
    return filing.covered_loan


@pytest.fixture
def bank_b_loan(enterprise_b, enterprise_b_profile, bank_b, bank_b_profile, enterprise_b_user, bank_b_officer,
                bank_b_supervisor, bureau_approver):
    registration = make_registration(enterprise_b, bank_b, enterprise_b_user)
    filing = make_filing(bank_b_officer, registration)
    services.filing_submit(by=bank_b_supervisor, filing=filing)
    return services.filing_confirm(by=bureau_approver, filing=filing).covered_loan


