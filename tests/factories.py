"""Builders of real records for every app's tests, importable from anywhere (`from tests.factories import …`).

The fixtures in tests/conftest.py and tests/<app>/conftest.py call these; a test that needs a record of
another app builds it here instead of stubbing that app. Where a builder goes through the services, the
record is one the portal could have made (audited, numbered, with its reminders). Three write straight
into the tables, each for a reason given in its docstring: `make_profile`, `make_patent` and
`make_registration` (the enterprise side's setup for the bank side's tests, at fixed test values), and
`make_non_performing_loan` (a covered loan dated months back, which no service can file today).

- personas and organisations: `make_org`, `make_user` (`PASSWORD` is every persona's password)
- the bank side: `admit` (a cooperating bank), `make_profile`, `make_patent`, `make_registration`,
  `filing_values`, `pledges_for`, `attach_documents`, `make_filing`, `clerk_of`, `first_review`,
  `make_covered_loan`
- compensation: `ensure_policies`, `make_non_performing_loan`, `attach_all`, `Flow` (a claim walked along
  its path), `decide_after_publicity`
- uploads: `pdf_file`
"""

import datetime as dt
from decimal import Decimal

import time_machine
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.models import EnterpriseProfile, IPAsset, LoanRegistration
from compensation import services as compensation_services
from compensation.evidence import REQUIRED_EVIDENCE
from compensation.models import Claim
from fund.models import Posting
from fund.services import OPENING_KEY, contribution_post
from lenders import services as lenders_services
from lenders.models import CoveredLoan, FilingDocument, LoanFiling
from yunfu_ipfund.accounts.models import Organisation, User
from yunfu_ipfund.accounts.roles import PERM_BUREAU_REVIEW, Role
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.identifiers import make_patent_number
from yunfu_ipfund.notices.services import sweep_reminders
from yunfu_ipfund.policy.models import IPType, PolicyVersion
from yunfu_ipfund.policy.seed import VERSIONS

PASSWORD = "Yunfu-test-2026!"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_serial = iter(range(100_000, 999_999))


# Personas and organisations ----------------------------------------------------------------------


def make_org(kind, name, uscc=None):
    return Organisation.objects.create(kind=kind, name=name, uscc=uscc)


def make_user(username, org, *roles, full_name=""):
    user = User.objects.create_user(
        username=username, password=PASSWORD, organisation=org, full_name=full_name or username
    )
    user.groups.add(*[Group.objects.get(name=role) for role in roles])
    return user


# Uploads ------------------------------------------------------------------------------------------


def pdf_file(name="doc.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# The bank side: cooperating banks, the enterprise's setup, filings, covered loans ----------------


def admit(bank_org, approver, **overrides):
    """A cooperating bank admitted by the bureau approver (lenders.services.bank_admit)."""
    day = today()
    values = dict(
        organisation=bank_org,
        agreement_number=f"YFHZ-{bank_org.pk}-{next(_serial)}",
        agreement_valid_from=day - dt.timedelta(days=400),
        agreement_valid_to=day + dt.timedelta(days=3 * 365),
        admitted_on=day - dt.timedelta(days=400),
    )
    values.update(overrides)
    return lenders_services.bank_admit(by=approver, **values)


def make_profile(org, **overrides):
    """An enterprise profile that meets every rule (written straight into the table: the bank side's
    tests need it as a given, not the enterprise's editing of it)."""
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
        credit_declared_on=today() - dt.timedelta(days=30),
        is_independent_legal_person=True,
    )
    values.update(overrides)
    return EnterpriseProfile.objects.create(organisation=org, **values)


def make_patent(org, **overrides):
    """An invention patent of `org`, in force and paid up (written straight into the table)."""
    values = dict(
        enterprise=org,
        ip_type=IPType.INVENTION,
        number=make_patent_number(f"20231{next(_serial):07d}"),
        title="一种石材切割装置",
        holder_name=org.name,
        grant_date=dt.date(2023, 5, 1),
        expiry_date=today() + dt.timedelta(days=3650),
        annual_fee_paid_through=today() + dt.timedelta(days=200),
    )
    values.update(overrides)
    return IPAsset.objects.create(**values)


def make_registration(
    enterprise, bank, user, *, assets=None, status=LoanRegistration.Status.ACCEPTED, **overrides
):
    """A loan registration already accepted by the bank (default), pledging `assets` or a new patent
    (written straight into the table: the enterprise side's workflow is tested in tests/applications)."""
    values = dict(amount=Decimal("1000000.00"), term_months=12, purpose="购买原材料")
    values.update(overrides)
    registration = LoanRegistration.objects.create(
        enterprise=enterprise, bank=bank, created_by=user, status=status, **values
    )
    registration.assets.set(assets if assets is not None else [make_patent(enterprise)])
    return registration


