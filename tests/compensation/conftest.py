"""Factories for compensation: a non-performing covered loan (built directly; lenders owns its workflow),
a claim with a complete checklist, and helpers that walk a claim along its path through the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.models import EnterpriseProfile, LoanRegistration
from compensation import services
from compensation.evidence import REQUIRED_EVIDENCE
from compensation.models import Claim
from lenders.models import CoveredLoan, LoanFiling
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.policy.models import PolicyVersion

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_serial = iter(range(100_000, 999_999))


def pdf_file(name="doc.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def ensure_policies():
    """Transactional tests flush the seeded policy versions and the fund's opening: put them back."""
    from fund.models import Posting
    from fund.services import OPENING_KEY, contribution_post
    from yunfu_ipfund.policy.seed import VERSIONS

    if not PolicyVersion.objects.exists():
        for values in VERSIONS:
            PolicyVersion.objects.create(**values)
    if not Posting.objects.filter(key=OPENING_KEY).exists():
        first = PolicyVersion.objects.order_by("effective_from").first()
        contribution_post(by=None, amount=first.fund_capital, key=OPENING_KEY, value_date=first.effective_from,
                          reference=first, reason="省级专项资金拨入（开户）")


def make_loan(bank, enterprise, by, *, amount="1000000.00", covered="800000.00", outstanding=None,
              non_performing_on=None, status=CoveredLoan.Status.NON_PERFORMING, classification="substandard"):
    if not EnterpriseProfile.objects.filter(organisation=enterprise).exists():
        EnterpriseProfile.objects.create(
            organisation=enterprise, legal_representative="陈法人", registered_address="云浮市云城区星岩四路1号",
            district="yuncheng", sector="industry", declared_size="small", employees=50, revenue=Decimal("800"),
            total_assets=Decimal("600"),
        )
    day = today()
    disbursed = non_performing_on - dt.timedelta(days=200) if non_performing_on else day - dt.timedelta(days=300)
    registration = LoanRegistration.objects.create(
        enterprise=enterprise, bank=bank, created_by=by, status=LoanRegistration.Status.ACCEPTED,
        amount=Decimal(amount), term_months=12, purpose="购买原材料",
    )
    contract = f"JK-{next(_serial)}"
    filing = LoanFiling.objects.create(
        registration=registration, bank=bank, enterprise=enterprise, contract_number=contract, amount=Decimal(amount),
        disbursed_on=disbursed, maturity_on=disbursed + dt.timedelta(days=360), annual_rate=Decimal("3.9"),
        repayment_method="interest_monthly", ip_amount=Decimal(covered), status=LoanFiling.Status.CONFIRMED,
        prepared_by=by,
    )
    policy = PolicyVersion.objects.get(effective_from__lte=disbursed, effective_to__gte=disbursed)
    return CoveredLoan.objects.create(
        filing=filing, bank=bank, enterprise=enterprise, policy_version=policy, contract_number=contract,
        amount=Decimal(amount), covered_amount=Decimal(covered), fund_share=policy.fund_share, disbursed_on=disbursed,
        maturity_on=disbursed + dt.timedelta(days=360), outstanding_principal=Decimal(outstanding or amount),
        covered_outstanding=Decimal(covered), classification=classification,
        non_performing_on=non_performing_on or day - dt.timedelta(days=20), status=status, confirmed_at=timezone.now(),
    )


def attach_all(claim, user):
    for kind in REQUIRED_EVIDENCE:
        services.evidence_upload(by=user, claim=claim, kind=kind, file=pdf_file(f"{kind}.pdf"))
    services.evidence_mark_not_applicable(by=user, claim=claim, kind="litigation_papers", reason="尚未起诉，正在协商")
    services.evidence_mark_not_applicable(by=user, claim=claim, kind="disposal_evidence", reason="质押物尚未处置")


class Flow:
    """Walks a claim along its path with the personas. Each step returns the refreshed claim."""

    def __init__(self, officer, supervisor, clerk, approver, finance):
        self.officer, self.supervisor, self.clerk, self.approver, self.finance = officer, supervisor, clerk, approver, finance

    def draft(self, loan, unrecovered="600000.00"):
        claim = services.claim_create(by=self.officer, covered_loan=loan, unrecovered_principal=unrecovered,
                                      enforcement_actions="电话催收 5 次，发送律师函 1 份")
        attach_all(claim, self.officer)
        return claim

    def submitted(self, loan, **kw):
        return services.claim_submit(by=self.supervisor, claim=self.draft(loan, **kw))

    def reviewed(self, loan, **kw):
        claim = services.claim_accept(by=self.clerk, claim=self.submitted(loan, **kw))
        return services.claim_first_review(by=self.clerk, claim=claim, opinion="材料齐全，符合补偿条件",
                                           rule_opinions={"claim_window": "在期限内"})

    def approved(self, loan, reductions=(), **kw):
        claim = self.reviewed(loan, **kw)
        if claim.policy_version.requires_joint_meeting:
            claim = services.claim_joint_meeting(by=self.approver, claim=claim, meeting_on=today(),
                                                 minutes_reference="联席〔2025〕1号", opinion="同意")
        return services.claim_approve(by=self.approver, claim=claim, reason="符合条件", reductions=reductions)

    def published(self, loan, **kw):
        claim = self.approved(loan, **kw)
        services.notice_batch_publish(by=self.clerk, claims=[claim])
        return Claim.objects.get(pk=claim.pk)

    def decided(self, loan, **kw):
        claim = self.published(loan, **kw)
        return decide_after_publicity(claim)

    def paid(self, loan, **kw):
        claim = self.decided(loan, **kw)
        claim = services.claim_instruct_payment(by=self.approver, claim=claim)
        return services.claim_confirm_payment(by=self.finance, claim=claim, voucher="ZF-0001")

    def recovery(self, claim, *, amount, costs="0", received_on=None, **kw):
        """The officer prepares a recovery report and the supervisor countersigns it (reports it)."""
        draft = services.recovery_prepare(by=self.officer, claim=claim, received_on=received_on or claim.payment_value_date,
                                          amount=amount, costs=costs, **kw)
        return services.recovery_countersign(by=self.supervisor, recovery=draft)


def decide_after_publicity(claim):
    """Jump past the end of the public notice and run the sweep."""
    import time_machine

    from yunfu_ipfund.notices.services import sweep_reminders

    claim.refresh_from_db()
    day_after = claim.batch.ends_on + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(day_after, dt.time(9, 0), tzinfo=timezone.get_current_timezone()), tick=False):
        sweep_reminders()
    return Claim.objects.get(pk=claim.pk)


@pytest.fixture
def policy(db):
    return PolicyVersion.objects.get(effective_from__lte=today(), effective_to__gte=today())


@pytest.fixture
def loan(bank_a, enterprise_a, bank_officer, finance_bureau, bureau):
    return make_loan(bank_a, enterprise_a, bank_officer)


@pytest.fixture
def flow(bank_officer, bank_supervisor, bureau_clerk, bureau_approver, finance_user):
    return Flow(bank_officer, bank_supervisor, bureau_clerk, bureau_approver, finance_user)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The personas' passwords need no real hashing here (the platform's tests cover login)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
