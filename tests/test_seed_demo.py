"""seed_demo on an empty database leaves a filing and a claim in every stage the real clock reaches,
every notice those stages issue, and a second run changes nothing (issue 10, item 7); without a worker,
the approver can decide a claim whose public notice has ended, and the clerk has an objection to rule
(issue 9)."""

import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from compensation import documents as claim_docs
from compensation import services as claims
from compensation.models import Claim, Objection, PublicNoticeBatch, SupplementRequest
from fund.models import Posting
from lenders import documents as lender_docs
from lenders import services as filings
from lenders.models import CoveredLoan, LoanEvent, LoanFiling
from tests.factories import ensure_policies
from yunfu_ipfund.accounts.management.commands.seed_demo import DEMO_PASSWORD
from yunfu_ipfund.accounts.models import User
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.audit.services import object_label
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.notices.models import Notice, Reminder

S = Claim.Status
# Claim states seed_demo cannot reach on the real clock, and why (the report and compensation.demo say
# which service would need which date):
UNREACHABLE_CLAIM_STATES = {
    # Not seeded yet: the fund is not short on a fresh database, and recovery, closing and rescission
    # follow a payment that is only seeded today.
    S.QUEUED,
    S.RECOVERY,
    S.CLOSED,
    S.RESCINDED,
    # claim_lapse refuses until the supplement deadline (set from today) has passed.
    S.LAPSED,
    # Only under the 2020 Measures; a claim takes the version in force on its first submission (today).
    S.JOINT_MEETING,
}
# Covered-loan states after compensation need a claim in recovery (see above); EXCLUDED needs a rescission.
UNREACHABLE_LOAN_STATES = {
    CoveredLoan.Status.RECOVERY,
    CoveredLoan.Status.CLOSED,
    CoveredLoan.Status.EXCLUDED,
}
NOTICE_KINDS = {
    lender_docs.BANK_ADMISSION,
    lender_docs.FILING_CONFIRMATION,
    lender_docs.FILING_RETURN,
    lender_docs.FILING_REFUSAL,
    claim_docs.ACCEPTANCE,
    claim_docs.SUPPLEMENT,
    claim_docs.REFUSAL,
    claim_docs.PUBLIC_NOTICE,
    claim_docs.DECISION,
    claim_docs.PAYMENT_INSTRUCTION,
}
MODELS = (
    LoanFiling,
    CoveredLoan,
    LoanEvent,
    Claim,
    SupplementRequest,
    PublicNoticeBatch,
    Objection,
    Notice,
    Reminder,
    Posting,
    AuditEvent,
)


def _seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture
def seeded(db):
    ensure_policies()
    _seed()


def test_a_filing_in_every_state(seeded):
    states = Counter(LoanFiling.objects.values_list("status", flat=True))
    assert set(LoanFiling.WORKFLOW.states()) <= set(states), states
    loans = set(CoveredLoan.objects.values_list("status", flat=True))
    assert loans == set(CoveredLoan.Status.values) - UNREACHABLE_LOAN_STATES


def test_a_claim_in_every_state_the_real_clock_reaches(seeded):
    states = set(Claim.objects.values_list("status", flat=True))
    assert states == set(Claim.WORKFLOW.states()) - UNREACHABLE_CLAIM_STATES
    for published in Claim.objects.filter(status=S.PUBLIC_NOTICE):
        assert published.batch.notice is not None and published.batch.ends_on >= published.batch.starts_on
    assert Claim.objects.get(status=S.REJECTED).outcome == Claim.Outcome.REJECT
    assert Claim.objects.get(status=S.APPROVED).approved_amount > 0


def test_every_notice_kind_of_those_stages(seeded):
    kinds = set(Notice.objects.values_list("kind", flat=True))
    assert NOTICE_KINDS <= kinds, NOTICE_KINDS - kinds


def test_every_move_was_audited(seeded):
    """No status was written behind the workflow's back: each claim's and filing's current state is the
    to-state of its latest audited move (or its creation)."""
    for model in (Claim, LoanFiling):
        for obj in model.objects.all():
            last = (
                AuditEvent.objects.filter(object_type=object_label(obj), object_id=str(obj.pk))
                .exclude(to_state="")
                .order_by("-id")
                .first()
            )
            assert last is not None and last.to_state == obj.status, (model, obj.pk, obj.status)


def test_the_second_run_changes_nothing(seeded):
    before = _counts()
    statuses = sorted(Claim.objects.values_list("pk", "status"))
    out = _seed()
    assert _counts() == before
    assert sorted(Claim.objects.values_list("pk", "status")) == statuses
    assert "本次新建 0 笔" in out


# The rows of the claim list (not its status filter, which names every state).
ROW_STATUS = re.compile(r'<span class="tag">([^<]+)</span>')


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("shijianju_sh", set(Claim.WORKFLOW.states()) - UNREACHABLE_CLAIM_STATES),
        ("gongshang_jb", {S.DRAFT, S.SUBMITTED, S.FIRST_REVIEWED, S.PUBLIC_NOTICE, S.PAID}),
    ],
)
def test_the_claim_list_shows_the_stages(seeded, username, expected):
    """Logged in with the demo password, each persona's claim list has one row per stage it may see."""
    client = Client()
    login = client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
    assert login.status_code == 302, login.content.decode()[:500]
    page = client.get(reverse("compensation:claim_list"))
    assert page.status_code == 200
    body = page.content.decode().split("<tbody>", 1)[1]
    assert set(ROW_STATUS.findall(body)) == {S(state).label for state in expected}