def filing_values(**overrides):
    day = today()
    values = dict(
        contract_number=f"JK-{next(_serial)}",
        amount=Decimal("1000000.00"),
        ip_amount=Decimal("800000.00"),
        disbursed_on=day - dt.timedelta(days=3),
        maturity_on=day - dt.timedelta(days=3) + dt.timedelta(days=330),
        annual_rate=Decimal("3.9"),
        repayment_method="interest_monthly",
        other_collateral="法定代表人连带责任保证",
    )
    values.update(overrides)
    return values


def pledges_for(registration, **overrides):
    return [
        {
            "asset": a,
            "pledge_registration_number": f"Y2026{next(_serial)}",
            "pledge_registered_on": today() - dt.timedelta(days=5),
            **overrides,
        }
        for a in registration.assets.all()
    ]


def attach_documents(filing, officer, kinds=None):
    for kind in kinds or FilingDocument.Kind.values:
        lenders_services.filing_document_add(
            by=officer, filing=filing, kind=kind, file=pdf_file(f"{kind}.pdf")
        )


def make_filing(officer, registration, *, documents=True, pledges=None, **overrides):
    """A draft filing of `registration` by the bank officer, with every document attached (default)."""
    filing = lenders_services.filing_create(
        by=officer,
        registration=registration,
        pledges=pledges if pledges is not None else pledges_for(registration),
        **filing_values(**overrides),
    )
    if documents:
        attach_documents(filing, officer)
    return filing


def clerk_of(approver):
    """A bureau clerk of the approver's bureau, not the approver (four eyes): the test's own clerk if it
    has one, otherwise one made for the builders ("factory_clerk")."""
    clerk = (
        User.objects.filter(organisation_id=approver.organisation_id, groups__name=Role.BUREAU_CLERK)
        .exclude(pk=approver.pk)
        .order_by("pk")
        .first()
    )
    if clerk is None:
        clerk = User.objects.filter(username="factory_clerk").first() or make_user(
            "factory_clerk", approver.organisation, Role.BUREAU_CLERK, full_name="孙经办"
        )
    return clerk


def first_review(filing, approver_or_clerk):
    """The clerk's first review (初审通过) of a submitted filing: the step before the approver decides.
    Given the approver, the clerk of the approver's bureau (`clerk_of`) makes it."""
    clerk = approver_or_clerk
    if not clerk.has_perm(PERM_BUREAU_REVIEW):
        clerk = clerk_of(approver_or_clerk)
    return lenders_services.filing_first_review(by=clerk, filing=filing)


def make_covered_loan(officer, supervisor, approver, registration, *, clerk=None, **overrides):
    """A covered loan: a filing prepared by `officer`, submitted by `supervisor`, first-reviewed by the
    bureau clerk (`clerk`, default `clerk_of(approver)`), confirmed by `approver`."""
    filing = make_filing(officer, registration, **overrides)
    lenders_services.filing_submit(by=supervisor, filing=filing)
    first_review(filing, clerk or approver)
    return lenders_services.filing_confirm(by=approver, filing=filing).covered_loan


# Compensation: the Measures and the fund's opening, a non-performing loan, a claim's path ---------


def ensure_policies():
    """Transactional tests flush the seeded policy versions and the fund's opening: put them back."""
    if not PolicyVersion.objects.exists():
        for values in VERSIONS:
            PolicyVersion.objects.create(**values)
    if not Posting.objects.filter(key=OPENING_KEY).exists():
        first = PolicyVersion.objects.order_by("effective_from").first()
        contribution_post(
            by=None,
            amount=first.fund_capital,
            key=OPENING_KEY,
            value_date=first.effective_from,
            reference=first,
            reason="省级专项资金拨入（开户）",
        )


def make_non_performing_loan(
    bank,
    enterprise,
    by,
    *,
    amount="1000000.00",
    covered="800000.00",
    outstanding=None,
    non_performing_on=None,
    status=CoveredLoan.Status.NON_PERFORMING,
    classification="substandard",
):
    """A confirmed covered loan, disbursed months ago and non-performing (default) since
    `non_performing_on` (20 days ago by default). Written straight into the tables: no service files a
    loan dated that far back today, and the claim tests need its dates fixed."""
    if not EnterpriseProfile.objects.filter(organisation=enterprise).exists():
        EnterpriseProfile.objects.create(
            organisation=enterprise,
            legal_representative="陈法人",
            registered_address="云浮市云城区星岩四路1号",
            district="yuncheng",
            sector="industry",
            declared_size="small",
            employees=50,
            revenue=Decimal("800"),
            total_assets=Decimal("600"),
        )
    day = today()
    disbursed = (
        non_performing_on - dt.timedelta(days=200) if non_performing_on else day - dt.timedelta(days=300)
    )
    registration = LoanRegistration.objects.create(
        enterprise=enterprise,
        bank=bank,
        created_by=by,
        status=LoanRegistration.Status.ACCEPTED,
        amount=Decimal(amount),
        term_months=12,
        purpose="购买原材料",
    )
    contract = f"JK-{next(_serial)}"
    filing = LoanFiling.objects.create(
        registration=registration,
        bank=bank,
        enterprise=enterprise,
        contract_number=contract,
        amount=Decimal(amount),
        disbursed_on=disbursed,
        maturity_on=disbursed + dt.timedelta(days=360),
        annual_rate=Decimal("3.9"),
        repayment_method="interest_monthly",
        ip_amount=Decimal(covered),
        status=LoanFiling.Status.CONFIRMED,
        prepared_by=by,
    )
    policy = PolicyVersion.objects.get(effective_from__lte=disbursed, effective_to__gte=disbursed)
    return CoveredLoan.objects.create(
        filing=filing,
        bank=bank,
        enterprise=enterprise,
        policy_version=policy,
        contract_number=contract,
        amount=Decimal(amount),
        covered_amount=Decimal(covered),
        fund_share=policy.fund_share,
        disbursed_on=disbursed,
        maturity_on=disbursed + dt.timedelta(days=360),
        outstanding_principal=Decimal(outstanding or amount),
        covered_outstanding=Decimal(covered),
        classification=classification,
        non_performing_on=non_performing_on or day - dt.timedelta(days=20),
        status=status,
        confirmed_at=timezone.now(),
    )


