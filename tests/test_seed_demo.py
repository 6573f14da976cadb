"""seed_demo on an empty database leaves a filing and a claim in every stage the real clock reaches
(recovery, closed and rescinded included), every recovery and clawback stage, every notice kind but the
lapse notice, each notice clean (pdftotext), in CJK subset fonts (pdffonts), signed with a signature
pdfsig trusts against the demo CA and carrying a QR code that decodes to its verify link; a second run
changes nothing (issue 10, item 7); without a worker, the approver can decide a claim whose public
notice has ended, and the clerk has an objection to rule (issue 9).

Seeding is slow (some 90 notices rendered and signed), so the PDF checks run in one test that seeds
once; the other tests seed without rendering (the on-commit render is not run inside a test's
transaction)."""

import io
import re
import shutil
import subprocess
from collections import Counter
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from compensation import documents as claim_docs
from compensation import services as claims
from compensation.models import Claim, Clawback, Objection, PublicNoticeBatch, Recovery, SupplementRequest
from fund import documents as fund_docs
from fund.models import Posting
from lenders import documents as lender_docs
from lenders import services as filings
from lenders.models import CoveredLoan, LoanEvent, LoanFiling
from tests.factories import ensure_policies
from tests.pdfcheck import font_faults, needs_poppler, pdf_pages, pdf_text, text_faults
from yunfu_ipfund.accounts.management.commands.seed_demo import DEMO_PASSWORD
from yunfu_ipfund.accounts.models import User
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.audit.services import object_label
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.notices import qr, signing
from yunfu_ipfund.notices.models import Notice, Reminder

S = Claim.Status
# Claim states seed_demo cannot reach on the real clock, and why (the report says which service would
# need which date):
UNREACHABLE_CLAIM_STATES = {
    # The fund is not short on a fresh database: 5,000,000 against some 2,000,000 decided.
    S.QUEUED,
    # claim_lapse refuses until the supplement deadline (set from today) has passed.
    S.LAPSED,
    # Only under the 2020 Measures; a claim takes the version in force on its first submission (today).
    S.JOINT_MEETING,
}
UNREACHABLE_LOAN_STATES = set()
# Every registered kind but the general 告知书 (no service issues it) and the lapse notice (see above).
NOTICE_KINDS = {k.code for k in (*lender_docs.KINDS, *claim_docs.KINDS, *fund_docs.KINDS)} - {
    claim_docs.LAPSE
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
    Recovery,
    Clawback,
)


def _seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """seed_demo once for the module, with the demo CA configured and every notice rendered and signed
    (the on-commit renders run), inside a transaction rolled back when the module is done; each test
    runs in a savepoint of it (`db`), so one test's steps do not leak into the next."""
    root, p12 = signing.make_demo_ca(tmp_path_factory.mktemp("ca"))
    signing_settings = override_settings(
        NOTICE_SIGNING_PKCS12=str(p12),
        NOTICE_SIGNING_PASSWORD=signing.DEMO_PASSWORD,
        NOTICE_TRUST_ROOTS=[str(root)],
        NOTICE_TSA_URL="",
        # What tests/conftest.py gives each test: the demo users' passwords are hashed before it runs.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), signing_settings:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            ensure_policies()
            with TestCase.captureOnCommitCallbacks(execute=True):
                _seed()
            yield SimpleNamespace(root=root)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def seeded(demo, db):
    return demo


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


def test_every_recovery_and_clawback_stage(seeded):
    assert set(Recovery.objects.values_list("status", flat=True)) == set(Recovery.Status.values)
    assert set(Clawback.objects.values_list("status", flat=True)) == set(Clawback.Status.values)
    closed = Claim.objects.get(status=S.CLOSED)
    assert closed.close_reason == Claim.CloseReason.WRITE_OFF
    assert closed.covered_loan.status == CoveredLoan.Status.CLOSED


def test_every_move_was_audited(seeded):
    """No status was written behind the workflow's back: each claim's and filing's current state is the
    to-state of its latest audited move (or its creation)."""
    for model in (Claim, LoanFiling):
        for obj in model.objects.all():
            last = (
                AuditEvent.objects.filter(object_type=object_label(obj), object_id=str(obj.pk))
                .exclude(to_state="")
                .exclude(data__has_key="recovery")  # a recovery report's own state, told on its claim
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
        ("gongshang_jb", {S.DRAFT, S.SUBMITTED, S.FIRST_REVIEWED, S.PUBLIC_NOTICE, S.PAID, S.RESCINDED}),
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
    assert (
        Posting.objects.filter(kind="payout").count() == Claim.objects.filter(paid_at__isnull=False).count()
    )
    assert objection.outcome == Objection.Outcome.PENDING


def _trusting_nss(directory, root):
    """A temporary NSS database that trusts the demo root (pdfsig checks the chain against it)."""
    directory.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{directory}", "-n", "demo-root", "-t", "CT,C,C", "-i", str(root)],
        check=True,
    )
    return f"sql:{directory}"


def _qr_links(path, tmp_path):
    """The links the QR codes of the last page decode to."""
    last = pdf_pages(path)
    stem = tmp_path / f"{path.stem}-page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", str(last), "-l", str(last), str(path), str(stem)], check=True
    )
    (png,) = tmp_path.glob(f"{path.stem}-page*.png")
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True, timeout=60
    )
    png.unlink()
    return out.stdout.split()


@needs_poppler
@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdfsig", "certutil", "zbarimg", "pdftoppm")),
    reason="poppler-utils, libnss3-tools or zbar-tools is not installed",
)
def test_every_seeded_notice_is_clean_in_cjk_subsets_signed_and_its_qr_decodes(seeded, tmp_path, settings):
    settings.NOTICE_TRUST_ROOTS = [str(seeded.root)]
    root = seeded.root
    notices = list(Notice.objects.order_by("pk"))
    assert NOTICE_KINDS <= {n.kind for n in notices}
    nss = _trusting_nss(tmp_path / "nss", root)
    faults = {}
    for notice in notices:
        assert notice.render_status == Notice.RenderStatus.RENDERED, (notice.number, notice.render_error)
        path = tmp_path / f"notice-{notice.pk}.pdf"
        path.write_bytes(notice.pdf.read())
        found = text_faults(pdf_text(path), allowed=[notice.verification_code]) + font_faults(path)
        sig = subprocess.run(["pdfsig", "-nssdir", nss, str(path)], capture_output=True, text=True).stdout
        if "Signature is Valid." not in sig or "Certificate is Trusted." not in sig:
            found.append(f"pdfsig: {sig.strip()[-200:]}")
        if not signing.verify_pdf(path.read_bytes()).valid:
            found.append("verify_pdf: not valid")
        if _qr_links(path, tmp_path) != [qr.verify_link(notice)]:
            found.append("QR code does not decode to the verify link")
        if found:
            faults[f"{notice.number} {notice.kind}"] = found
        path.unlink()
    assert faults == {}