def test_each_next_step_the_readme_names_can_be_taken_today(seeded):
    """The README's "What the demo shows": each record's next step, by the persona it names, works on
    the real clock right after seeding (no step waits for a deadline)."""

    def who(username):
        return User.objects.get(username=username)

    def filing(contract):
        return LoanFiling.objects.get(contract_number=contract)

    def claim(contract):
        return Claim.objects.get(covered_loan__contract_number=contract)

    filings.filing_submit(by=who("nonghang_fh"), filing=filing("NHYF-2026-ZSCQ-0101"))
    filings.filing_confirm(by=who("shijianju_sh"), filing=filing("NHYF-2026-ZSCQ-0102"))
    filings.filing_submit(by=who("jianhang_fh"), filing=filing("JHYF-2026-ZSCQ-0103"))
    claims.claim_submit(by=who("gongshang_fh"), claim=claim("GSYF-2026-ZSCQ-0108"))
    claims.claim_accept(by=who("shijianju_jb"), claim=claim("GSYF-2026-ZSCQ-0001"))
    claims.claim_submit(by=who("nonghang_fh"), claim=claim("NHYF-2026-ZSCQ-0109"))
    claims.claim_first_review(by=who("shijianju_jb"), claim=claim("JHYF-2026-ZSCQ-0110"), opinion="符合条件")
    claims.claim_approve(by=who("shijianju_sh"), claim=claim("GSYF-2026-ZSCQ-0111"), reason="符合条件")
    claims.notice_batch_publish(by=who("shijianju_jb"), claims=[claim("NHYF-2026-ZSCQ-0112")])
    on_notice = claim("GSYF-2026-ZSCQ-0114")
    (waiting,) = claims.pending_objections(on_notice)
    claims.objection_rule(
        by=who("shijianju_jb"), objection=waiting, outcome="unfounded", reason="经核实不成立"
    )
    assert claim("GSYF-2026-ZSCQ-0114").status == S.PUBLIC_NOTICE
    claims.claim_decide(by=who("shijianju_sh"), claim=claim("GSYF-2026-ZSCQ-0121"))
    assert claim("GSYF-2026-ZSCQ-0121").status == S.DECIDED
    claims.claim_confirm_payment(by=who("caizheng"), claim=claim("JHYF-2026-ZSCQ-0123"), voucher="ZF-DEMO-1")
    assert claim("JHYF-2026-ZSCQ-0123").status == S.PAID
    assert filing("NHYF-2026-ZSCQ-0102").status == LoanFiling.Status.CONFIRMED
    assert claim("NHYF-2026-ZSCQ-0112").status == S.PUBLIC_NOTICE
    assert claim("NHYF-2026-ZSCQ-0109").status == S.SUBMITTED


def test_without_a_worker_the_approver_can_decide_today_and_the_clerk_has_an_objection_to_rule(seeded):
    """On the real clock, no sweep run: a claim whose public notice period has already ended waits for the
    approver's button, its to-do is on their list, and a claim on notice has an objection for the clerk."""
    approver = User.objects.get(username="shijianju_sh")
    ripe = list(claims.claims_ripe_for_decision(Claim.objects.all()))
    assert [c.covered_loan.contract_number for c in ripe] == ["GSYF-2026-ZSCQ-0121"]
    (claim,) = ripe
    assert claim.batch.ends_on < today() and claims.claim_can_decide(claim, approver)
    client = Client()
    client.post(reverse("accounts:login"), {"username": "shijianju_sh", "password": DEMO_PASSWORD})
    assert "作出补偿决定</button>" in client.get(claim.get_absolute_url()).content.decode()
    assert f"作出补偿决定：{claim.reference}" in client.get(reverse("accounts:tasks")).content.decode()
    # The seeded day of publication is in the audit trail beside the real time of the record.
    event = AuditEvent.objects.get(
        code="compensation.publicnoticebatch.publish", object_id=str(claim.batch_id)
    )
    assert event.data["published_on"] == claim.batch.starts_on.isoformat()
    assert claim.batch.starts_on.isoformat() in event.reason
    on_notice = Claim.objects.get(covered_loan__contract_number="GSYF-2026-ZSCQ-0114")
    assert (
        on_notice.status == S.PUBLIC_NOTICE
        and on_notice.batch.starts_on <= today() <= on_notice.batch.ends_on
    )
    (objection,) = claims.pending_objections(on_notice)
    assert Reminder.objects.filter(
        kind="compensation.claim.objection", subject_id=str(on_notice.pk), resolved_at__isnull=True
    ).exists()
    assert not claims.claim_can_decide(on_notice, approver)
    paid = Claim.objects.get(covered_loan__contract_number="GSYF-2026-ZSCQ-0124")
    assert paid.status == S.PAID and paid.covered_loan.status == CoveredLoan.Status.COMPENSATED
    assert Posting.objects.filter(kind="payout").count() == 1
    assert objection.outcome == Objection.Outcome.PENDING