def attach_all(claim, user):
    """Every required piece of evidence uploaded, the two that may be, marked not applicable."""
    for kind in REQUIRED_EVIDENCE:
        compensation_services.evidence_upload(by=user, claim=claim, kind=kind, file=pdf_file(f"{kind}.pdf"))
    compensation_services.evidence_mark_not_applicable(
        by=user, claim=claim, kind="litigation_papers", reason="尚未起诉，正在协商"
    )
    compensation_services.evidence_mark_not_applicable(
        by=user, claim=claim, kind="disposal_evidence", reason="质押物尚未处置"
    )


class Flow:
    """Walks a claim along its path with the personas. Each step returns the refreshed claim."""

    def __init__(self, officer, supervisor, clerk, approver, finance):
        self.officer, self.supervisor, self.clerk = officer, supervisor, clerk
        self.approver, self.finance = approver, finance

    def draft(self, loan, unrecovered="600000.00"):
        claim = compensation_services.claim_create(
            by=self.officer,
            covered_loan=loan,
            unrecovered_principal=unrecovered,
            enforcement_actions="电话催收 5 次，发送律师函 1 份",
        )
        attach_all(claim, self.officer)
        return claim

    def submitted(self, loan, **kw):
        return compensation_services.claim_submit(by=self.supervisor, claim=self.draft(loan, **kw))

    def reviewed(self, loan, **kw):
        claim = compensation_services.claim_accept(by=self.clerk, claim=self.submitted(loan, **kw))
        return compensation_services.claim_first_review(
            by=self.clerk,
            claim=claim,
            opinion="材料齐全，符合补偿条件",
            rule_opinions={"claim_window": "在期限内"},
        )

    def approved(self, loan, reductions=(), **kw):
        claim = self.reviewed(loan, **kw)
        if compensation_services.policy_of(claim).requires_joint_meeting:
            claim = compensation_services.claim_joint_meeting(
                by=self.approver,
                claim=claim,
                meeting_on=today(),
                minutes_reference="联席〔2025〕1号",
                opinion="同意",
            )
        return compensation_services.claim_approve(
            by=self.approver, claim=claim, reason="符合条件", reductions=reductions
        )

    def published(self, loan, **kw):
        claim = self.approved(loan, **kw)
        compensation_services.notice_batch_publish(by=self.clerk, claims=[claim])
        return Claim.objects.get(pk=claim.pk)

    def decided(self, loan, **kw):
        claim = self.published(loan, **kw)
        return decide_after_publicity(claim, by=self.approver)

    def paid(self, loan, **kw):
        claim = self.decided(loan, **kw)
        claim = compensation_services.claim_instruct_payment(by=self.approver, claim=claim)
        return compensation_services.claim_confirm_payment(by=self.finance, claim=claim, voucher="ZF-0001")

    def recovery(self, claim, *, amount, costs="0", received_on=None, **kw):
        """The officer prepares a recovery report and the supervisor countersigns it (reports it)."""
        draft = compensation_services.recovery_prepare(
            by=self.officer,
            claim=claim,
            received_on=received_on or claim.payment_value_date,
            amount=amount,
            costs=costs,
            **kw,
        )
        return compensation_services.recovery_countersign(by=self.supervisor, recovery=draft)


def decide_after_publicity(claim, by=None):
    """Jump past the end of the public notice, run the sweep (it reminds, never decides) and, given the
    bureau approver `by`, let them decide."""
    claim.refresh_from_db()
    day_after = claim.batch.ends_on + dt.timedelta(days=1)
    moment = dt.datetime.combine(day_after, dt.time(9, 0), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(moment, tick=False):
        sweep_reminders()
        if by is not None:
            compensation_services.claim_decide(by=by, claim=claim)
    return Claim.objects.get(pk=claim.pk)
